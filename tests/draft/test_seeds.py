"""End to end on the three seed articles (read from ../shared/seeds at test time; nothing of them is stored here).

The truth is the seed scenarios: the claims and events that ``seeds/*.yaml`` attribute to each article
(source, via or attributed_to; an event's sources) must be drafted from it, with the same test, figure,
window and fields, and the right attribution. Each seed article is drafted against its scenario as it
stood before the article was read (the scenario without the claims that name the article), and once
against the whole scenario, where everything is already there and the 92 flights' period is flagged.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from flighttrace.draft import draft_article
from flighttrace.draft.diff import compare_events, same_claim
from flighttrace.scenario import load_scenario

from .conftest import ROOT, scenario_without

OVDA = ROOT / "seeds" / "azerbaijan-ovda.yaml"
MOSCOW = ROOT / "seeds" / "moscow-2026-03-14.yaml"
A000, A001, A002 = "000_5be205e22f11273d.txt", "001_71c1fc213837dcdf.txt", "002_7de5dba583a47cf4.txt"


def _attributed(scn: Any, sid: str) -> set[str]:
    return {c.id for c in scn.claims if c.source == sid or sid in c.via or c.attributed_to == sid}


def _matches(res: Any, seed: Any, claim_id: str) -> list[Any]:
    """The drafted claims with the same test, figure, window and fields as the seed claim."""
    e = seed.claim(claim_id)
    return [d for d in res.scenario.claims if all(same_claim(res.scenario, d, seed, e))]


def _days(w: Any) -> tuple[dt.date, dt.date]:
    """First and last day of a drafted {start, end} window (local-day date-times or dates)."""
    start = w.start.date() if isinstance(w.start, dt.datetime) else w.start
    end = (w.end - dt.timedelta(seconds=1)).date() if isinstance(w.end, dt.datetime) else w.end
    return start, end


@pytest.fixture(scope="module")
def draft_000(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    before = scenario_without(OVDA, "seed-000", tmp_path_factory.mktemp("s") / "before.yaml")
    # the article carries no date; AP's date (ap-2023 in the seed scenario) is given as --date would
    return draft_article(seeds_dir / A000, scenario=before, date="2023-10-05")


def test_seed_000_the_ap_claims_are_drafted(draft_000: Any) -> None:
    seed = load_scenario(OVDA)
    expected = {"ap-2023-six-from-baku", "ap-2023-hours-on-ground", "ap-2023-back-to-baku-or-ganja",
                "ap-2023-every-two-days-2020", "seed-000-92-in-2016-2020"}
    assert _attributed(seed, "seed-000") == expected
    found = {cid: _matches(draft_000, seed, cid) for cid in sorted(expected)}
    assert {cid for cid, m in found.items() if len(m) == 1} == expected  # recall 5/5

    (six,) = found["ap-2023-six-from-baku"]
    assert (six.test.kind, six.test.value, six.subject.airport, six.subject.from_) == ("count_at_least", 6, "LLOV", "UBBB")
    assert _days(six.window) == (dt.date(2023, 9, 1), dt.date(2023, 9, 17))
    assert six.subject.fleet == "silkway-il76" and six.attributed_to == "ap-2023" and six.source == "seed-000"
    assert {a.get("outlet") for a in six.draft["attribution"]} == {"Associated Press", "Flightradar24"}

    (hours,) = found["ap-2023-hours-on-ground"]
    assert hours.test.airport == "LLOV" and _days(hours.window) == (dt.date(2023, 9, 1), dt.date(2023, 9, 17))
    assert set(hours.draft["inherited"]) >= {"window", "attribution"} and hours.attributed_to == "ap-2023"

    (back,) = found["ap-2023-back-to-baku-or-ganja"]
    assert set(back.test.airports) == {"UBBB", "UBBG"} and back.subject.airport == "LLOV" and back.attributed_to == "ap-2023"

    (every,) = found["ap-2023-every-two-days-2020"]
    assert every.window.event == "war-2020" and every.test.max.days == 2
    assert "Akopian" in every.draft["attribution"][0]["who"]

    (n92,) = found["seed-000-92-in-2016-2020"]
    assert _days(n92.window) == (dt.date(2016, 1, 1), dt.date(2020, 12, 31)) and n92.test.value == 92
    assert n92.attributed_to == "haaretz-2023"


def test_seed_000_the_92_flights_are_flagged_against_the_haaretz_original(draft_000: Any) -> None:
    (n92,) = [c for c in draft_000.scenario.claims if c.test.kind == "count_at_least" and c.test.value == 92]
    (diff,) = n92.draft["differs_from"]
    assert diff["existing"] == "haaretz-2023-92-landings"
    assert "2016-01-01 to 2020-12-31" in diff["detail"] and "2016-01-01 to 2023-03-06" in diff["detail"]


def test_seed_000_against_the_whole_scenario_nothing_new_and_the_period_flagged(seeds_dir: Path) -> None:
    res = draft_article(seeds_dir / A000, scenario=OVDA, date="2023-10-05")
    assert res.mapping["claims"] == []
    covered = {c["existing"] for c in res.mapping["draft"]["covered"]}
    assert {"ap-2023-six-from-baku", "ap-2023-hours-on-ground", "ap-2023-back-to-baku-or-ganja",
            "ap-2023-every-two-days-2020", "seed-000-92-in-2016-2020"} <= covered
    (d,) = res.mapping["draft"]["differs"]
    assert d["existing"] == "haaretz-2023-92-landings" and d["proposed"] is False


def test_seed_000_without_a_date_the_guessed_year_is_marked(seeds_dir: Path) -> None:
    res = draft_article(seeds_dir / A000)
    assert res.date_how == "guessed" and res.warnings and "--date" in res.warnings[0]
    six = next(c for c in res.mapping["claims"] if c["test"].get("value") == 6)
    assert six["draft"]["window"]["year"] == "guessed"


def test_seed_001_the_timeline_events_are_drafted(seeds_dir: Path) -> None:
    seed = load_scenario(OVDA)
    expected = {e.id for e in seed.events if "seed-001" in e.sources}
    assert expected == {"april-war-2016", "tovuz-2020", "war-2020"}
    res = draft_article(seeds_dir / A001)
    assert res.lang == "en" and res.date == dt.date(2020, 11, 25) and res.date_how == "dateline"
    covered = {r.existing_id for r in compare_events(res.scenario, seed) if r.relation == "covered"}
    assert expected <= covered  # recall 3/3
    starts = {e.start for e in res.scenario.events}
    assert {dt.date(2016, 4, 2), dt.date(2020, 7, 12), dt.date(2020, 8, 23), dt.date(2020, 9, 27)} <= starts
    tovuz = next(e for e in res.scenario.events if e.start == dt.date(2020, 7, 12) and e.end == dt.date(2020, 7, 16))
    assert tovuz.sources == ("article-001-71c1fc213837dcdf",) and tovuz.confidence == "uncertain"


@pytest.fixture(scope="module")
def draft_002(seeds_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    before = scenario_without(MOSCOW, "seed-002", tmp_path_factory.mktemp("s") / "before.yaml")
    return draft_article(seeds_dir / A002, scenario=before)


def test_seed_002_the_closures_diversions_and_delays_are_drafted(draft_002: Any) -> None:
    seed = load_scenario(MOSCOW)
    expected = {"seed-all-four-closed", "seed-flights-diverted", "seed-flights-delayed"}
    assert _attributed(seed, "seed-002") == expected
    assert draft_002.lang == "zh-Hant" and draft_002.date_how == "scenario source seed-002"
    found = {cid: _matches(draft_002, seed, cid) for cid in sorted(expected)}
    assert {cid for cid, m in found.items() if len(m) == 1} == expected  # recall 3/3
    (closed,) = found["seed-all-four-closed"]
    assert (closed.test.airport, closed.test.require) == ("moscow", "each")
    for (claim,) in found.values():  # the Moscow day of 14 March 2026, as the seed writes it
        assert claim.window.start == dt.datetime(2026, 3, 14, tzinfo=dt.timezone(dt.timedelta(hours=3)))
        assert claim.window.end == dt.datetime(2026, 3, 15, tzinfo=dt.timezone(dt.timedelta(hours=3)))
        assert claim.source == "seed-002" and claim.status == "draft"


def test_seed_002_the_platform_notice_is_left_out(draft_002: Any, seeds_dir: Path) -> None:
    text = (seeds_dir / A002).read_text(encoding="utf-8")
    notice = draft_002.mapping["draft"]["boilerplate"][-1]
    assert text[notice[0] : notice[1]].startswith("Notice:")
    assert all(c["draft"]["span"][1] <= notice[0] for c in draft_002.mapping["claims"])


@pytest.mark.parametrize("name", [A000, A001, A002])
def test_no_sentence_of_a_seed_article_is_copied_into_its_draft(name: str, seeds_dir: Path) -> None:
    text = (seeds_dir / name).read_text(encoding="utf-8")
    res = draft_article(seeds_dir / name, date="2023-10-05" if name == A000 else None)
    longest = 40

    def strings(x: Any) -> list[str]:
        if isinstance(x, str):
            return [x]
        if isinstance(x, dict):
            return [s for v in x.values() for s in strings(v)]
        if isinstance(x, list):
            return [s for v in x for s in strings(v)]
        return []

    copied = [s for s in strings(res.mapping) if len(s) > longest and s in text]
    assert copied == []
