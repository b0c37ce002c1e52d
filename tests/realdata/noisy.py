"""Real recordings with measurement noise added: which field does ``detect_legs`` name at each truth end then?

The samples come from OpenSky's network, mostly ADS-B: positions good to tens
of metres, altitudes in 25-ft steps. Other sources are rougher: multilateration
(MLAT) places an aircraft to 100 m or worse, and a feed may round or smooth
what it passes on. Every sample of ``truth.csv`` is read, random errors are
added to each reported position, altitude and ground speed, and the legs
found on the noisy recording are matched to the truth as ``compare.py``
matches them.

The errors are drawn once per *reported value*: a value that a row repeats
unchanged from the row before it (a state vector kept alive while no new
message came, on the ground after landing for minutes at a time) keeps the
same error, as it would in a real feed, where the repeat is a copy of one
noisy report, not a fresh measurement.

``python -m tests.realdata.noisy`` prints the counts per noise level.
"""

from __future__ import annotations

import sys
import tempfile
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd

from tests.realdata.compare import evaluate_variants, print_results

M_PER_DEG: float = 111_195.0
"""Metres per degree of latitude (and of longitude at the equator) on the IUGG mean sphere."""


@dataclass(frozen=True)
class Noise:
    """Standard deviations of the errors added, per reported value."""

    name: str
    position_m: float
    altitude_ft: float
    speed_kt: float


LEVELS = (Noise("ADS-B, rough", 60.0, 50.0, 3.0), Noise("MLAT-like", 150.0, 25.0, 5.0), Noise("altitude", 10.0, 100.0, 1.0))
"""The noise levels ``python -m tests.realdata.noisy`` runs; the test runs the first."""
SEEDS = (0, 1, 2)
"""Seeds of :func:`numpy.random.default_rng`, one noisy copy of every recording each."""


def _runs(points: pd.DataFrame, columns: tuple[str, ...]) -> tuple[np.ndarray, int]:
    """Per row, the index of its run: a run starts where the aircraft or any of ``columns`` changes (a missing value equals a missing one)."""
    n = len(points)
    hexes = points["icao24"].astype(str).to_numpy()
    starts = np.zeros(n, dtype=bool)
    if n == 0:
        return np.zeros(0, dtype=np.int64), 0
    starts[0] = True
    starts[1:] |= hexes[1:] != hexes[:-1]
    for c in columns:
        v = points[c].to_numpy(dtype=float)
        starts[1:] |= ~((v[1:] == v[:-1]) | (np.isnan(v[1:]) & np.isnan(v[:-1])))
    run = np.cumsum(starts) - 1
    return run, int(run[-1]) + 1


def noisy(points: pd.DataFrame, noise: Noise, seed: int) -> pd.DataFrame:
    """``points`` with a normal error of ``noise``'s size added to each reported position, altitude and ground speed.

    A ground speed made negative by its error is set to 0. The points keep
    their order; the other columns are untouched.
    """
    rng = np.random.default_rng(seed)
    out = points.copy()
    run, k = _runs(points, ("lat", "lon"))
    north_m, east_m = rng.normal(0.0, noise.position_m, k)[run], rng.normal(0.0, noise.position_m, k)[run]
    lat = points["lat"].to_numpy(dtype=float)
    out["lat"] = lat + north_m / M_PER_DEG
    out["lon"] = points["lon"].to_numpy(dtype=float) + east_m / (M_PER_DEG * np.cos(np.radians(lat)))
    run, k = _runs(points, ("alt_ft",))
    out["alt_ft"] = (points["alt_ft"].to_numpy(dtype=float) + rng.normal(0.0, noise.altitude_ft, k)[run]).astype(np.float32)
    run, k = _runs(points, ("gs_kt",))
    out["gs_kt"] = np.clip(points["gs_kt"].to_numpy(dtype=float) + rng.normal(0.0, noise.speed_kt, k)[run], 0.0, None).astype(np.float32)
    return out


def evaluate(folder: Path, levels: tuple[Noise, ...] = LEVELS[:1], seeds: tuple[int, ...] = SEEDS) -> pd.DataFrame:
    """``compare.match`` of every truth event on each noisy recording, with ``noise``, ``seed`` and ``result`` (right, none, wrong)."""
    return evaluate_variants(folder, [({"noise": level.name, "seed": seed}, partial(noisy, noise=level, seed=seed))
                                      for level in levels for seed in seeds])


if __name__ == "__main__":
    with tempfile.TemporaryDirectory() as tmp:
        r = evaluate(Path(tmp), LEVELS)
    print_results(r, "noise", ["noise", "seed", "file", "callsign", "event", "time", "airport", "named", "evidence"])
    sys.exit(0)
