"""A fleet's positions indexed by aircraft and time, for the many windows one evaluation asks about.

Each claim, and each change of the robustness panel, asks of its fleet's
positions: was the fleet located only by MLAT around the window, how many of
its aircraft were heard there, and (for the claim itself) the
``fleet_visibility`` rows of :func:`flighttrace.claims.visibility.fleet_table`.
Answered row by row, each question is a pass over every position of the fleet.
:class:`FleetIndex` sorts the answers out once per fleet: the positions are in
runs, one per aircraft, in time order, so the positions of a span are found by
two look-ups per aircraft, and what a table row needs of them (the kinds of
position, each identity's changes of value) by prefix counts and sorted indices.
It gives the same values as the row-by-row functions; an evaluation keeps one
per fleet in its context (nothing is kept between evaluations).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.visibility import FLEET_COLUMNS, FleetArrays, fleet_how
from flighttrace.timeutil import from_ns

__all__ = ["FleetIndex", "fleet_index"]

_ROW = np.int32
"""Row numbers and counts kept per position (a fleet of two billion positions or more is answered row by row)."""

MOST_CHANGES = 12
"""Successive values of an identity listed per aircraft (as :func:`flighttrace.claims.visibility.fleet_table`)."""


@dataclass(frozen=True)
class _Changes:
    """Where an identity (registration, callsign, squawk) takes a new value: ``valued``, the rows with a value;
    ``steps``, the rows whose value differs from the last one before them of the same aircraft."""

    codes: np.ndarray
    names: np.ndarray
    valued: np.ndarray
    steps: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray, names: np.ndarray, run_of_row: np.ndarray) -> _Changes:
        ok = codes >= 0
        rows = np.arange(len(codes))
        before = np.r_[-1, np.maximum.accumulate(np.where(ok, rows, -1))[:-1]]  # the last row with a value, before each row
        same = (before >= run_of_row) & (codes[np.maximum(before, 0)] == codes)
        return cls(codes, names, np.flatnonzero(ok).astype(_ROW), np.flatnonzero(ok & ~same))

    def text(self, a: int, b: int) -> str:
        """The successive values of rows ``[a, b)`` of one aircraft, joined by ``→``."""
        k = int(np.searchsorted(self.valued, a, side="left"))
        if k >= len(self.valued) or (f := int(self.valued[k])) >= b:
            return ""
        later = self.steps[np.searchsorted(self.steps, f, side="right"):np.searchsorted(self.steps, b, side="left")]
        rows = np.r_[f, later[:MOST_CHANGES - 1]]
        return "→".join(str(self.names[c]) for c in self.codes[rows])


@dataclass(frozen=True)
class FleetIndex:
    """A fleet's positions (:class:`~flighttrace.claims.visibility.FleetArrays`) indexed: see the module notes.

    Attributes
    ----------
    fa
        The positions.
    lo, hi
        Each aircraft's run of rows, in row order.
    order
        The runs in the order of the aircraft's addresses.
    mlat, adsb
        Times of the MLAT and of the ADS-B positions, sorted.
    kinds
        Prefix counts of the ADS-B, MLAT and other positions (one more than rows).
    idents
        Each identity's :class:`_Changes`.
    """

    fa: FleetArrays
    lo: np.ndarray
    hi: np.ndarray
    order: np.ndarray
    mlat: np.ndarray
    adsb: np.ndarray
    kinds: dict[str, np.ndarray]
    idents: dict[str, _Changes]

    @classmethod
    def of(cls, fa: FleetArrays) -> FleetIndex | None:
        """The index, or None for legs, for rows not in aircraft and time order, or for weighted rows (the questions
        are then answered row by row)."""
        if fa.from_legs or len(fa.t0) == 0 or len(fa.t0) >= 2**31 or not (fa.weight == 1.0).all() or not np.array_equal(fa.t0, fa.t1):
            return None
        t, hc = fa.t0, fa.hex_codes
        lo = np.flatnonzero(np.r_[True, hc[1:] != hc[:-1]])
        hi = np.r_[lo[1:], len(hc)]
        step = np.diff(t) >= 0
        step[lo[1:] - 1] = True  # a new aircraft may start earlier
        if len(np.unique(hc[lo])) != len(lo) or not step.all():
            return None
        run_of_row = np.repeat(lo, hi - lo)
        kinds = {k: np.r_[0, np.cumsum(getattr(fa, k), dtype=_ROW)] for k in ("adsb", "mlat", "other")}
        idents = {c: _Changes.of(codes, names, run_of_row) for c, (codes, names) in fa.idents.items()}
        return cls(fa, lo, hi, np.argsort(hc[lo], kind="stable"), np.sort(t[fa.mlat]), np.sort(t[fa.adsb]), kinds, idents)

    def mlat_only(self, s: int, e: int) -> bool:
        """The fleet was located in ``[s, e)`` (int64 ns) by MLAT and never by an ADS-B position."""
        def n(x: np.ndarray) -> int:
            return int(np.searchsorted(x, e, side="left") - np.searchsorted(x, s, side="left"))
        return n(self.mlat) > 0 and n(self.adsb) == 0

    def _spans(self, s: int, e: int) -> list[tuple[int, int, int]]:
        """Per aircraft with a position in ``[s, e)`` (int64 ns), in address order: its code and its rows there."""
        t, out = self.fa.t0, []
        for k in self.order:  # one look-up per aircraft
            a, b = int(self.lo[k]), int(self.hi[k])
            i, j = a + int(np.searchsorted(t[a:b], s, side="left")), a + int(np.searchsorted(t[a:b], e, side="left"))
            if j > i:
                out.append((int(self.fa.hex_codes[a]), i, j))
        return out

    def heard(self, s: int, e: int) -> int:
        """How many aircraft have a position in ``[s, e)`` (int64 ns)."""
        return len(self._spans(s, e))

    def table(self, claim_id: str, fleet: str | None, start: pd.Timestamp, end: pd.Timestamp, margin: pd.Timedelta) -> pd.DataFrame:
        """:func:`~flighttrace.claims.visibility.fleet_table` of the window (the same rows and values)."""
        s, e, m = pd.Timestamp(start).value, pd.Timestamp(end).value, pd.Timedelta(margin).value
        spans = self._spans(s - m, e + m)
        t, k = self.fa.t0, len(spans)
        code = np.array([c for c, _, _ in spans], dtype=np.int64)
        a = np.array([i for _, i, _ in spans], dtype=np.int64)
        b = np.array([j for _, _, j in spans], dtype=np.int64)

        def has(kind: str) -> np.ndarray:
            return (self.kinds[kind][b] - self.kinds[kind][a]) > 0

        inside = np.array([np.searchsorted(t[i:j], e, side="left") > np.searchsorted(t[i:j], s, side="left") for i, j in zip(a, b, strict=True)],
                          dtype=bool)
        ident = {c: [ch.text(int(i), int(j)) for i, j in zip(a, b, strict=True)] for c, ch in self.idents.items()}
        out = {
            "claim_id": [claim_id] * k, "fleet": [fleet or ""] * k, "icao24": list(self.fa.hexes[code]) if k else [],
            "registration": ident.get("registration", [""] * k),
            "heard_in_window": inside, "heard_before": t[a] < s if k else np.zeros(0, dtype=bool), "heard_after": t[b - 1] >= e if k else np.zeros(0, dtype=bool),
            "first_heard": from_ns(t[a] if k else a), "last_heard": from_ns(t[b - 1] if k else b),
            "n_points": (b - a).astype(np.int64), "how": [fleet_how(x, y, z) for x, y, z in zip(has("adsb"), has("mlat"), has("other"), strict=True)],
            "callsigns": ident.get("callsign", [""] * k), "squawks": ident.get("squawk", [""] * k),
        }
        return pd.DataFrame(out, columns=list(FLEET_COLUMNS))


def fleet_index(ctx: Any, selector: str | None, fa: FleetArrays) -> FleetIndex | None:
    """The evaluation's :class:`FleetIndex` of a fleet (made once, kept in ``ctx.cache``)."""
    key = ("fleet_index", selector)
    if key not in ctx.cache:
        ctx.cache[key] = FleetIndex.of(fa)
    return ctx.cache[key]
