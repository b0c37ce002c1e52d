"""FleetIndex: a fleet's positions indexed once; each window's rows, MLAT-only test and heard count by hand."""

from __future__ import annotations

from types import SimpleNamespace

import pandas as pd

from flighttrace.claims.fleetindex import FleetIndex, fleet_index
from flighttrace.claims.visibility import FleetArrays, fleet_table
from tests.test_visibility import pts

T0 = pd.Timestamp("2023-01-05T08:00Z")


def _row(hexa: str, minutes: float, **kw: object) -> dict[str, object]:
    return {"icao24": hexa, "time": T0 + pd.Timedelta(minutes=minutes), "lat": 40.0, "lon": 50.0, "alt_ft": 30000.0, **kw}


def test_rows_say_how_when_and_under_which_callsigns_and_squawks() -> None:
    # 600864: five ADS-B positions in the window, callsigns AZQ1, AZQ1, AZQ2, (none), AZQ2 → AZQ1→AZQ2 (a missing
    # callsign is no change); squawks 1000, 1000, 7500, 7500, 1000 → 1000→7500→1000.
    # 600865: one MLAT position three days later, inside the 5-day margin: heard after, not in the window.
    rows = [_row("600864", m, callsign=cs, squawk=sq)
            for m, cs, sq in ((0, "AZQ1", "1000"), (1, "AZQ1", "1000"), (2, "AZQ2", "7500"), (3, None, "7500"), (4, "AZQ2", "1000"))]
    rows += [_row("600865", 3 * 24 * 60, position_source="mlat")]
    ix = FleetIndex.of(FleetArrays.of(pts(rows), from_legs=False))
    assert ix is not None
    tab = ix.table("c", "fleet", T0, T0 + pd.Timedelta(days=1), pd.Timedelta(days=5)).set_index("icao24")
    a, b = tab.loc["600864"], tab.loc["600865"]
    assert (a["callsigns"], a["squawks"], a["how"], a["n_points"]) == ("AZQ1→AZQ2", "1000→7500→1000", "ADS-B", 5)
    assert a["heard_in_window"] and not a["heard_before"] and not a["heard_after"]
    assert (a["first_heard"], a["last_heard"]) == (T0, T0 + pd.Timedelta(minutes=4))
    assert (b["how"], b["heard_in_window"], b["heard_after"], b["n_points"]) == ("MLAT only", False, True, 1)
    assert list(tab["claim_id"]) == ["c", "c"] and list(tab["fleet"]) == ["fleet", "fleet"]


def test_each_aircraft_lists_its_own_changes_in_the_window_only() -> None:
    # 600864: AZQ1 at 0 min, AZQ2 at 10 min, AZQ3 at 2 days. A window of the first hour with no margin sees AZQ1→AZQ2;
    # a window of the second day (margin 0) sees only the AZQ3 position: its list starts there, not with AZQ2.
    # 600865 (AZQ9) is heard at 30 min only.
    rows = [_row("600864", m, callsign=cs) for m, cs in ((0, "AZQ1"), (10, "AZQ2"), (2 * 24 * 60, "AZQ3"))]
    rows += [_row("600865", 30, callsign="AZQ9")]
    ix = FleetIndex.of(FleetArrays.of(pts(rows), from_legs=False))
    assert ix is not None
    first = ix.table("c", None, T0, T0 + pd.Timedelta(hours=1), pd.Timedelta(0)).set_index("icao24")
    assert first["callsigns"].to_dict() == {"600864": "AZQ1→AZQ2", "600865": "AZQ9"}
    later = ix.table("c", None, T0 + pd.Timedelta(days=1), T0 + pd.Timedelta(days=3), pd.Timedelta(0))
    assert later["icao24"].tolist() == ["600864"] and later["callsigns"].tolist() == ["AZQ3"] and later["fleet"].tolist() == [""]
    assert ix.heard(T0.value, (T0 + pd.Timedelta(hours=1)).value) == 2
    assert ix.heard((T0 + pd.Timedelta(hours=1)).value, (T0 + pd.Timedelta(days=1)).value) == 0
    fa = FleetArrays.of(pts(rows), from_legs=False)  # the same rows as the row-by-row table
    pd.testing.assert_frame_equal(ix.table("c", None, T0, T0 + pd.Timedelta(hours=1), pd.Timedelta(0)),
                                  fleet_table("c", None, fa, T0, T0 + pd.Timedelta(hours=1), pd.Timedelta(0)))
    none = ix.table("c", None, T0 + pd.Timedelta(days=10), T0 + pd.Timedelta(days=11), pd.Timedelta(0))
    assert len(none) == 0 and str(none["first_heard"].dtype) == "datetime64[ns, UTC]"


def test_mlat_only_means_some_mlat_position_and_no_adsb_one() -> None:
    # ADS-B at 0 min, MLAT at 60 min: [0, 30 min) has ADS-B only, [30, 90 min) MLAT only, [0, 90 min) both.
    rows = [_row("600864", 0), _row("600864", 60, position_source="mlat")]
    ix = FleetIndex.of(FleetArrays.of(pts(rows), from_legs=False))
    assert ix is not None
    m = pd.Timedelta(minutes=1).value
    assert not ix.mlat_only(T0.value, T0.value + 30 * m)
    assert ix.mlat_only(T0.value + 30 * m, T0.value + 90 * m)
    assert not ix.mlat_only(T0.value, T0.value + 90 * m)


def test_no_index_for_legs_or_rows_out_of_time_order() -> None:
    legs = pd.DataFrame({"icao24": ["600864"], "first_seen": [T0], "last_seen": [T0 + pd.Timedelta(hours=1)], "n_points": [10]})
    assert FleetIndex.of(FleetArrays.of(legs, from_legs=True)) is None
    backwards = pts([_row("600864", 10), _row("600864", 0)])
    assert FleetIndex.of(FleetArrays.of(backwards, from_legs=False)) is None
    ctx = SimpleNamespace(cache={})
    fa = FleetArrays.of(pts([_row("600864", 0)]), from_legs=False)
    assert fleet_index(ctx, "f", fa) is fleet_index(ctx, "f", fa)
