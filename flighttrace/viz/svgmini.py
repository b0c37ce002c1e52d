"""Small inline charts for the report's pages, written as SVG text: a leg end's profile, a claim's timeline.

They sit beside the figures they explain (an evidence card's leg end, a
claim's verdict), so they are small, need no script and no font file, and
are written by hand rather than by matplotlib: the same inputs give the same
bytes (every coordinate is printed with one decimal), and every text in them
is HTML-escaped. Colours follow the charts' Okabe–Ito palette; nothing is
told by colour alone (grades are also told by the height of their mark,
uncovered time by hatching).
"""

from __future__ import annotations

import html
import math
from typing import Any, Final

import numpy as np
import pandas as pd

from flighttrace.viz import GREY, PALETTE

__all__ = ["GRADE_HEIGHT", "claim_timeline", "end_profile", "nice_ceiling"]

GRADE_HEIGHT: Final[dict[str, float]] = {"observed": 1.0, "inferred": 0.7, "bridged": 0.45, "unknown": 0.3}
"""Height of an item's mark on a claim's timeline, as a share of the bar: the weaker the evidence, the shorter."""
_GRADE_COLOUR: Final = {"observed": "#1b5e20", "inferred": PALETTE[0], "bridged": PALETTE[1], "unknown": GREY}
_FIELD_BOX: Final = "#d9efd9"
_TRACK: Final = "#6b6b6b"
_DECISIVE: Final = PALETTE[4]
_FONT: Final = 'font-family="DejaVu Sans,Arial,sans-serif" font-size="9" fill="#333"'
"""The attributes of every text of these charts."""


def _f(x: float) -> str:
    """A coordinate with one decimal (``-0.0`` written as ``0.0``)."""
    return f"{round(float(x), 1) + 0.0:.1f}"


