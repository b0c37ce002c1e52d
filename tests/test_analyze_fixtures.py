"""analyze on the simulated Azerbaijan–Ovda world (fixtures/ovda, SYNTHETIC), read once per session."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import flighttrace
from flighttrace.claims import VERDICTS
from flighttrace.claims import coverage as cv

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "fixtures" / "ovda" / "data"
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"
CHECKS = ROOT / "tests" / "data" / "ovda-checks.yaml"


@pytest.fixture(scope="module")
def world() -> dict[str, Any]:
    """One read and one leg detection for the whole module."""
    seed = flighttrace.load_scenario(SEED)
    ds = flighttrace.read(str(DATA))
    legs = flighttrace.detect_legs(ds.points, seed, geometry=False)
    cov = cv.coverage(ds, seed)
    # the positions are given, as ``flighttrace analyze`` gives them: the gates and the fleet's visibility are measured from them
    findings = flighttrace.evaluate(legs, seed, coverage=cov, points=ds.points, synthetic=ds.synthetic)
    return {"ds": ds, "legs": legs, "seed": seed, "cov": cov, "findings": findings}


@pytest.fixture(scope="module")
def checks(world: dict[str, Any]) -> Any:
    scn = flighttrace.load_scenario(CHECKS)
    return flighttrace.evaluate(world["legs"], scn, coverage=world["cov"], points=world["ds"].points)


def _row(findings: Any, claim_id: str) -> pd.Series:
    return findings.claims.set_index("claim_id").loc[claim_id]


def test_coverage_matches_the_worlds_truth(world: dict[str, Any]) -> None:
    cov = world["cov"]
    truth = pd.read_csv(ROOT / "fixtures" / "ovda" / "truth" / "coverage.csv")
    assert cov["date"].dt.strftime("%Y-%m-%d").tolist() == truth["date"].tolist()
    assert cov["covered"].tolist() == truth["has_data"].tolist()
    unc = cov[~cov["covered"]]
    june = unc[unc["date"].dt.strftime("%Y-%m") == "2019-06"]
    feb = unc[unc["date"].dt.strftime("%Y-%m") == "2022-02"]
    assert len(june) == 30 and set(june["reason"]) == {"no file spans it"}
    assert len(feb) == 11 and set(feb["reason"]) == {"no traffic in the region"}


def test_ap_claim_supported(world: dict[str, Any]) -> None:
    row = _row(world["findings"], "ap-2023-six-from-baku")
    assert row["verdict"] == "supported"
    assert row["n_observed"] + row["n_inferred"] >= 6
    ev = world["findings"].evidence
    ev = ev[(ev["claim_id"] == "ap-2023-six-from-baku") & ev["grade"].isin(["observed", "inferred"])]
    assert len(ev) >= 6 and set(ev["airport"]) == {"LLOV"}
    assert ev["detail"].str.startswith("UBBB→").all()
    assert ev["lineage"].str.contains("fixtures/ovda/data/").all()
    t = ev["time"]
    assert (t >= pd.Timestamp("2023-09-01", tz="UTC")).all() and (t < pd.Timestamp("2023-09-18", tz="UTC")).all()
    # said in plain words, with what the data could have seen beside it (here little: supported on what it shows)
    assert row["plain"] == "Seen: 6 landings at LLOV from UBBB (6 needed)."
    assert 0.0 <= row["p_detect"] < 0.95 and row["fleet_heard"] >= 5
    # an inferred end names the other field that was in reach, and why it lost
    inferred = ev[ev["grade"] == "inferred"]
    assert len(inferred) and inferred["detail"].str.contains("other field in reach: ").all()


def test_every_seed_claim_has_a_verdict_and_reason(world: dict[str, Any]) -> None:
    f = world["findings"]
    assert f.claims["claim_id"].tolist() == [c.id for c in world["seed"].claims]
    assert set(f.claims["verdict"]) <= set(VERDICTS)
    assert (f.claims["reason"].str.len() > 0).all()
    assert f.synthetic and f.tz == "UTC"


def test_deliberately_false_claims_contradicted(checks: Any) -> None:
    # contradicted on what the data shows: too many landings, stays too short, a departure elsewhere
    for cid in ("false-at-most-2-sep-2023", "false-ten-hours-on-ground", "false-only-to-ganja"):
        assert _row(checks, cid)["verdict"] == "contradicted", cid
    # "30 landings" is false in the world, but only absence could say so, and in this world nothing but the fleet itself is
    # ever heard low over Ovda, and the fleet falls silent for a week (4–11 September): the data could not have seen them
    thirty = _row(checks, "false-30-landings-sep-2023")
    assert thirty["verdict"] == "inconclusive" and thirty["p_detect"] < 0.95
    assert "nothing was heard over LLOV below 3,000 ft" in thirty["reason"] and "the fleet (silkway-il76) was not heard for" in thirty["reason"]
    assert thirty["plain"].startswith("Not seen, but the data could not have seen it:")
    assert _row(checks, "ap-2023-six-from-baku")["verdict"] == "supported"


def test_claims_in_the_data_gaps_are_inconclusive(checks: Any) -> None:
    june = _row(checks, "gap-june-2019")
    assert june["verdict"] == "inconclusive"
    assert "2019-06-05–2019-06-20 (16 days: no file spans it)" in june["reason"]
    assert june["days_uncovered"] == 16.0 and june["days_in_window"] == 16.0
    feb = _row(checks, "gap-feb-2022")
    assert feb["verdict"] == "inconclusive"
    assert "2022-02-12–2022-02-18 (7 days: no traffic in the region)" in feb["reason"]


def test_series_and_statistics_on_the_world(world: dict[str, Any]) -> None:
    f = world["findings"]
    month = f.series["month"].set_index(f.series["month"]["period_start"].dt.strftime("%Y-%m"))
    assert np.isnan(month.loc["2019-06", "sorties"])  # no file: missing, not zero
    assert month.loc["2022-02", "days_covered"] == 28 - 11
    assert month.loc["2023-09", "sorties"] >= 6
    stats = f.statistics.set_index("test")
    perm = stats.loc["permutation_before_start"]
    perm = perm.iloc[0] if isinstance(perm, pd.DataFrame) else perm
    assert perm["n_shifts"] == int(f.coverage["covered"].sum())  # exhaustive over the covered days
    assert 0 < perm["p_value"] <= 1
    scen = f.statistics[(f.statistics["test"] == "rate_ratio") & (f.statistics["claim_id"] == "")].iloc[0]
    assert scen["ci_low"] <= scen["ratio"] <= scen["ci_high"]
    assert {"april-war-2016", "war-2020"} <= set(f.events["event_id"])


def test_cli_prints_verdicts_and_writes_tables(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from flighttrace.cli import _load, app

    _load()
    # reuse the module's read and legs (one read per session); the command still runs every stage
    monkeypatch.setattr(flighttrace, "read", lambda *a, **k: world["ds"])
    monkeypatch.setattr(flighttrace, "detect_legs", lambda *a, **k: world["legs"])
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["analyze", str(SEED), "--data", str(DATA), "--out", str(out), "--no-progress"])
    assert res.exit_code == 0, res.output
    assert res.output.startswith("SYNTHETIC DATA")
    for claim in world["seed"].claims:
        assert claim.id[:20] in res.output
    claims = pd.read_csv(out / "claims.csv")
    assert claims["verdict"].tolist() == world["findings"].claims["verdict"].tolist()
    for name in ("claims", "evidence", "series_day", "series_week", "series_month", "rolling", "events", "event_study", "intervals", "ground_times", "statistics", "coverage"):
        assert (out / f"{name}.csv").exists() and (out / f"{name}.parquet").exists(), name


def test_cli_rejects_unknown_report_zone(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    from flighttrace.cli import _load, app

    _load()
    monkeypatch.setattr(flighttrace, "read", lambda *a, **k: world["ds"])
    res = CliRunner().invoke(app, ["analyze", str(SEED), "--data", str(DATA), "--report-tz", "Mars/Olympus"])
    assert res.exit_code == 2
    assert "unknown time zone" in res.output


def test_cli_bins_in_the_scenarios_zone_like_the_report(world: dict[str, Any], monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without --report-tz, analyze bins days in the scenario's meta.report_tz, as `report` does; the option overrides it."""
    from flighttrace.cli import _load, app

    _load()
    monkeypatch.setattr(flighttrace, "read", lambda *a, **k: world["ds"])
    monkeypatch.setattr(flighttrace, "detect_legs", lambda *a, **k: world["legs"])
    assert world["seed"].meta.report_tz == "Asia/Baku"
    zones = {}
    for label, extra in (("default", []), ("utc", ["--report-tz", "UTC"])):
        out = tmp_path / label
        res = CliRunner().invoke(app, ["analyze", str(SEED), "--data", str(DATA), "--out", str(out), "--no-progress", *extra])
        assert res.exit_code == 0, res.output
        zones[label] = set(pd.read_csv(out / "coverage.csv")["tz"])
        assert f"coverage ({'Asia/Baku' if label == 'default' else 'UTC'} days)" in res.output
    assert zones == {"default": {"Asia/Baku"}, "utc": {"UTC"}}
