"""Replayed tracks: the candidate pairs and the alignments grow with the legs, not with their square."""

from __future__ import annotations

import numpy as np
import pytest

from flighttrace.kinds.sorties import identity
from flighttrace.kinds.sorties.identity import ReplayParams


def _brute_pairs(ends: np.ndarray, dur: np.ndarray, t0: np.ndarray, good: np.ndarray, p: ReplayParams) -> set[tuple[int, int]]:
    """The pair test written out over every pair (i < j), as the module docs state it."""
    out = set()
    n = len(dur)
    for i in range(n):
        for j in range(i + 1, n):
            if not (good[i] and good[j]):
                continue
            c0 = np.cos(np.radians(ends[i, 0]))
            c1 = np.cos(np.radians(ends[i, 2]))
            d0 = np.hypot(ends[i, 0] - ends[j, 0], (ends[i, 1] - ends[j, 1]) * c0) * 111.2
            d1 = np.hypot(ends[i, 2] - ends[j, 2], (ends[i, 3] - ends[j, 3]) * c1) * 111.2
            if d0 <= p.start_km and d1 <= p.start_km and abs(dur[i] - dur[j]) <= p.duration_s and abs(t0[i] - t0[j]) >= p.min_offset_s:
                out.add((i, j))
    return out


@pytest.mark.parametrize("lat", [0.0, 40.5, 69.0])
def test_endpoint_pairs_are_exactly_the_pairs_the_rule_names(lat: float) -> None:
    # 240 legs around four start fields and two end fields, 1-20 km apart, durations and starts spread so that
    # every clause of the rule cuts some pairs; the k-d tree's answer must be the brute force's, pair for pair
    rng = np.random.default_rng(3)
    n = 240
    fields = np.array([[lat, 10.0], [lat + 0.05, 10.1], [lat + 1.0, 11.0], [lat - 0.08, 9.9]])
    a = fields[rng.integers(0, 4, n)] + rng.normal(0, 0.04, (n, 2))
    b = fields[rng.integers(0, 2, n)] + [2.0, 2.0] + rng.normal(0, 0.04, (n, 2))
    ends = np.column_stack([a, b])
    dur = rng.choice([3600.0, 3700.0, 3950.0, 7200.0], n) + rng.uniform(0, 100, n)
    t0 = rng.choice([0.0, 600.0, 86400.0, 2 * 86400.0], n) + rng.uniform(0, 60, n)
    good = rng.uniform(size=n) > 0.1
    p = ReplayParams()
    ia, ib = identity._endpoint_pairs(ends, dur, t0, good, p)
    expected = _brute_pairs(ends, dur, t0, good, p)
    assert len(expected) > 100  # the case is not empty
    assert list(zip(ia.tolist(), ib.tolist(), strict=True)) == sorted(expected)


def _copies(n_copies: int, n_other: int) -> tuple[identity._Tracks, list[slice]]:
    """``n_copies`` legs flying one track, a day apart, and ``n_other`` legs 2 km to the east of it (not replays)."""
    t_leg = np.arange(0, 3600, 10, dtype=np.int64)  # one position every 10 s for an hour
    lat = 40.0 + t_leg / 3600.0
    lon = 30.0 + 0.5 * t_leg / 3600.0
    alt = 5000.0 + t_leg
    ts, lats, lons, alts, spans = [], [], [], [], []
    for k in range(n_copies + n_other):
        start = len(np.concatenate(ts)) if ts else 0
        ts.append((k * 86400 + t_leg) * 10**9)
        lats.append(lat)
        lons.append(lon + (0.0 if k < n_copies else 0.0235 * (k - n_copies + 1)))  # 2 km (and more) east at 40° N
        alts.append(alt)
        spans.append(slice(start, start + len(t_leg)))
    tr = identity._Tracks(keys=np.array(["a"] * sum(map(len, ts)), dtype=object), t=np.concatenate(ts), lat=np.concatenate(lats),
                          lon=np.concatenate(lons), alt=np.concatenate(alts))
    return tr, spans


def test_copies_of_one_track_are_each_found_within_a_bounded_number_of_alignments(monkeypatch: pytest.MonkeyPatch) -> None:
    # 30 copies of one track a day apart (435 pairs) and 3 tracks 2, 4 and 6 km away: every copy must be found
    # to replay another, none of the others, and at most max_tries alignments per leg may be spent
    n_copies, n_other = 30, 3
    tr, spans = _copies(n_copies, n_other)
    n = n_copies + n_other
    ia, ib = np.triu_indices(n, 1)
    med = np.zeros(len(ia))
    p = ReplayParams()
    calls = []
    real = identity._aligned

    def counted(*args: object, **kw: object) -> tuple[float, float, float, float]:
        calls.append(1)
        return real(*args, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(identity, "_aligned", counted)
    found = identity._matches(tr, spans, ia, ib, med, p)
    flagged = {a for a, _, _ in found} | {b for _, b, _ in found}
    assert flagged == set(range(n_copies))
    assert len(calls) <= p.max_tries * n  # 132 at most, where every pair would be 528
    for _, _, (med_km, med_ft, shift) in found:
        assert med_km == pytest.approx(0.0, abs=1e-9) and med_ft == 0.0 and shift == 0.0
