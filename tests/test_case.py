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
    assert "1 claims (1 supported, 0 contradicted, 0 inconclusive)" in repr(case)


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


def test_a_disruption_case_reaches_its_own_tables() -> None:
    case = flighttrace.Case(MOSCOW, ROOT / "fixtures" / "moscow" / "data")
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
    assert page.index("1 claims:") < page.index("ap-2023-six-from-baku") < page.index("Inputs: 1 file(s)")
    assert "SYNTHETIC" not in page  # a file written by a test is no simulated world
    claim_page = case.claim("ap-2023-six-from-baku")._repr_html_()
    assert "Seen: 1 landing" in claim_page and "Evidence</b> (1 item(s)" in claim_page


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
