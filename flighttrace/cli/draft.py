"""``flighttrace draft``: propose a scenario's claims from a news article, for a reporter to confirm."""

from __future__ import annotations

from pathlib import Path

import typer

from flighttrace.cli import app
from flighttrace.cli._common import err_console, fail, out_console

DRAFT_HEADER = "# Draft scenario written by `flighttrace draft`."
"""First line of every draft file; an existing file without it is never overwritten."""


def _check_out(out: Path, force: bool) -> None:
    if not out.exists():
        return
    if out.is_dir():
        fail(f"{out} is a folder; give a file name for the draft")
    try:
        first = out.read_text(encoding="utf-8", errors="replace").split("\n", 1)[0]
    except OSError as exc:
        fail(f"cannot read {out}: {exc.strerror or exc}")
    if not first.startswith(DRAFT_HEADER):
        fail(f"{out} exists and was not written by flighttrace draft; it is left untouched (choose another --out)")
    if not force:
        fail(f"{out} exists (an earlier draft, perhaps already reviewed); give --force to replace it, or another --out")


@app.command()
def draft(
    article: Path = typer.Argument(..., help="The article: a plain-text file or a saved HTML page."),
    out: Path = typer.Option(..., "--out", "-o", help="Where to write the draft scenario (YAML)."),
    lang: str = typer.Option("auto", "--lang", help="auto, en, zh (simplified) or zh-Hant (traditional)."),
    scenario: Path | None = typer.Option(None, "--scenario", "-s", help="An existing scenario: use its place and fleet names; propose only what it lacks, and flag where the article differs."),
    date: str | None = typer.Option(None, "--date", help="The article's date (YYYY-MM-DD, YYYY-MM or YYYY) when the page does not give it."),
    force: bool = typer.Option(False, "--force", help="Replace an earlier draft written by flighttrace draft."),
) -> None:
    """Draft the testable claims of an article (English or Chinese) as a scenario, each marked status: draft.

    \b
    Example:
        flighttrace draft article.txt --scenario seeds/azerbaijan-ovda.yaml --out drafts/article.yaml
    """
    from flighttrace.draft import draft_article
    from flighttrace.draft.lang import LanguageError
    from flighttrace.draft.text import ArticleError
    from flighttrace.scenario import ScenarioError

    if not article.is_file():
        fail(f"no such article: {article}")
    if scenario is not None and not scenario.is_file():
        fail(f"no such scenario file: {scenario}")
    _check_out(out, force)
    try:
        res = draft_article(article, lang=lang, scenario=scenario, date=date)
    except (ArticleError, LanguageError, ValueError) as exc:
        fail(str(exc).splitlines()[0] if not isinstance(exc, ScenarioError) else str(exc))
    for w in res.warnings:
        err_console.print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(res.to_yaml(), encoding="utf-8")
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    m = res.mapping
    claims, events = m["claims"], [e for e in m["events"] if res.article and e.get("sources") == [m["meta"]["sources"][0]["id"]]]
    inherited = sum(bool(c["draft"].get("inherited")) for c in claims)
    say = lambda text: out_console.print(text, markup=False, highlight=False, soft_wrap=True)
    say(f"{article.name}: {res.lang}, dated {res.date or 'unknown'} ({res.date_how}); "
        f"{len(claims)} claim(s) drafted ({inherited} with a part taken from the sentences before), {len(events)} event(s).")
    info = m["draft"]
    if info.get("covered"):
        say(f"already in {scenario}: " + ", ".join(f"{c['existing']}" for c in info["covered"]))
    for d in info.get("differs", []):
        say(f"differs from {d['existing']} ({d['draft']}): {d['detail']}")
    if info.get("unmatched_places"):
        say("places not matched: " + ", ".join(p["name"] for p in info["unmatched_places"]))
    if info.get("skipped"):
        sentences = {tuple(r["span"]) for r in info["skipped"]}  # a sentence can leave out a claim and an event
        unsaid = len({tuple(r["span"]) for r in info["skipped"] if r.get("asserted") is False})
        said = f" ({unsaid} that the article denies, supposes or negates)" if unsaid else ""
        say(f"{len(sentences)} claim-like sentence(s) left out{said}: see draft.skipped for why")
    say(f"Draft: {out} — review each claim, then set status: confirmed (or delete it).")
