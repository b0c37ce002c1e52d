"""Shortcuts of the claims stage give what the long way gives: the fleet's rows tested per run of one identity, the
replayed-track search reading only its candidates' positions.

Tiny hand-built tables; every expected row is worked out in the comments.
"""

from __future__ import annotations

import copy

import numpy as np
import pandas as pd

from flighttrace.claims.fleetmask import MIN_ROWS, run_fleet_mask
from flighttrace.kinds.sorties.identity import _Tracks
from flighttrace.scenario import parse_scenario
from tests.test_claims import BASE

T0 = pd.Timestamp("2023-01-05T00:00:00Z")


def _scenario() -> object:
    raw = copy.deepcopy(BASE)
    # "fleet" lists two addresses; "azq" picks any aircraft whose callsign starts with AZQ
    raw["fleet"]["selectors"].append({"id": "azq", "callsign_prefixes": ["AZQ"]})
    raw["claims"] = []
    return parse_scenario(raw)


def _long_points(categorical: bool) -> tuple[pd.DataFrame, dict[str | None, np.ndarray]]:
    """Four aircraft one after another, 3,000 positions each (12,000 rows, above MIN_ROWS), and the rows each selector
    must pick.

    - 600864 (listed in "fleet"), callsign AZQ1 throughout;
    - 4b8100 (the distractor), callsign AZQ7 for its first 1,000 rows, then XYZ2, then none for its last 1,000;
    - 600865 (listed in "fleet"), no callsign;
    - abcdef, callsign AZQ3 for its first 2,000 rows, then back to AZQ3 after 500 rows of BBB1.
    """
    n = 3000
    rows_cs = (
        ["AZQ1"] * n,
        ["AZQ7"] * 1000 + ["XYZ2"] * 1000 + [None] * 1000,
        [None] * n,
        ["AZQ3"] * 2000 + ["BBB1"] * 500 + ["AZQ3"] * 500,
    )
    hexes = ["600864", "4b8100", "600865", "abcdef"]
    df = pd.DataFrame({
        "icao24": np.repeat(hexes, n),
        "time": T0 + pd.to_timedelta(np.tile(np.arange(n) * 10, 4), unit="s"),
        "callsign": np.concatenate([np.asarray(c, dtype=object) for c in rows_cs]),
        "registration": None,
        "typecode": "IL76",
    })
    if categorical:
        for c in ("icao24", "callsign", "registration", "typecode"):
            df[c] = df[c].astype("category")
    fleet = np.r_[np.ones(n, bool), np.zeros(n, bool), np.ones(n, bool), np.zeros(n, bool)]
    azq = np.r_[np.ones(n, bool), np.ones(1000, bool), np.zeros(2000, bool), np.zeros(n, bool),
                np.ones(2000, bool), np.zeros(500, bool), np.ones(500, bool)]
    return df, {"fleet": fleet, "azq": azq, None: fleet | azq}


def test_fleet_rows_tested_per_run_of_one_identity_are_the_rows_of_the_fleet() -> None:
    scn = _scenario()
    for categorical in (True, False):  # runs are found on categorical codes; other columns are tested row by row
        df, expected = _long_points(categorical)
        assert len(df) >= MIN_ROWS
        for selector, want in expected.items():
            got = run_fleet_mask(scn, df, selector)
            assert got.dtype == bool and np.array_equal(got, want), (categorical, selector)
            assert np.array_equal(got, np.asarray(scn.fleet_mask(df, selector), dtype=bool))


def test_fleet_rows_of_interleaved_positions_are_found_too() -> None:
    # the same positions shuffled: every row is a run of its own, and the answer must not change
    scn = _scenario()
    df, expected = _long_points(True)
    order = np.random.default_rng(5).permutation(len(df))
    for selector, want in expected.items():
        assert np.array_equal(run_fleet_mask(scn, df.iloc[order].reset_index(drop=True), selector), want[order])


def _track_points() -> pd.DataFrame:
    """Three aircraft whose positions interleave in time; aaaaa1 is on the ground at its first position."""
    t = [T0 + pd.Timedelta(seconds=s) for s in (0, 5, 10, 15, 20, 25, 30, 35, 40)]
    df = pd.DataFrame({
        "icao24": ["AAAAA1", "bbbbb2", "ccccc3", "aaaaa1", "bbbbb2", "ccccc3", "aaaaa1", "bbbbb2", "aaaaa1"],
        "time": t,
        "lat": [1.0, 2.0, 3.0, 1.1, 2.1, 3.1, 1.2, 2.2, 1.3],
        "lon": [10.0, 20.0, 30.0, 10.1, 20.1, 30.1, 10.2, 20.2, 10.3],
        "alt_ft": [0.0, 100.0, 200.0, 1000.0, 1100.0, 1200.0, 2000.0, 2100.0, 3000.0],
        "on_ground": pd.array([True, False, False, False, False, False, False, False, False], dtype="boolean"),
    })
    df["icao24"] = df["icao24"].astype("category")
    return df


