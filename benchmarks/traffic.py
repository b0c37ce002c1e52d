"""SYNTHETIC many-aircraft traffic for the benchmarks.

A pool of out-and-back sorties between the "home" and "away" fields of
``benchmarks/scenario.yaml`` is flown once with the simulator (1-second
kinematics, thinned at readsb's cadence), then replicated across thousands
of airframes and days until the requested number of points is reached. Each
replica gets its own ICAO address and start time, so the pipeline sees many
aircraft, not one fleet. Nothing here is real data.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flighttrace.sim.kinematics import Field, fly_leg, sample

HOME = ["UBBB", "UBBG", "UGTB", "UDYZ", "LTAC", "LTFM", "LTAI", "UKBB", "UUEE", "LGAV", "OIII"]
AWAY = ["LCLK", "LLBG", "LLOV", "LLER", "OJAI", "OLBA", "HECA", "ORBI", "OKKK", "OEJN", "OMDB"]
POOL_SORTIES = 120
"""Distinct sorties flown with the simulator before replication."""
START = pd.Timestamp("2024-01-01", tz="UTC")


def _fields() -> dict[str, Field]:
    from flighttrace.reference.airports import AirportIndex

    idx = AirportIndex.default()
    out = {}
    for c in HOME + AWAY:
        a = idx.get(c)
        out[c] = Field(a.code, a.lat, a.lon, 0.0 if np.isnan(a.elevation_ft) else float(a.elevation_ft))
    return out


def _pool(seed: int) -> pd.DataFrame:
    """The pool of sampled sorties: points with a sortie number and seconds from its start."""
    rng = np.random.default_rng(seed)
    fields = _fields()
    frames = []
    for k in range(POOL_SORTIES):  # one simulated sortie per iteration (each computed on whole arrays)
        home = fields[HOME[k % len(HOME)]]
        away = fields[AWAY[int(rng.integers(len(AWAY)))]]
        t0 = START
        out = fly_leg(home, away, t0, cruise_ft=float(rng.choice([29000, 33000, 37000])), wind_kt=float(rng.normal(0, 20)))
        back_t0 = out["time"].iloc[-1] + pd.Timedelta(hours=float(rng.uniform(1.5, 4.0)))
        back = fly_leg(away, home, back_t0.floor("s"), cruise_ft=float(rng.choice([30000, 34000, 38000])), wind_kt=float(rng.normal(0, 20)))
        tr = pd.concat([out, back], ignore_index=True).assign(icao24="000000", position_source="adsb")
        s = sample(tr, "readsb")
        s["sortie"] = k
        s["t_rel"] = (s["time"] - START).dt.total_seconds()
        frames.append(s)
    return pd.concat(frames, ignore_index=True)


def make_points(n_points: int, *, seed: int = 1) -> pd.DataFrame:
    """A Points table of about ``n_points`` rows of SYNTHETIC traffic, canonical dtypes, sorted.

    Parameters
    ----------
    n_points
        Target number of points (the result is trimmed to whole sorties).
    seed
        Seed of the pool and of the replication.

    Returns
    -------
    pandas.DataFrame
        Points columns (``source`` "benchmark", ``src_file`` the aircraft's
        notional trace file), sorted by icao24 and time.
    """
    pool = _pool(seed)
    sizes = pool.groupby("sortie").size().to_numpy()
    rng = np.random.default_rng(seed + 1)
    # replicate sorties until n_points: each replica = (sortie, aircraft, day)
    reps = []
    total = 0
    i = 0
    while total < n_points:
        k = int(rng.integers(POOL_SORTIES))
        reps.append(k)
        total += int(sizes[k])
        i += 1
    reps_a = np.asarray(reps)
    n_rep = len(reps_a)
    # four sorties per aircraft, one every two days
    aircraft = np.arange(n_rep) // 4
    day = (np.arange(n_rep) % 4) * 2 + (aircraft % 60)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    idx = np.concatenate([np.arange(starts[k], starts[k] + sizes[k]) for k in reps_a])  # one slice per replica
    rep_of = np.repeat(np.arange(n_rep), sizes[reps_a])
    base = pool.iloc[idx].reset_index(drop=True)
    t = START + pd.to_timedelta(base["t_rel"].to_numpy() + day[rep_of] * 86400.0, unit="s")
    hexes = np.array([f"{0x100000 + a:06x}" for a in range(int(aircraft.max()) + 1)])
    ac = aircraft[rep_of]
    n = len(base)
    pts = pd.DataFrame({
        "icao24": pd.Categorical.from_codes(ac, hexes),
        "time": t.astype("datetime64[ns, UTC]"),
        "lat": base["lat"].to_numpy(), "lon": base["lon"].to_numpy(),
        "alt_ft": base["alt_ft"].to_numpy(dtype=np.float32),
        "on_ground": pd.array(base["on_ground"].to_numpy(dtype=bool), dtype="boolean"),
        "gs_kt": base["gs_kt"].to_numpy(dtype=np.float32),
        "track_deg": base["track_deg"].to_numpy(dtype=np.float32),
        "vrate_fpm": base["vrate_fpm"].to_numpy(dtype=np.float32),
        "callsign": pd.Categorical.from_codes(ac % 500, [f"BMK{c:04d}" for c in range(500)]),
        "squawk": pd.Categorical(["2000"] * n),
        "registration": pd.Categorical.from_codes(np.full(n, -1), ["X"]),
        "typecode": pd.Categorical(["A320"] * n),
        "military": pd.array([pd.NA] * n, dtype="boolean"),
        "position_source": pd.Categorical(["adsb"] * n, categories=["adsb", "mlat", "other", "unknown"]),
        "stale": base["stale"].to_numpy(dtype=bool),
        "new_leg": base["new_leg"].to_numpy(dtype=bool),
        "source": pd.Categorical(["benchmark"] * n),
        "src_file": pd.Categorical.from_codes(ac, [f"trace_full_{h}.json" for h in hexes]),
        "src_row": np.arange(n, dtype=np.int64),
    })
    order = np.lexsort((pts["time"].to_numpy(), ac))
    return pts.iloc[order].reset_index(drop=True)


def cached_points(n_points: int, folder: Path) -> Path:
    """Generate (once) and cache the Points table of ``n_points`` as Parquet."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"points_{n_points}.parquet"
    if not path.exists():
        make_points(n_points).to_parquet(path, index=False)
    return path
