"""The settings of a simulated disruption world: its fields, traffic, receivers and closures (see :mod:`flighttrace.kinds.disruption.world`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import pandas as pd

from flighttrace.sim.kinematics import KM_PER_NM, Receiver

SYNTHETIC_MANIFEST: Final = "synthetic.json"
EARTH_KM_PER_DEG: Final = 111.195
"""Kilometres per degree of latitude."""
KMH_PER_KT: Final = KM_PER_NM


def _ts(s: str) -> pd.Timestamp:
    return pd.Timestamp(s, tz="UTC")





@dataclass(frozen=True)
class AirportPlan:
    """A field's traffic in the simulated world.

    Parameters
    ----------
    code
        ICAO code.
    rotations
        Scheduled rotations (an arrival, then a departure of the same
        aircraft) per day.
    runway_deg
        Landing and take-off direction of the runway in use (deg true).
    operators
        Callsign prefixes of the airlines based there (ICAO designators).
    first_hour, last_hour
        Local hours (report zone) between which arrivals are scheduled.
    hold_fixes
        Bearings (deg) from the field of its holding fixes.
    """

    code: str
    rotations: int
    runway_deg: float
    operators: tuple[str, ...]
    first_hour: float = 0.7
    last_hour: float = 23.3
    hold_fixes: tuple[float, ...] = (45.0, 135.0, 225.0, 315.0)


@dataclass(frozen=True)
class DisruptionWorldSpec:
    """What the simulated disruption world contains, apart from what the scenario fixes.

    Parameters
    ----------
    day
        Start (UTC) of the local day of the disruption.
    baseline_weeks
        The same weekday in this many previous weeks is flown as the baseline.
    seed
        Seed of every random choice.
    tz
        Local zone of the schedule.
    airports
        Traffic of the watched fields (closures happen among these).
    alternates
        Traffic of the alternates (they also receive diversions).
    closures
        Field → closure windows on the day (UTC start, end).
    divert_to
        Field → alternates its diverted aircraft go to, with weights.
    beyond_coverage
        Field (ICAO) far away, beyond the receivers, where one diverted
        aircraft per closed field heads after its go-around (its landing is
        never seen).
    receivers
        The ground network.
    missing_hours
        UTC hours with no archive file (a gap in the dump).
    entry_km
        Arrivals appear, and departures are left, this far from the field (km).
    max_hold_s
        Longest holding before an aircraft leaves for an alternate (s).
    hold_window_s
        Arrivals due within this long after a closure starts go to the
        holding stack; later ones are delayed at origin or divert en route (s).
    delayed_share
        Share of the later arrivals held at their origin (they land after
        the reopening); the rest divert en route.
    congestion_holds
        Arrivals at the open field held in the congestion on the day.
    baseline_holds
        Arrivals at the open field held on each baseline day (ordinary traffic).
    baseline_go_arounds
        Go-arounds (then a landing) at the open field on each baseline day.
    cancel_share
        Share of rotations cancelled at random on any day.
    jitter_s
        Standard deviation of the scheduled times from week to week (s).
    overflights_per_hour
        High overflights across the region per hour (background traffic).
    """

    day: pd.Timestamp
    baseline_weeks: int
    seed: int
    tz: str
    airports: tuple[AirportPlan, ...]
    alternates: tuple[AirportPlan, ...]
    closures: dict[str, tuple[tuple[pd.Timestamp, pd.Timestamp], ...]]
    divert_to: dict[str, tuple[tuple[str, float], ...]]
    beyond_coverage: str
    receivers: tuple[Receiver, ...]
    missing_hours: tuple[pd.Timestamp, ...] = ()
    entry_km: float = 110.0
    max_hold_s: float = 2400.0
    hold_window_s: float = 1500.0
    delayed_share: float = 0.5
    congestion_holds: int = 5
    baseline_holds: int = 1
    baseline_go_arounds: int = 1
    cancel_share: float = 0.03
    jitter_s: float = 300.0
    overflights_per_hour: int = 1
    open_field: str = "UUEE"
    operator_hex_base: dict[str, int] = field(default_factory=dict)


_MOSCOW_RX: Final = (
    Receiver("moscow-centre", 55.755, 37.617, 80.0, max_km=250.0),
    Receiver("svo", 55.985, 37.43, 30.0, max_km=250.0),
    Receiver("dme", 55.42, 37.89, 30.0, max_km=250.0),
    Receiver("vko", 55.60, 37.28, 30.0, max_km=250.0),
    Receiver("zia", 55.56, 38.13, 30.0, max_km=250.0),
    Receiver("kaluga", 54.56, 36.35, 30.0, max_km=250.0),
    Receiver("yaroslavl", 57.56, 40.14, 30.0, max_km=250.0),
    Receiver("nizhny", 56.23, 43.77, 30.0, max_km=250.0),
)

MOSCOW_SPEC: Final = DisruptionWorldSpec(
    day=_ts("2026-03-13T21:00"),
    baseline_weeks=4,
    seed=20260314,
    tz="Europe/Moscow",
    airports=(
        AirportPlan("UUEE", 88, 246.0, ("AFL", "SDM", "SBI")),
        AirportPlan("UUDD", 44, 318.0, ("SBI", "UTA", "RWZ")),
        AirportPlan("UUWW", 44, 196.0, ("PBD", "UTA", "SDM")),
        AirportPlan("UUBW", 20, 300.0, ("RWZ", "UTA"), first_hour=6.5, last_hour=21.5, hold_fixes=(90.0, 180.0)),
    ),
    alternates=(
        AirportPlan("UUBC", 2, 260.0, ("UTA",), first_hour=8.0, last_hour=20.0, hold_fixes=(0.0,)),
        AirportPlan("UUDL", 2, 230.0, ("UTA", "RWZ"), first_hour=8.0, last_hour=20.0, hold_fixes=(0.0,)),
        AirportPlan("UWGG", 4, 180.0, ("AFL", "SBI"), first_hour=7.0, last_hour=21.0, hold_fixes=(0.0,)),
    ),
    closures={
        "UUWW": ((_ts("2026-03-14T06:10"), _ts("2026-03-14T08:55")), (_ts("2026-03-14T13:20"), _ts("2026-03-14T15:20"))),
        "UUDD": ((_ts("2026-03-14T06:40"), _ts("2026-03-14T09:25")),),
        "UUBW": ((_ts("2026-03-14T05:30"), _ts("2026-03-14T12:10")),),
    },
    divert_to={
        "UUWW": (("UUBC", 0.45), ("UUEE", 0.35), ("UWGG", 0.2)),
        "UUDD": (("UWGG", 0.4), ("UUEE", 0.35), ("UUDL", 0.25)),
        "UUBW": (("UUDL", 0.5), ("UUEE", 0.5)),
    },
    beyond_coverage="ULLI",
    receivers=_MOSCOW_RX,
    missing_hours=(_ts("2026-02-28T09:00"),),
)
"""The settings of the shipped Moscow, 14 March 2026 world (all times UTC; the local day is Moscow time)."""

# weights of scheduled arrivals by local hour (0–23)
_PROFILE: Final = np.array([0.25, 0.1, 0.0, 0.0, 0.1, 0.4, 0.9, 1.2, 1.2, 1.0, 1.0, 1.0,
                            1.0, 1.0, 1.0, 1.0, 1.1, 1.2, 1.2, 1.2, 1.1, 1.0, 0.8, 0.5])
_TYPES: Final = ("A320", "A321", "B738", "SU95", "A319")
_HOLD_KT: Final = 220.0
_TURN_DEG_S: Final = 3.0
_HOLD_LEG_S: Final = 60.0
_ALT_STACK_FT: Final = (7000.0, 8000.0, 9000.0, 10000.0, 11000.0, 12000.0)