def test_tracks_of_some_aircraft_are_the_same_as_in_the_whole_table() -> None:
    pts = _track_points()
    whole = _Tracks.of(pts)
    some = _Tracks.of(pts, only={"aaaaa1", "ccccc3"})
    # "AAAAA1" and "aaaaa1" are two categories that both read aaaaa1: kept together, airborne rows in time order
    assert some.keys.tolist() == ["aaaaa1"] * 3 + ["ccccc3"] * 2
    assert some.lat.tolist() == [1.1, 1.2, 1.3, 3.0, 3.1] and some.alt.tolist() == [1000.0, 2000.0, 3000.0, 200.0, 1200.0]
    for h in ("aaaaa1", "ccccc3"):  # each kept aircraft's span holds what the whole table's does
        a, b = whole.span(h, 0, 2**62), some.span(h, 0, 2**62)
        for name in ("keys", "t", "lat", "lon", "alt"):
            assert np.array_equal(getattr(whole, name)[a], getattr(some, name)[b])
    assert some.span("bbbbb2", 0, 2**62).stop == some.span("bbbbb2", 0, 2**62).start  # the others are left out


# ---------------------------------------------------------------------------------------
# the disruption kind's per-evaluation memos


def _hourly(covered: list[bool], baseline: list[float]) -> pd.DataFrame:
    """One field (UUEE) hour by hour from 06:00, and one other field (UUWW) with every hour covered."""
    n = len(covered)
    hours = pd.date_range("2026-03-14T06:00Z", periods=n, freq="h")
    return pd.concat([
        pd.DataFrame({"airport": "UUEE", "hour": hours, "covered": covered, "baseline_mean": baseline}),
        pd.DataFrame({"airport": "UUWW", "hour": hours, "covered": [True] * n, "baseline_mean": [1.0] * n}),
    ], ignore_index=True)


def test_window_hours_read_once_per_evaluation_count_the_same_hours() -> None:
    from types import SimpleNamespace

    from flighttrace.kinds.disruption.claims import _window_hours

    # UUEE 06:00-11:00: covered except 08:00; no baseline at 10:00
    d1 = SimpleNamespace(hourly=_hourly([True, True, False, True, True, True], [2.0, 2.0, 2.0, 2.0, np.nan, 2.0]))
    d2 = SimpleNamespace(hourly=_hourly([True] * 6, [2.0] * 6))
    ctx1, ctx2 = SimpleNamespace(cache={}), SimpleNamespace(cache={})
    start, end = pd.Timestamp("2026-03-14T07:30Z"), pd.Timestamp("2026-03-14T11:00Z")
    # the window's hours from 07:00 (its first hour) to 11:00: 07, 08, 09, 10 → 4; covered 07, 09, 10 → 3; known 07, 09 → 2
    assert _window_hours(d1, "UUEE", start, end) == (4, 3, 2)
    assert _window_hours(d1, "UUEE", start, end, ctx1) == (4, 3, 2)
    assert _window_hours(d1, "UUEE", start, end, ctx1) == (4, 3, 2)  # read from the memo
    assert _window_hours(d1, "UUEE", pd.Timestamp("2026-03-14T06:00Z"), pd.Timestamp("2026-03-14T09:00Z"), ctx1) == (3, 2, 2)
    assert _window_hours(d1, "UUWW", start, end, ctx1) == (4, 4, 4)
    # another evaluation (its own context) with other data is not answered from the first one's memo
    assert _window_hours(d2, "UUEE", start, end, ctx2) == (4, 4, 4)


def test_runs_in_a_window_met_again_are_the_same_rows_and_stay_with_their_evaluation() -> None:
    from types import SimpleNamespace

    from flighttrace.kinds.disruption.claims import _runs_in

    t = pd.Timestamp("2026-03-14T00:00Z")
    runs = pd.DataFrame({
        "last_time": [t, t + pd.Timedelta(hours=3), pd.NaT, t + pd.Timedelta(hours=9)],
        "start_latest": [pd.NaT, pd.NaT, t + pd.Timedelta(hours=5), pd.NaT],
        "next_time": [t + pd.Timedelta(hours=2), t + pd.Timedelta(hours=4), t + pd.Timedelta(hours=7), pd.NaT],
        "end_earliest": [pd.NaT, pd.NaT, pd.NaT, pd.NaT],
        "gap_s": [7200.0, 3600.0, 7200.0, np.nan],
    })
    for c in ("last_time", "start_latest", "next_time", "end_earliest"):  # the runs table's times: UTC nanoseconds
        runs[c] = pd.to_datetime(runs[c], utc=True).astype("datetime64[ns, UTC]")
    d1 = SimpleNamespace(runs=lambda airport, grades: runs)
    d2 = SimpleNamespace(runs=lambda airport, grades: runs.iloc[[2]].reset_index(drop=True))
    ctx1, ctx2 = SimpleNamespace(cache={}), SimpleNamespace(cache={})
    a, b = t + pd.Timedelta(hours=1), t + pd.Timedelta(hours=6)
    # overlapping 01:00-06:00: run 0 (00-02), run 1 (03-04), run 2 (05-07); run 3 has no end and is left out
    first = _runs_in(ctx1, d1, "UUEE", a, b, ("observed",))
    assert first["gap_s"].tolist() == [7200.0, 3600.0, 7200.0]
    again = _runs_in(ctx1, d1, "UUEE", a, b, ("observed",))
    pd.testing.assert_frame_equal(again, first)
    assert _runs_in(ctx1, d1, "UUEE", t + pd.Timedelta(hours=4, minutes=30), b, ("observed",))["gap_s"].tolist() == [7200.0]
    # another evaluation, the same field and window: its own runs (only 05:00-07:00), not the first one's three
    assert _runs_in(ctx2, d2, "UUEE", a, b, ("observed",))["last_time"].isna().tolist() == [True]
