"""Adversarial worlds (flighttrace.sim.adversarial, SYNTHETIC): no verdict may claim more than the data can know.

Each world is built small in a temporary folder, read, cut into legs and judged like any input. Its
``truth/claims.csv`` says, for each claim, whether it is true in the world and whether the data, as
written, can show it. The rules every verdict must keep:

- never ``contradicted`` where the data could not know;
- never ``contradicted`` where the claim is true;
- never ``supported`` where the claim is false.

Before issue 15 (commit d699bf5) twelve verdicts in these worlds broke them, and none does after it: the
table of every verdict before and after is in docs/verdicts.md, section 9 ("Adversarial worlds: before and
after"). Each world below also checks what the verdict says it was missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest

import flighttrace
from flighttrace.sim.adversarial import (
    build_short_closure,
    build_sorties_adversary,
    missing_hour_world,
)

ROOT = Path(__file__).resolve().parents[1]
OPENINGS = ("Seen: ", "Seen otherwise: ", "Not seen, and we would have seen it", "Not seen, but the data could not have seen it: ", "Not decided: ")


def judge(world: dict[str, Any]) -> tuple[Any, pd.DataFrame]:
    """Read a world's data, detect legs, evaluate its scenario; return the findings and its truth."""
    scn = flighttrace.load_scenario(world["scenario"])
    ds = flighttrace.read(str(world["data"]))
    legs = flighttrace.detect_legs(ds.points, scn)
    return flighttrace.evaluate(legs, scn, coverage=ds), pd.read_csv(world["truth"]).set_index("claim_id")


def assert_within_what_the_data_can_know(f: Any, truth: pd.DataFrame) -> dict[str, Any]:
    """The three rules, and plain words for every verdict; returns the claims by id."""
    c = f.claims.set_index("claim_id")
    assert f.synthetic  # every world says it is synthetic (synthetic.json lists its files)
    assert set(c.index) == set(truth.index)
    for cid, row in c.iterrows():
        t = truth.loc[cid]
        if not t["knowable"]:
            assert row["verdict"] != "contradicted", (cid, row["reason"])
        if t["true"]:
            assert row["verdict"] != "contradicted", (cid, row["reason"])
        else:
            assert row["verdict"] != "supported", (cid, row["reason"])
        assert row["plain"].startswith(OPENINGS), (cid, row["plain"])
    return c


def test_transponders_off_for_five_days(tmp_path: Path) -> None:
    f, truth = judge(build_sorties_adversary("dark", tmp_path / "dark"))
    c = assert_within_what_the_data_can_know(f, truth)
    # days 5-9: the fleet flew every day unheard; nothing can be concluded from its absence, either way
    five = c.loc["dark-5-in-days-5-9"]
    assert five["verdict"] == "inconclusive" and five["p_detect"] == 0.0
    assert "the fleet (fleet) was not heard for 120 of 120 hours" in five["reason"]
    assert c.loc["dark-at-most-1-in-days-5-9", "verdict"] == "inconclusive"  # before: supported (0 ≤ 1)
    # heard before and after the window, never inside it
    fv = f.visibility["fleet_visibility"]
    rows = fv[fv["claim_id"] == "dark-5-in-days-5-9"]
    assert len(rows) == 2 and not rows["heard_in_window"].any() and rows["heard_before"].all() and rows["heard_after"].all()
    assert (rows["how"] == "ADS-B").all()
    # where the fleet was heard, what it did is still seen
    assert c.loc["dark-4-in-days-1-4", "verdict"] == "supported"


def test_no_receiver_near_the_far_field(tmp_path: Path) -> None:
    f, truth = judge(build_sorties_adversary("no_far_receiver", tmp_path / "far"))
    c = assert_within_what_the_data_can_know(f, truth)
    nine = c.loc["far-9-landings"]
    assert nine["verdict"] == "inconclusive" and nine["p_detect"] == 0.0  # before: contradicted
    assert "nothing was heard over LLOV below 3,000 ft (within 20 km) in 144 of 144 hours" in nine["reason"]
    assert nine["plain"].startswith("Not seen, but the data could not have seen it:")
    gates = f.visibility["gates"]
    assert not (gates["gate"] == "LLOV").any() and (gates["gate"] == "UBBB").any()


def test_a_fleet_seen_only_by_mlat(tmp_path: Path) -> None:
    f, truth = judge(build_sorties_adversary("mlat_fleet", tmp_path / "mlat"))
    c = assert_within_what_the_data_can_know(f, truth)
    fv = f.visibility["fleet_visibility"]
    assert set(fv["how"]) == {"MLAT only"}
    six = c.loc["mlat-6-landings"]
    assert "located only by MLAT" in six["detect_note"] and six["p_detect"] == 0.0
    # the low airspace at Ovda is heard, by ADS-B, from the local traffic; never by MLAT
    gates = f.visibility["gates"]
    ovda = gates[gates["gate"] == "LLOV"]
    assert len(ovda) and set(ovda["positions"]) == {"adsb"}


def test_a_decoy_and_a_replayed_track(tmp_path: Path) -> None:
    f, truth = judge(build_sorties_adversary("decoy", tmp_path / "decoy"))
    c = assert_within_what_the_data_can_know(f, truth)
    look = f.kind("sorties").lookalikes
    decoy = look[(look["icao24"] == "600871") & (look["fleet"] == "fleet")].iloc[0]
    assert "callsign prefix AZQ" in decoy["why"] and "address in the fleet's national block (Azerbaijan)" in decoy["why"]
    six = c.loc["decoy-6-fleet-landings"]
    # the data could see every landing (local traffic heard at Ovda all day, the fleet heard daily): a contradiction
    assert six["verdict"] == "contradicted" and six["p_detect"] >= 0.95
    assert "not counted: 4 landing(s) at LLOV in the window by aircraft that resemble the fleet" in six["reason"] and "600871" in six["reason"]
    rep = f.kind("sorties").replays
    pair = rep[rep["icao24"] == "600872"].iloc[0]
    assert pair["other_icao24"] == "600864" and abs(pair["offset_s"] + 2 * 86400) < 60
    ev = f.evidence[f.evidence["claim_id"] == "decoy-4-fleet-landings"]
    assert ev["detail"].str.contains("other field in reach").any()