def _e(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _svg_open(cls: str, width: int, height: int, label: str) -> str:
    """The opening ``<svg>`` tag of a chart of class ``cls``, named by ``label`` for screen readers and as its tooltip."""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="{cls}" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{_e(label)}"><title>{_e(label)}</title>')


def nice_ceiling(x: float, *, minimum: float) -> float:
    """The next round number at or above ``x`` (1, 2 or 5 times a power of ten), at least ``minimum``."""
    x = max(float(x), float(minimum))
    p = 10 ** math.floor(math.log10(x))
    for m in (1, 2, 2.5, 5, 10):
        if m * p >= x - 1e-9:
            return float(m * p)
    return float(10 * p)  # pragma: no cover - the loop ends at 10


def end_profile(dist_km: np.ndarray, height_ft: np.ndarray, decisive: np.ndarray, *, label: str, field_box: tuple[float, float] | None,
                x_label: str, y_label: str = "ft above the field", width: int = 220, height: int = 96) -> str:
    """A leg end's profile: height against distance from the field, the decisive positions marked.

    Parameters
    ----------
    dist_km
        Distance of each position from the field (or from the last position
        when no field is named), km, in time order.
    height_ft
        Height of each position above the field, ft (NaN when unknown: left
        out of the line).
    decisive
        Which positions are the decisive ones (drawn as filled dots).
    label
        What the chart shows, for screen readers and as its tooltip.
    field_box
        (km, ft): the box within which a position counts as seen at the
        field (shaded), or None.
    x_label, y_label
        Axis words (the units are in them).
    width, height
        Size in pixels.

    Returns
    -------
    str
        An ``<svg>`` element, the same text for the same inputs.
    """
    left, right, top, bottom = 40.0, 8.0, 8.0, 24.0
    pw, ph = width - left - right, height - top - bottom
    d = np.asarray(dist_km, dtype=float)
    h = np.asarray(height_ft, dtype=float)
    dec = np.asarray(decisive, dtype=bool)
    ok = np.isfinite(d) & np.isfinite(h)
    box_km, box_ft = field_box if field_box is not None else (0.0, 0.0)
    x_max = nice_ceiling(float(np.max(d[ok])) if ok.any() else 1.0, minimum=max(2.0, box_km * 1.5))
    y_max = nice_ceiling(float(np.max(h[ok])) if ok.any() else 100.0, minimum=max(500.0, box_ft * 2.0))
    y_min = min(0.0, float(np.min(h[ok])) if ok.any() else 0.0)

    def px(km: float) -> float:
        return left + pw * min(max(km, 0.0), x_max) / x_max

    def py(ft: float) -> float:
        return top + ph * (1.0 - (min(max(ft, y_min), y_max) - y_min) / (y_max - y_min))

    parts = [_svg_open("profile", width, height, label)]
    if field_box is not None:
        parts.append(f'<rect x="{_f(px(0))}" y="{_f(py(box_ft))}" width="{_f(px(box_km) - px(0))}" height="{_f(py(y_min) - py(box_ft))}" '
                     f'fill="{_FIELD_BOX}"/>')
    parts.append(f'<path d="M{_f(left)} {_f(top)}V{_f(top + ph)}H{_f(left + pw)}" fill="none" stroke="#444" stroke-width="0.8"/>')
    if ok.sum() >= 2:
        # the same arithmetic as px and py, on whole columns; the coordinates are positive, so ``.1f`` writes what _f writes
        xs = left + pw * np.minimum(np.maximum(d[ok], 0.0), x_max) / x_max
        ys = top + ph * (1.0 - (np.minimum(np.maximum(h[ok], y_min), y_max) - y_min) / (y_max - y_min))
        pts = " ".join(map("{:.1f},{:.1f}".format, xs.tolist(), ys.tolist()))
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{_TRACK}" stroke-width="1.2"/>')
    for a, b in zip(d[ok & dec].tolist(), h[ok & dec].tolist(), strict=True):  # a few decisive positions
        parts.append(f'<circle cx="{_f(px(a))}" cy="{_f(py(b))}" r="2.6" fill="{_DECISIVE}"/>')
    if field_box is not None:  # the field
        parts.append(f'<path d="M{_f(left - 4)} {_f(py(0) + 4)}h8l-4 -7z" fill="#222"/>')
    parts.append(f'<text x="{_f(left - 3)}" y="{_f(top + 7)}" text-anchor="end" {_FONT}>{_e(f"{y_max:,.0f}")}</text>')
    parts.append(f'<text x="{_f(left - 3)}" y="{_f(top + ph)}" text-anchor="end" {_FONT}>{_e(f"{y_min:,.0f}")}</text>')
    parts.append(f'<text x="{_f(left)}" y="{_f(height - 12)}" {_FONT}>0</text>')
    parts.append(f'<text x="{_f(left + pw)}" y="{_f(height - 12)}" text-anchor="end" {_FONT}>{_e(f"{x_max:g}")}</text>')
    parts.append(f'<text x="{_f(left + pw / 2)}" y="{_f(height - 2)}" text-anchor="middle" {_FONT}>{_e(x_label)}</text>')
    parts.append(f'<text x="{_f(left + 4)}" y="{_f(top + 7)}" {_FONT}>{_e(y_label)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def claim_timeline(start: pd.Timestamp, end: pd.Timestamp, uncovered: list[tuple[pd.Timestamp, pd.Timestamp]], items: pd.DataFrame, *,
                   label: str, key: str, tz: str | None = None, width: int = 240, height: int = 46) -> str:
    """A claim's window as a bar: covered time plain, uncovered time hatched, the flights seen as marks.

    Parameters
    ----------
    start, end
        The claim's window (UTC, end exclusive).
    uncovered
        Spans of the window the inputs did not cover (UTC, end exclusive).
    items
        What the claim counted: ``time`` (UTC) and ``grade``; each is a mark,
        as tall as its grade is strong (:data:`GRADE_HEIGHT`) and coloured by
        it.
    label
        What the chart shows, for screen readers and as its tooltip.
    key
        A short id unique on the page (its hatch pattern is named after it).
    tz
        A zone whose days label the ends when the window runs from one of
        its midnights to another (else the labels are UTC days).
    width, height
        Size in pixels.

    Returns
    -------
    str
        An ``<svg>`` element, the same text for the same inputs.
    """
    left, right, top = 4.0, 4.0, 4.0
    bar_h = height - top - 16.0
    pw = width - left - right
    t0, t1 = pd.Timestamp(start).value, pd.Timestamp(end).value
    span = max(t1 - t0, 1)

    def px(t: Any) -> float:
        return left + pw * min(max((pd.Timestamp(t).value - t0) / span, 0.0), 1.0)

    pid = "h-" + "".join(ch if ch.isalnum() or ch == "-" else "-" for ch in key)
    parts = [_svg_open("timeline", width, height, label),
             f'<defs><pattern id="{_e(pid)}" width="4" height="4" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
             f'<rect width="4" height="4" fill="#fff"/><line x1="0" y1="0" x2="0" y2="4" stroke="{GREY}" stroke-width="1.6"/></pattern></defs>',
             f'<rect x="{_f(left)}" y="{_f(top)}" width="{_f(pw)}" height="{_f(bar_h)}" fill="#eef3f8" stroke="#8a9bb0" stroke-width="0.8"/>']
    for a, b in uncovered:  # runs of uncovered days: few
        x0, x1 = px(a), px(b)
        if x1 - x0 > 0:
            parts.append(f'<rect x="{_f(x0)}" y="{_f(top)}" width="{_f(max(x1 - x0, 0.8))}" height="{_f(bar_h)}" fill="url(#{_e(pid)})"/>')
    if len(items):
        t = pd.to_datetime(items["time"], utc=True)
        grades = items["grade"].astype(str).tolist()
        for when, g in sorted(zip(t.tolist(), grades, strict=True), key=lambda p: (GRADE_HEIGHT.get(p[1], 0.3), p[0].value)):
            if pd.isna(when):
                continue
            x = px(when)
            hh = bar_h * GRADE_HEIGHT.get(g, 0.3)
            parts.append(f'<rect x="{_f(x - 0.6)}" y="{_f(top + bar_h - hh)}" width="1.2" height="{_f(hh)}" fill="{_GRADE_COLOUR.get(g, GREY)}"/>')
    a, last = pd.Timestamp(start), pd.Timestamp(end) - pd.Timedelta(microseconds=1)
    if tz and tz != "UTC" and a.tzinfo is not None:
        la, lb = a.tz_convert(tz), pd.Timestamp(end).tz_convert(tz)
        if la == la.normalize() and lb == lb.normalize():
            a, last = la, last.tz_convert(tz)
    a_txt, b_txt = f"{a:%Y-%m-%d}", f"{last:%Y-%m-%d}"
    parts.append(f'<text x="{_f(left)}" y="{_f(height - 3)}" {_FONT}>{_e(a_txt)}</text>')
    if b_txt != a_txt:
        parts.append(f'<text x="{_f(left + pw)}" y="{_f(height - 3)}" text-anchor="end" {_FONT}>{_e(b_txt)}</text>')
    parts.append("</svg>")
    return "".join(parts)
