"""A fleet's positions indexed by aircraft and time, for the many windows one evaluation asks about.

Each claim, and each change of the robustness panel, asks of its fleet's
positions: was the fleet located only by MLAT around the window, how many of
its aircraft were heard there, and (for the claim itself) the
``fleet_visibility`` rows of :func:`flighttrace.claims.visibility.fleet_table`.
Answered row by row, each question is a pass over every position of the fleet.
:class:`FleetIndex` sorts the answers out once per fleet: the positions are in
runs, one per aircraft, in time order, so the positions of a span are found by
two look-ups per aircraft, and what a table row needs of them (the kinds of
position, each identity's changes of value) from those rows alone and the few rows where a value changes.
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

MOST_CHANGES = 12
"""Successive values of an identity listed per aircraft (as :func:`flighttrace.claims.visibility.fleet_table`)."""


@dataclass(frozen=True)
class _Changes:
    """Where an identity (registration, callsign, squawk) takes a new value: ``steps``, the rows whose value differs
    from the last one before them of the same aircraft (few: kept as row numbers)."""

    codes: np.ndarray
    names: np.ndarray
    steps: np.ndarray

    @classmethod
    def of(cls, codes: np.ndarray, names: np.ndarray, run_of_row: np.ndarray) -> _Changes:
        ok = codes >= 0
        before = np.r_[-1, np.maximum.accumulate(np.where(ok, np.arange(len(codes)), -1))[:-1]]  # the last row with a value, before each
        same = (before >= run_of_row) & (codes[np.maximum(before, 0)] == codes)
        return cls(codes, names, np.flatnonzero(ok & ~same))

    def text(self, a: int, b: int) -> str:
        """The successive values of rows ``[a, b)`` of one aircraft, joined by ``→``."""
        ok = self.codes[a:b] >= 0
        if not ok.any():
            return ""
        f = a + int(np.argmax(ok))  # the first row with a value: its value starts the list
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
    mlat
        Times of the MLAT positions, sorted.
    idents
        Each identity's :class:`_Changes`.
    """

    fa: FleetArrays
    lo: np.ndarray
    hi: np.ndarray
    order: np.ndarray
    mlat: np.ndarray
    idents: dict[str, _Changes]

    @classmethod
    def of(cls, fa: FleetArrays) -> FleetIndex | None:
        """The index, or None for legs, for rows not in aircraft and time order, or for weighted rows (the questions
        are then answered row by row)."""
        if fa.from_legs or len(fa.t0) == 0 or not (fa.weight == 1.0).all() or not np.array_equal(fa.t0, fa.t1):
            return None
        t, hc = fa.t0, fa.hex_codes
        lo = np.flatnonzero(np.r_[True, hc[1:] != hc[:-1]])
        hi = np.r_[lo[1:], len(hc)]
        step = np.diff(t) >= 0
        step[lo[1:] - 1] = True  # a new aircraft may start earlier
        if len(np.unique(hc[lo])) != len(lo) or not step.all():
            return None
        run_of_row = np.repeat(lo, hi - lo)
        idents = {c: _Changes.of(codes, names, run_of_row) for c, (codes, names) in fa.idents.items()}
        return cls(fa, lo, hi, np.argsort(hc[lo], kind="stable"), np.sort(t[fa.mlat]), idents)

    def mlat_only(self, s: int, e: int) -> bool:
        """The fleet was located in ``[s, e)`` (int64 ns) by MLAT and never by an ADS-B position."""
        if np.searchsorted(self.mlat, e, side="left") == np.searchsorted(self.mlat, s, side="left"):
            return False
        return not any(self.fa.adsb[i:j].any() for _, i, j in self._spans(s, e))  # rows of one aircraft at a time

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
        t, fa, k = self.fa.t0, self.fa, len(spans)
        code = np.array([c for c, _, _ in spans], dtype=np.int64)
        a = np.array([i for _, i, _ in spans], dtype=np.int64)
        b = np.array([j for _, _, j in spans], dtype=np.int64)
        inside = np.array([np.searchsorted(t[i:j], e, side="left") > np.searchsorted(t[i:j], s, side="left") for i, j in zip(a, b, strict=True)],
                          dtype=bool)
        ident = {c: [ch.text(int(i), int(j)) for i, j in zip(a, b, strict=True)] for c, ch in self.idents.items()}
        how = [fleet_how(bool(fa.adsb[i:j].any()), bool(fa.mlat[i:j].any()), bool(fa.other[i:j].any())) for i, j in zip(a, b, strict=True)]
        out = {
            "claim_id": [claim_id] * k, "fleet": [fleet or ""] * k, "icao24": list(self.fa.hexes[code]) if k else [],
            "registration": ident.get("registration", [""] * k),
            "heard_in_window": inside, "heard_before": t[a] < s, "heard_after": t[b - 1] >= e,
            "first_heard": from_ns(t[a]), "last_heard": from_ns(t[b - 1]),
            "n_points": (b - a).astype(np.int64), "how": how,
            "callsigns": ident.get("callsign", [""] * k), "squawks": ident.get("squawk", [""] * k),
        }
        return pd.DataFrame(out, columns=list(FLEET_COLUMNS))


def fleet_index(ctx: Any, selector: str | None, fa: FleetArrays) -> FleetIndex | None:
    """The evaluation's :class:`FleetIndex` of a fleet (made once, kept in ``ctx.cache``)."""
    key = ("fleet_index", selector)
    if key not in ctx.cache:
        ctx.cache[key] = FleetIndex.of(fa)
    return ctx.cache[key]
