"""The pre-registration stamp: made before any data file is opened, recorded in provenance.json, shown in the report;
and a change of the windows is reported as a deviation."""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

import flighttrace
from flighttrace.claims import prereg
from flighttrace.scenario import parse_scenario
from tests.test_claims import BASE, claim

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"


def test_stamp_holds_the_hash_the_time_and_every_window(tmp_path: Path) -> None:
    path = tmp_path / "scn.yaml"
    path.write_bytes(SEED.read_bytes())
    scn = flighttrace.load_scenario(path)
    s = prereg.preregister(path, scn, clock=lambda: "2026-03-01T12:00:00Z")
    assert s.sha256 == hashlib.sha256(SEED.read_bytes()).hexdigest() and s.time_utc == "2026-03-01T12:00:00Z"
    assert (s.lead, s.lag) == ("30d", "15d")  # the seed's two rate-ratio claims both use 30 d / 15 d
    w = {x["claim_id"]: x for x in s.windows}
    assert len(w) == len(scn.claims)
    assert w["haaretz-2023-pace-in-fighting"]["lead"] == "30d" and w["haaretz-2023-pace-in-fighting"]["lag"] == "15d"
    assert "lead" not in w["ap-2023-six-from-baku"]
    assert prereg.Preregistration.from_dict(json.loads(json.dumps(s.to_dict()))) == s


def test_scenario_lead_lag_and_deviations() -> None:
    bare = parse_scenario(dict(copy.deepcopy(BASE), claims=[claim("c", {"kind": "count_at_least", "value": 1})]))
    assert prereg.scenario_lead_lag(bare) == (pd.Timedelta(0), pd.Timedelta(0))  # no rate ratio: no widening
    rr = {"kind": "rate_ratio", "events": ["ev"], "lead": "10d", "lag": "5d"}
    scn = parse_scenario(dict(copy.deepcopy(BASE), claims=[claim("a", rr), claim("b", rr), claim("c", dict(rr, lead="1d"))]))
    assert prereg.scenario_lead_lag(scn) == (pd.Timedelta(days=10), pd.Timedelta(days=5))  # the most common pair
    assert prereg.resolve_lead_lag(scn, None, None) == (pd.Timedelta(days=10), pd.Timedelta(days=5), "")
    lead, lag, dev = prereg.resolve_lead_lag(scn, "30d", None)
    assert (lead, lag) == (pd.Timedelta(days=30), pd.Timedelta(days=5))
    assert dev == "the analysis deviated from the pre-registered windows: event windows widened by lead 30d / lag 5d, where the scenario fixes lead 10d / lag 5d"


def test_the_report_stamps_the_scenario_before_opening_any_data_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flighttrace.report import build_report

    order: list[str] = []

    class Stop(Exception):
        pass

    def clock() -> str:
        order.append("stamp")
        return "2026-03-01T12:00:00Z"

    def read(*args, **kwargs):  # type: ignore[no-untyped-def]
        order.append("open data")
        raise Stop

    monkeypatch.setattr(prereg, "utc_now", clock)
    monkeypatch.setattr(flighttrace, "read", read)
    with pytest.raises(Stop):
        build_report(SEED, [ROOT / "fixtures" / "ovda" / "data"], tmp_path / "rep", maps_dir=None)
    assert order == ["stamp", "open data"]


def test_the_stamp_is_in_provenance_and_at_the_top_of_the_page(ovda_report) -> None:  # type: ignore[no-untyped-def]
    doc = json.loads((ovda_report.out_dir / "provenance.json").read_text(encoding="utf-8"))
    stamp = doc["preregistration"]
    assert stamp["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest() == doc["scenario"]["sha256"]
    assert pd.Timestamp(stamp["time_utc"]).tzinfo is not None and stamp["deviations"] == []
    html = (ovda_report.out_dir / "index.html").read_text(encoding="utf-8")
    top = html[: html.index('id="claims"')]
    assert stamp["sha256"] in top and stamp["time_utc"] in top and "before any data file was opened" in top
    assert "The analysis kept to these windows." in top


def test_a_stamp_of_another_scenario_is_refused(tmp_path: Path) -> None:
    from flighttrace.report.panels import stamp

    scn = flighttrace.load_scenario(SEED)
    other = prereg.Preregistration("x.yaml", "0" * 64, "2026-03-01T12:00:00Z", "30d", "15d")
    with pytest.raises(ValueError, match="another scenario file"):
        stamp(SEED, scn, other.to_dict())


def test_analyze_says_when_the_windows_deviate(tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    data = ROOT / "fixtures" / "ovda" / "data" / "fr24"
    runner = CliRunner()
    kept = runner.invoke(app, ["analyze", str(SEED), "--data", str(data), "--no-progress", "--out", str(tmp_path / "a")])
    assert kept.exit_code == 0, kept.output
    assert "The analysis kept to these windows." in " ".join(kept.output.split())
    moved = runner.invoke(app, ["analyze", str(SEED), "--data", str(data), "--no-progress", "--lead", "10d"])
    text = " ".join(moved.output.split())
    assert moved.exit_code == 0 and "The analysis deviated from the pre-registered windows: event windows widened by lead 10d / lag 15d" in text
    saved = json.loads((tmp_path / "a" / "preregistration.json").read_text(encoding="utf-8"))
    assert saved["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest() and saved["deviations"] == []