def test_a_feed_whose_clock_is_three_days_late(tmp_path: Path) -> None:
    f, truth = judge(build_sorties_adversary("clock", tmp_path / "clock"))
    c = assert_within_what_the_data_can_know(f, truth)
    rep = f.kind("sorties").replays
    fleet_pairs = rep[rep["icao24"].isin(["600864", "600865"])]
    assert len(fleet_pairs) and (fleet_pairs["offset_s"].abs().sub(3 * 86400).abs() < 120).all()
    assert "replays another at a shifted time" in c.loc["clock-6-in-days-1-8", "reason"]  # before: supported with 8
    assert c.loc["clock-at-most-4-in-days-1-9", "verdict"] == "inconclusive"  # before: contradicted with 8


def test_a_real_closure_shorter_than_what_can_be_detected(tmp_path: Path) -> None:
    f, truth = judge(build_short_closure(tmp_path / "short"))
    c = assert_within_what_the_data_can_know(f, truth)
    zia = c.loc["zia-closed-30min"]
    assert zia["verdict"] == "inconclusive" and zia["p_detect"] == 0.0  # before: contradicted
    assert "a closure of 30 min could have gone unseen" in zia["reason"]
    # by hand: Zhukovsky's baseline day (the Saturday before) and T = max(4, ln(N / 0.05)) expected movements
    mov = f.disruption.movements
    n = int(((mov["airport"] == "UUBW") & (mov["time"] < pd.Timestamp("2026-03-13T21:00Z"))).sum())
    import math

    assert f"the {math.log(n / 0.05):.1f} movements a closure needs" in zia["reason"]
    # Sheremetyevo in its busy hours: a 3-h stop would have been seen, and there was none
    svo = c.loc["svo-closed-3h-daytime"]
    assert svo["verdict"] == "contradicted" and svo["p_detect"] >= 0.95
    assert svo["plain"].startswith("Not seen, and we would have seen it (probability")


def test_the_missing_archive_hour_of_the_moscow_world(tmp_path: Path) -> None:
    f, truth = judge(missing_hour_world(ROOT / "fixtures" / "moscow", tmp_path / "missing"))
    c = assert_within_what_the_data_can_know(f, truth)
    hour = c.loc["hold-svo-in-the-missing-hour"]
    assert hour["verdict"] == "inconclusive" and hour["p_detect"] == 0.0  # before: contradicted
    assert "no data at all in 1 of 1 hours" in hour["reason"]
    assert c.loc["hold-svo-28-february", "verdict"] == "inconclusive"  # before: contradicted
    # a real stop: with four Vnukovo rotations of the morning not flown, no take-off or landing from 08:29 to 10:45 UTC
    # (2 h 16 min, from the world's truth); the missing hour lies inside every 2-h span of the 08:00-11:00 window, so the
    # data can neither show the stop nor rule it out: never contradicted (the truth is asserted true, not only read)
    stop = c.loc["vko-stopped-2h-across-the-missing-hour"]
    assert truth.loc["vko-stopped-2h-across-the-missing-hour", "true"] and "from 08:29 to 10:45 UTC" in truth.loc["vko-stopped-2h-across-the-missing-hour", "why"]
    assert stop["verdict"] == "inconclusive" and stop["p_detect"] == 0.0
    assert "UUWW: no closure in the data" in stop["reason"] and "1 of 3 hours of the window have no data, which could hide one" in stop["reason"]
    assert stop["plain"].startswith("Not seen, but the data could not have seen it:")
    # the rotations are gone from the data, not only from the truth: no movement at Vnukovo in the data between them
    mov = f.disruption.movements
    vko = mov[(mov["airport"] == "UUWW") & (mov["time"] > pd.Timestamp("2026-02-28T08:30Z")) & (mov["time"] < pd.Timestamp("2026-02-28T10:45Z"))]
    assert len(vko) == 0


def test_a_world_is_never_written_over_a_folder_of_other_files(tmp_path: Path) -> None:
    from flighttrace.outdir import OutputFolderError
    from flighttrace.sim.adversarial import _fresh

    notes = tmp_path / "case"
    notes.mkdir()
    (notes / "notes.txt").write_text("a reporter's notes")
    with pytest.raises(OutputFolderError, match="did not write"):
        _fresh(notes)
    assert (notes / "notes.txt").read_text() == "a reporter's notes"
    # a world written before (every file listed in its synthetic.json) is replaced
    world = tmp_path / "world"
    (world / "data").mkdir(parents=True)
    (world / "data" / "a.csv").write_text("x")
    (world / "synthetic.json").write_text('{"synthetic": true, "files": {"data/a.csv": "0"}}')
    assert _fresh(world) == world and list(world.iterdir()) == []
    # the same world with one more file is refused
    (world / "data").mkdir()
    (world / "data" / "a.csv").write_text("x")
    (world / "synthetic.json").write_text('{"synthetic": true, "files": {"data/a.csv": "0"}}')
    (world / "mine.txt").write_text("added by hand")
    with pytest.raises(OutputFolderError):
        _fresh(world)
    assert (world / "mine.txt").exists()
