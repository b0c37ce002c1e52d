"""flighttrace.Case: nothing read until asked, each stage once, kind tables as attributes, one claim down to its rows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

import flighttrace
from flighttrace.claims import VerdictRules
from flighttrace.sim.writers import write_trace
from flighttrace.tracks.params import LegParams
from tests.flights import LLOV, UBBB, flight, join

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
MOSCOW = ROOT / "seeds" / "moscow-2026-03-14.yaml"


def _counting(monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    """Count the calls of read, detect_legs and evaluate made by Case."""
    calls = {"read": 0, "detect_legs": 0, "evaluate": 0}
    import flighttrace.claims as claims_pkg

    real_read, real_legs, real_eval = flighttrace.read, flighttrace.detect_legs, claims_pkg.evaluate

    def read(*a: Any, **k: Any) -> Any:
        calls["read"] += 1
        return real_read(*a, **k)

    def legs(*a: Any, **k: Any) -> Any:
        calls["detect_legs"] += 1
        return real_legs(*a, **k)

    def ev(*a: Any, **k: Any) -> Any:
        calls["evaluate"] += 1
        return real_eval(*a, **k)

    monkeypatch.setattr(flighttrace, "read", read)
    monkeypatch.setattr(flighttrace, "detect_legs", legs)
    monkeypatch.setattr(claims_pkg, "evaluate", ev)
    return calls


def _tiny(tmp_path: Path, title: str = "A tiny case") -> tuple[Path, Path]:
    """A scenario of one claim (one landing at Ovda from Baku on 5 Sep 2023) and one trace that shows it."""
    raw = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    raw["meta"]["title"] = title
    raw["claims"] = [c for c in raw["claims"] if c["id"] == "ap-2023-six-from-baku"]
    raw["claims"][0]["test"] = {"kind": "count_at_least", "value": 1}
    raw["claims"][0]["window"] = {"start": "2023-09-05", "end": "2023-09-06"}
    scn = tmp_path / "scn.yaml"
    scn.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "data"
    write_trace(join(flight(UBBB, LLOV, "2023-09-05T06:00Z")), data / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76")
    return scn, data


def test_nothing_is_read_until_asked_and_each_stage_runs_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(scn, data)
    assert calls == {"read": 0, "detect_legs": 0, "evaluate": 0}
    assert "not tested yet" in repr(case)
    assert len(case.points) > 0 and calls["read"] == 1 and calls["detect_legs"] == 0
    v = case.claims.loc["ap-2023-six-from-baku", "verdict"]
    assert v == "supported"
    case.findings, case.legs, case.claims, case.coverage  # noqa: B018 - asked again: computed already
    assert calls == {"read": 1, "detect_legs": 1, "evaluate": 1}
    assert "1 claim (1 supported, 0 contradicted, 0 inconclusive)" in repr(case)


def test_with_params_keeps_the_read_and_with_data_keeps_the_scenario(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = _counting(monkeypatch)
    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(scn, data)
    case.findings  # noqa: B018
    stricter = case.with_params(rules=VerdictRules(detect_threshold=0.99))
    stricter.findings  # noqa: B018
    assert calls == {"read": 1, "detect_legs": 1, "evaluate": 2}  # new rules: the legs are kept, the claims tested again
    other_legs = case.with_params(legs=LegParams(stop_min_s=900.0))
    other_legs.findings  # noqa: B018
    assert calls == {"read": 1, "detect_legs": 2, "evaluate": 3}  # new leg thresholds: legs again, read kept
    empty = tmp_path / "empty"
    empty.mkdir()
    moved = case.with_data(empty)
    assert moved.scenario is case.scenario and len(moved.points) == 0 and calls["read"] == 2
    assert case.findings is not stricter.findings and len(case.points) > 0  # the original case is unchanged


def test_one_claim_from_verdict_to_the_raw_rows(tmp_path: Path) -> None:
    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(scn, data)
    c = case.claim("ap-2023-six-from-baku")
    assert c.verdict == "supported" and c.plain.startswith("Seen: 1 landing")
    assert set(c.detection) >= {"p_detect", "fleet_heard", "detect_note"}
    assert list(c.evidence["kind"]) == ["leg"] and len(c.legs) == 1
    leg = c.legs.iloc[0]
    assert (leg["origin"], leg["destination"]) == ("UBBB", "LLOV")
    rows = c.rows
    # the rows are the leg's positions, each from the one trace file with its SHA-256
    assert len(rows) == leg["point_end"] - leg["point_start"]
    sha = case.manifest.set_index("path")["sha256"]
    assert set(rows["src_file"]) == set(sha.index) and (rows["sha256"] == rows["src_file"].map(sha)).all()
    with pytest.raises(KeyError, match="no claim 'nope'"):
        case.claim("nope")


def test_the_kinds_tables_are_attributes_and_the_other_kinds_are_not(tmp_path: Path) -> None:
    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(scn, data)
    assert case.kind == "sorties"
    # one flight Baku → Ovda: one sortie to the far field, its way back unseen
    s = case.sorties
    assert isinstance(s, pd.DataFrame) and len(s) == 1 and s.iloc[0]["far"] == "LLOV" and pd.isna(s.iloc[0]["back"])
    assert set(case.series) == {"day", "week", "month"}
    with pytest.raises(AttributeError, match="a sorties case has no 'closures'"):
        case.closures  # noqa: B018
    assert "sorties" in dir(case)


@pytest.fixture(scope="module")
def moscow() -> flighttrace.Case:
    """The Moscow disruption fixture (a simulated world), read and judged once for the module."""
    return flighttrace.Case(MOSCOW, ROOT / "fixtures" / "moscow" / "data")


def test_a_disruption_case_reaches_its_own_tables(moscow: flighttrace.Case) -> None:
    case = moscow
    assert case.kind == "disruption"
    assert len(case.closures) and len(case.diversions) and len(case.holdings)
    assert {"closures", "diversions", "holdings"} <= set(dir(case))  # listed once the claims were tested
    with pytest.raises(AttributeError, match="a disruption case has no 'sorties'"):
        case.sorties  # noqa: B018
    assert set(case.claims["verdict"]) <= {"supported", "contradicted", "inconclusive"}


def test_the_notebook_display_is_the_finding_first_and_escaped(tmp_path: Path) -> None:
    scn, data = _tiny(tmp_path, title="<script>alert(1)</script> & {{ 7*7 }}")
    case = flighttrace.Case(scn, data)
    page = case._repr_html_()
    assert "<script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; {{ 7*7 }}" in page
    assert page.index("1 claim:") < page.index("ap-2023-six-from-baku") < page.index("Inputs: 1 file (0 unreadable)")
    assert "SYNTHETIC" not in page  # a file written by a test is no simulated world
    claim_page = case.claim("ap-2023-six-from-baku")._repr_html_()
    assert "Seen: 1 landing" in claim_page and "Evidence</b> (1 item;" in claim_page


def test_a_case_from_a_dataset_cannot_write_a_report(tmp_path: Path) -> None:
    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(flighttrace.load_scenario(scn), flighttrace.read(data))
    assert case.claims.loc["ap-2023-six-from-baku", "verdict"] == "supported"
    with pytest.raises(ValueError, match="records the files it was made from"):
        case.report(tmp_path / "out")


def test_the_map_and_charts_come_from_the_kind_and_the_map_is_offline(tmp_path: Path) -> None:
    import re

    scn, data = _tiny(tmp_path)
    case = flighttrace.Case(scn, data)
    page = case.map()._repr_html_()
    inner = page.split('srcdoc="', 1)[1] if 'srcdoc="' in page else page
    assert "leaflet" in inner.lower()
    # nothing fetched from the network: no script, image or stylesheet from an address (a link for the reader is no request)
    assert not re.search(r"src=(&quot;|\")https?://", inner) and not re.search(r"&lt;link[^&]*href=&quot;https?://", inner)
    figures = case.charts()
    assert len(figures) == 4 and all(hasattr(f, "savefig") for f in figures)  # sorties per week, event study, ground times, coverage
    online = case.map(tiles="OpenStreetMap")._repr_html_()
    assert "tile.openstreetmap.org" in online


# -- a report with the case's thresholds, its bundle, and verify ---------------------------


def _stays(tmp_path: Path, days: tuple[str, ...] = ("2023-09-05",), *, window: tuple[str, str] = ("2023-09-05", "2023-09-06")) -> tuple[Path, Path]:
    """The ground-time claim (median stay at Ovda in 90 min–8 h) and one sortie Baku → Ovda → Baku a day: out at 06:00, back at 14:00 UTC."""
    raw = yaml.safe_load(SEED.read_text(encoding="utf-8"))
    claims = {c["id"]: c for c in raw["claims"] if c["id"] in ("ap-2023-hours-on-ground", "ap-2023-six-from-baku")}
    claims["ap-2023-hours-on-ground"]["window"] = {"start": window[0], "end": window[1]}
    claims["ap-2023-six-from-baku"]["window"] = {"start": days[-1], "end": str((pd.Timestamp(days[-1]) + pd.Timedelta(days=1)).date())}
    claims["ap-2023-six-from-baku"]["test"] = {"kind": "count_at_least", "value": 1}
    raw["claims"] = list(claims.values())
    scn = tmp_path / "scn.yaml"
    scn.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    data = tmp_path / "data"
    for k, day in enumerate(days):
        write_trace(join(flight(UBBB, LLOV, f"{day}T06:00Z"), flight(LLOV, UBBB, f"{day}T14:00Z")), data / f"trace_full_60086{k}.json",
                    registration="4K-AZ100", typecode="IL76")
    return scn, data


@pytest.fixture(scope="module")
def strict_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[flighttrace.Case, flighttrace.Case, Path]:
    """One stay at Ovda: too few for a median by default (3 stays), enough with min_stays=1; the report of the second case."""
    tmp = tmp_path_factory.mktemp("strict")
    scn, data = _stays(tmp)
    default = flighttrace.Case(scn, data)
    strict = default.with_params(rules=VerdictRules(min_stays=1))
    strict.report(tmp / "report")
    return default, strict, tmp / "report"


def test_a_report_has_the_cases_verdicts_records_its_thresholds_and_verifies(strict_report: Any) -> None:
    import json

    default, strict, out = strict_report
    cid = "ap-2023-hours-on-ground"
    # one exact stay (about 4 h 47 min between landing and take-off): a median needs 3 by default, 1 here
    assert default.claims.loc[cid, "verdict"] == "inconclusive" and strict.claims.loc[cid, "verdict"] == "supported"
    written = pd.read_csv(out / "tables" / "claims.csv").set_index("claim_id")
    assert written.loc[cid, "verdict"] == "supported"
    assert (written["verdict"] == strict.claims["verdict"]).all()
    prov = json.loads((out / "provenance.json").read_text(encoding="utf-8"))
    assert prov["arguments"]["settings"] == {"rules": {"min_stays": 1}}
    assert "rules.min_stays = 1 (default 3)" in (out / "index.html").read_text(encoding="utf-8")  # said in the Method section
    assert strict.verify(out) == []


def test_verify_rebuilds_with_the_recorded_thresholds(strict_report: Any, tmp_path: Path) -> None:
    import json
    import shutil

    _default, strict, out = strict_report
    copy = tmp_path / "report"
    shutil.copytree(out, copy)
    prov = json.loads((copy / "provenance.json").read_text(encoding="utf-8"))
    del prov["arguments"]["settings"]  # as if the report had not said which thresholds it used
    (copy / "provenance.json").write_text(json.dumps(prov), encoding="utf-8")
    problems = strict.verify(copy)
    assert "output differs on rebuild: tables/claims.csv" in problems  # rebuilt with the defaults: the verdict is another


def test_the_bundle_holds_the_report_and_its_inputs_and_verifies(strict_report: Any, tmp_path: Path) -> None:
    import zipfile

    _default, strict, out = strict_report
    res = strict.bundle(out, tmp_path / "case.zip")
    assert res.path == tmp_path / "case.zip"
    names = zipfile.ZipFile(res.path).namelist()
    assert "report-bundle/report/provenance.json" in names and "report-bundle/report/tables/claims.csv" in names
    assert any(n.endswith("/scn.yaml") for n in names) and any(n.endswith("/trace_full_600860.json") for n in names)
    assert strict.verify(res.path) == []  # the zip is unpacked, checked, and rebuilt with the recorded thresholds


def test_a_report_refuses_thresholds_it_could_not_record(tmp_path: Path) -> None:
    scn, data = _stays(tmp_path)
    odd = flighttrace.Case(scn, data).with_params(rules=VerdictRules(lead=object()))
    with pytest.raises(ValueError, match=r"rules\.lead = .* cannot be recorded in provenance\.json"):
        odd.report(tmp_path / "out")
    assert not (tmp_path / "out").exists()


# -- one claim: its own tables and map ----------------------------------------------------


def _offline(page: str) -> bool:
    import re

    inner = page.split('srcdoc="', 1)[1] if 'srcdoc="' in page else page
    return not re.search(r"src=(&quot;|\")https?://", inner) and not re.search(r"&lt;link[^&]*href=&quot;https?://", inner)


def test_a_claims_sorties_and_map_are_its_own(tmp_path: Path) -> None:
    scn, data = _stays(tmp_path, ("2023-09-05", "2023-09-10"))
    case = flighttrace.Case(scn, data)
    first = ["600864-20230905T060000Z", "600864-20230905T140000Z"]  # the 5 Sep sortie (flight() flies aircraft 600864)
    second = ["600864-20230910T060000Z", "600864-20230910T140000Z"]
    assert sorted(case.legs["leg_id"]) == first + second
    stays = case.claim("ap-2023-hours-on-ground")  # window 5–6 Sep: the first sortie
    assert stays.sorties[["in_leg", "out_leg"]].values.tolist() == [first]
    assert set(stays.tables()) == {"sorties"} and stays.leg_ids == first
    page = stays.map()._repr_html_()
    assert all(x in page for x in first) and not any(x in page for x in second) and _offline(page)
    landing = case.claim("ap-2023-six-from-baku")  # window 10–11 Sep, landings from Baku: one leg, in the second sortie
    assert landing.leg_ids == second[:1] and landing.sorties[["in_leg", "out_leg"]].values.tolist() == [second]
    page = landing.map()._repr_html_()
    assert second[0] in page and not any(x in page for x in first + second[1:]) and _offline(page)
    with pytest.raises(AttributeError, match="a sorties claim has no 'closures'; its kind's tables: sorties"):
        landing.closures  # noqa: B018


def test_a_disruption_claim_has_its_measures_and_its_map(moscow: flighttrace.Case) -> None:
    view = moscow.claim("seed-flights-diverted")
    diverted = set(view.evidence.loc[view.evidence["kind"] == "diversion", "item_id"])
    assert len(diverted) and set(view.diversions["leg_id"]) == diverted  # a diversion's item is its leg
    assert len(view.closures) == 0 and len(view.holdings) == 0
    held = set(moscow.holdings["leg_id"].astype(str)) - diverted
    page = view.map()._repr_html_()
    assert all(x in page for x in diverted) and held and not any(x in page for x in held) and _offline(page)
    closed = moscow.claim("vko-restricted-14mar")
    assert set(closed.closures["airport"]) == {"UUWW"} and len(closed.closures) == len(closed.evidence)


# -- the read's leftovers, the warnings, the disruption charts ----------------------------


def test_the_quarantine_and_the_coverage_gaps_are_shown(tmp_path: Path) -> None:
    scn, data = _stays(tmp_path, ("2023-09-05", "2023-09-10"))
    (data / "empty.json").write_text("", encoding="utf-8")
    case = flighttrace.Case(scn, data)
    q = case.quarantine
    assert len(q) == 1 and Path(q.iloc[0]["src_file"]).name == "empty.json" and q.iloc[0]["reason"] == "the file is empty"
    page = case._repr_html_()
    assert "Inputs: 3 files (1 unreadable)" in page and "0 records quarantined" in page  # the empty file is an error, not a record
    # files on 5 and 10 Sep (Baku time): the 6 days from the first to the last, 4 of them with no file
    assert "4 of 6 days (Asia/Baku) have no usable data" in page
    assert "SYNTHETIC" not in page


def test_a_simulated_world_says_so_and_the_disruption_charts_are_drawn(moscow: flighttrace.Case) -> None:
    page = moscow._repr_html_()
    assert "SYNTHETIC DATA: the inputs came from flighttrace&#x27;s simulator" in page and "SYNTHETIC DATA" in repr(moscow)
    figures = moscow.charts()  # movements per hour against the baseline, and the coverage calendar
    assert len(figures) == 2 and all(f.axes for f in figures)
