"""``draft_article``: an article in, a draft scenario out (see :mod:`flighttrace.draft`)."""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from pathlib import Path
from typing import Any

from flighttrace.draft.claims import assemble
from flighttrace.draft.dates import DateContext, find_article_date, guess_year
from flighttrace.draft.diff import Relation, compare_claims, compare_events
from flighttrace.draft.lang import detect_language, matching_text, normalise_lang
from flighttrace.draft.places import Gazetteer
from flighttrace.draft.text import Article, read_article
from flighttrace.draft.writer import DraftInputs, build_mapping, to_yaml

__all__ = ["DraftResult", "draft_article", "parse_date_option"]


@dataclasses.dataclass
class DraftResult:
    """What :func:`draft_article` found.

    Attributes
    ----------
    mapping
        The draft scenario (loadable by :func:`flighttrace.scenario.parse_scenario`).
    scenario
        The same, validated.
    article
        The article read.
    lang, date, date_how
        Its language, the date year-less dates were resolved against, and where that came from.
    relations
        Covered / differs relations to the existing scenario's claims and events.
    warnings
        One line each, for the user.
    """

    mapping: dict[str, Any]
    scenario: Any
    article: Article
    lang: str
    date: dt.date | None
    date_how: str
    relations: list[Relation]
    warnings: list[str]

    def to_yaml(self) -> str:
        """The draft as YAML (a header comment, then the mapping)."""
        return to_yaml(self.mapping)


def parse_date_option(value: str) -> dt.date:
    """A ``--date`` value: ``YYYY-MM-DD``, ``YYYY-MM`` (the month's last day) or ``YYYY`` (31 December)."""
    text = value.strip()
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text)
    if not m:
        raise ValueError(f"{value!r} is not a date: write YYYY-MM-DD, YYYY-MM or YYYY")
    y, mo, d = int(m.group(1)), int(m.group(2) or 12), m.group(3)
    try:
        return dt.date(y, mo, int(d) if d else calendar.monthrange(y, mo)[1])
    except ValueError as exc:
        raise ValueError(f"{value!r} is not a valid date ({exc})") from None


def _source_for(article: Article, scenario: Any | None) -> tuple[str, str | None]:
    """(source id, its date) — the scenario's own source for this file when it has one."""
    name = Path(article.path).name if article.path else ""
    if scenario is not None and name:
        for s in scenario.meta.sources:
            if s.file and Path(s.file).name == name:
                return s.id, s.date
    stem = re.sub(r"[^A-Za-z0-9]+", "-", Path(name).stem.lower()).strip("-") if name else ""
    return (f"article-{stem}"[:48].rstrip("-") if stem else "article"), None


def _article_date(article: Article, text: str, lang: str, date: str | dt.date | None, source_date: str | None,
                  source_id: str) -> tuple[DateContext, dt.date | None, str, list[str]]:
    if isinstance(date, dt.date):
        return DateContext(date), date, "--date", []
    if date:
        d = parse_date_option(date)
        return DateContext(d), d, "--date", []
    found = find_article_date(text, lang, meta_date=article.meta_date)
    if found is not None:
        return DateContext(found), found, "html metadata" if article.meta_date else "dateline", []
    if source_date:
        d = parse_date_option(source_date)
        return DateContext(d), d, f"scenario source {source_id}", []
    year = guess_year(text, lang)
    if year is None:
        return DateContext(dt.date(1, 1, 1), "guessed"), None, "none", ["no article date and no year in the text: dates without a year were left out; give --date"]
    msg = f"no article date found: dates without a year were put in {year}, the latest year the text names; give --date to be sure"
    return DateContext(dt.date(year, 12, 31), "guessed"), None, "guessed", [msg]


def _relations_extra(rels: list[Relation], mapping: dict[str, Any]) -> tuple[set[str], dict[str, Any]]:
    covered = {r.draft_id for r in rels if r.relation == "covered"}
    keep = {c["id"] for c in mapping["claims"]} | {e["id"] for e in mapping["events"]}
    keep -= covered
    by_id: dict[str, list[dict[str, str]]] = {}
    for r in rels:
        if r.relation == "differs":
            by_id.setdefault(r.draft_id, []).append({"existing": r.existing_id, "detail": r.detail})
    for c in mapping["claims"]:
        if c["id"] in by_id:
            c["draft"]["differs_from"] = by_id[c["id"]]
    extra: dict[str, Any] = {}
    spans = {c["id"]: c["draft"]["span"] for c in mapping["claims"]}
    cov = [{"draft": r.draft_id, "existing": r.existing_id, **({"span": spans[r.draft_id]} if r.draft_id in spans else {})}
           for r in rels if r.relation == "covered"]
    if cov:
        extra["covered"] = cov
    diffs = [{"draft": r.draft_id, "existing": r.existing_id, "detail": r.detail, "proposed": r.draft_id not in covered} for r in rels if r.relation == "differs"]
    if diffs:
        extra["differs"] = diffs
    return keep, extra


def draft_article(path: str | Path, *, lang: str = "auto", scenario: str | Path | Any | None = None,
                  date: str | dt.date | None = None) -> DraftResult:
    """Draft the claims of an article as a scenario for a reporter to confirm.

    Parameters
    ----------
    path
        The article: plain text or a saved HTML page.
    lang
        ``auto`` (detect), ``en``, ``zh`` / ``zh-Hans`` or ``zh-Hant``.
    scenario
        An existing scenario (path or loaded): its aliases and fleet names are
        matched, and only what it lacks is proposed; where the article's
        version differs, the draft says so.
    date
        The article's date (``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY``), when
        neither the page nor the text gives it.

    Returns
    -------
    DraftResult

    Raises
    ------
    flighttrace.draft.text.ArticleError, flighttrace.draft.lang.LanguageError, ValueError
        With a one-line message.
    """
    from flighttrace.scenario import load_scenario, parse_scenario

    article = read_article(path)
    scn = load_scenario(scenario) if isinstance(scenario, str | Path) else scenario
    language = detect_language(article.text, hint=article.html_lang) if lang in ("", "auto") else normalise_lang(lang)
    text = matching_text(article.text, language)
    source_id, source_date = _source_for(article, scn)
    ctx, adate, how, warnings = _article_date(article, text, language, date, source_date, source_id)
    asm = assemble(article, text, language, ctx if how != "none" else None, Gazetteer.from_scenario(scn), scn)
    inp = DraftInputs(article, language, adate, how, scn, source_id, source_date)
    mapping = build_mapping(asm, inp)
    draft = parse_scenario(mapping, name=f"draft of {Path(path).name}")
    rels: list[Relation] = []
    if scn is not None:
        rels = compare_claims(draft, scn) + compare_events(draft, scn)
        keep, extra = _relations_extra(rels, mapping)
        differs = {c["id"]: c["draft"].get("differs_from") for c in mapping["claims"] if "differs_from" in c["draft"]}
        mapping = build_mapping(asm, inp, keep=keep, extra=extra)
        for c in mapping["claims"]:
            if differs.get(c["id"]):
                c["draft"]["differs_from"] = differs[c["id"]]
        draft = parse_scenario(mapping, name=f"draft of {Path(path).name}")
    return DraftResult(mapping, draft, article, language, adate, how, rels, warnings)
