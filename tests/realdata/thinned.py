"""Real recordings thinned to one point per N seconds: which field does ``detect_legs`` name at each truth end then?

Feeds differ in how often they report: OpenSky's state vectors every 10 s
(these samples, sometimes every second), FlightRadar24's exports every 30 to
60 s, some archives every few minutes. Every sample of ``truth.csv`` is read,
then only the first point of each aircraft in each N-second slot is kept,
and the legs detected on what is left are matched to the truth as
``compare.py`` matches them.

``python -m tests.realdata.thinned`` prints the counts per step.
"""

from __future__ import annotations

import sys
import tempfile
from functools import partial
from pathlib import Path

import pandas as pd

from tests.realdata.compare import evaluate_variants, print_results

STEPS_S = (30, 60, 120)
"""Seconds per kept point."""


def thin(points: pd.DataFrame, step_s: int) -> pd.DataFrame:
    """The first point of each aircraft in each ``step_s``-second slot (slots counted from 1970-01-01)."""
    slot = points["time"].dt.as_unit("ns").astype("int64").to_numpy() // (step_s * 10**9)
    keep = ~pd.DataFrame({"icao24": points["icao24"].astype(str).to_numpy(), "slot": slot}).duplicated().to_numpy()
    return points[keep].reset_index(drop=True)


def evaluate(folder: Path, steps: tuple[int, ...] = STEPS_S) -> pd.DataFrame:
    """``compare.match`` of every truth event on each thinned recording, with ``step_s`` and ``result`` (right, none, wrong)."""
    return evaluate_variants(folder, [({"step_s": step}, partial(thin, step_s=step)) for step in steps])


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        r = evaluate(Path(tmp))
    print_results(r, "step_s", ["file", "callsign", "event", "time", "airport", "step_s", "named", "evidence", "second"])
    sys.exit(0)
