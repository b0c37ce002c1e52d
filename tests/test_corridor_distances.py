"""A corridor's ellipse decided in single precision away from its edge gives the double-precision answer everywhere."""

from __future__ import annotations

import numpy as np
import pandas as pd

from flighttrace.claims.visibility import _Distances
from flighttrace.geo import destination

# Baku and Ovda, about 1,800 km apart; a detour of 1.5 makes an ellipse whose distances add up to about 2,700 km
FIELDS = pd.DataFrame({"lat": [40.4675, 29.9403], "lon": [50.0467, 34.9358]}, index=pd.Index(["UBBB", "LLOV"], name="query"))


def test_the_ellipse_matches_double_precision_on_its_edge_and_far_away() -> None:
    rng = np.random.default_rng(3)
    # positions anywhere on Earth (antipodes of both fields included), and positions within metres of the edge:
    # points due north of Ovda at the distance where the two distances add up to the limit, found by bisection
    lat = list(rng.uniform(-89.0, 89.0, 20_000))
    lon = list(rng.uniform(-180.0, 180.0, 20_000))
    lat += [-40.4675, -29.9403, np.nan]
    lon += [50.0467 - 180.0, 34.9358 + 180.0, 35.0]
    d = _Distances(np.array(lat), np.array(lon), FIELDS)
    limit = 1.5 * d.between("UBBB", "LLOV")
    for brg in np.linspace(0.0, 350.0, 36):
        lo, hi = 0.0, 3000.0
        for _ in range(60):  # the distance from Ovda on this bearing where the sum meets the limit
            mid = (lo + hi) / 2
            la, lo_ = destination(29.9403, 34.9358, brg, mid)
            probe = _Distances(np.array([float(la)]), np.array([float(lo_)]), FIELDS)
            total = probe.full("UBBB")[0] + probe.full("LLOV")[0]
            lo, hi = (mid, hi) if total <= limit else (lo, mid)
        for off in (-0.5, -0.001, 0.0, 0.001, 0.5):  # km either side of the edge
            la, lo_ = destination(29.9403, 34.9358, brg, lo + off)
            lat.append(float(la))
            lon.append(float(lo_))
    d = _Distances(np.array(lat), np.array(lon), FIELDS)
    exact = d.full("UBBB") + d.full("LLOV") <= limit
    got = d.ellipse("UBBB", "LLOV", 1.5)
    assert np.array_equal(got, exact)
    assert 0 < exact.sum() < len(exact) and not got[20_002]  # some in, some out; a missing position is not in it
    edge = np.asarray(lat[20_003:])
    assert len(edge) == 36 * 5 and exact[20_003:].sum() >= 36 * 2  # the probes straddle the edge


def test_exact_distances_of_some_positions_are_those_of_all() -> None:
    rng = np.random.default_rng(5)
    d = _Distances(rng.uniform(20.0, 50.0, 1000), rng.uniform(20.0, 60.0, 1000), FIELDS)
    idx = np.sort(rng.choice(1000, 37, replace=False))
    assert np.array_equal(d.exact("LLOV", idx), d.full("LLOV")[idx])
    assert np.abs(d.rough("LLOV").astype(float) - d.full("LLOV")).max() < 0.01  # single precision: within 10 m
