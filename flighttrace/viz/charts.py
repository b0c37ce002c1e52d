"""Charts for print: sorties per week, event study, ground times, coverage calendar.

Each function takes one table of :class:`flighttrace.Findings` and returns a
matplotlib :class:`~matplotlib.figure.Figure` (built without pyplot, so
nothing is shown or kept by a GUI; in Jupyter it displays as a PNG).
:func:`save_figure` writes it as PNG and SVG with deterministic bytes.

Every chart is readable in print and says where its numbers come from:

* axes labelled with units and the time zone of its days and weeks;
* a source line at the foot (``source=``, then the time zone);
* the caption "SYNTHETIC DATA — simulated by flighttrace" under the title
  when ``synthetic=True``;
* days without data are **hatched**, never drawn as zero;
* Okabe–Ito colours (safe for colour-vision deficiencies), and hatching or
  marker shape wherever colour alone would carry meaning.

Tables (columns used; times tz-aware):

``coverage``
    ``date`` (midnight in the report zone), ``has_file``, ``covered``
    (bool), ``tz`` (optional), ``n_points`` / ``reason`` (not needed).
``series["week"]``
    ``period_start``, ``sorties`` (NaN when no day of the week is
    covered), ``days``, ``days_covered``, ``tz`` (optional).
``events``
    ``event_id``, ``name``, ``start``, ``end`` (exclusive),
    ``window_start``, ``window_end``.
``event_study``
    ``event_id``, ``day`` (int, days from the event's start), ``sorties``
    (NaN when uncovered), ``covered``.
``ground_times``
    ``sortie_id``, ``airport``, ``arrive``, ``depart``, ``ground_time_s``,
    ``exact`` (bool), ``evidence``.
``disruption.hourly`` (:func:`flighttrace.kinds.disruption.analysis.hourly_movements`)
    ``airport``, ``hour`` (UTC), ``arrivals``, ``departures``,
    ``movements`` (NaN when uncovered), ``covered``, ``baseline_mean``,
    ``band_low``, ``band_high``, ``baseline_weeks``, ``tz``.
``disruption.closures``
    ``airport``, ``start``, ``end`` (estimates), ``start_earliest``,
    ``start_latest``, ``end_earliest``, ``end_latest``.
"""

from __future__ import annotations

import hashlib
import io
import math
import re
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np
import pandas as pd

from flighttrace.viz import GREY, PALETTE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

__all__ = [
    "sorties_per_week",
    "event_study_plot",
    "ground_times_plot",
    "coverage_calendar",
    "movements_per_hour",
    "save_figure",
    "SYNTHETIC_CAPTION",
    "HATCH",
]

SYNTHETIC_CAPTION: Final = "SYNTHETIC DATA \u2014 simulated by flighttrace"
"""Caption of every chart made from simulated data."""
HATCH: Final = "////"
"""Hatch pattern of days without data."""

_SYNTH_RED: Final = "#B00020"
_WINDOW: Final = PALETTE[1]  # orange: event windows
_BARS: Final = PALETTE[0]  # blue: counts
_NOFILE: Final = "#DDDDDD"
_RC: Final[dict[str, Any]] = {
    "font.family": "DejaVu Sans",
    "font.size": 9,
    "axes.titlesize": 9.5,
    "axes.labelsize": 9,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.axisbelow": True,
    "grid.color": "#DDDDDD",
    "grid.linewidth": 0.6,
    "hatch.linewidth": 0.7,
    "svg.hashsalt": "flighttrace",
    "svg.fonttype": "path",
    "path.simplify": True,
}
_HEAD_IN: Final = 0.55  # inches above the axes for the title (and caption)
_FOOT_LINE_IN: Final = 0.16  # inches per footer line


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib as mpl

    with mpl.rc_context(_RC):
        yield


def _plain(text: Any) -> str:
    """Data text shown literally by matplotlib (a ``$`` would start mathtext)."""
    return "" if text is None or (not isinstance(text, str) and pd.isna(text)) else str(text).replace("$", r"\$")


def _new_figure(width_in: float, height_in: float) -> Figure:
    from matplotlib.figure import Figure

    class ChartFigure(Figure):
        """A Figure that displays as a PNG in Jupyter without pyplot."""

        def _repr_png_(self) -> bytes:
            buf = io.BytesIO()
            with _style():
                self.savefig(buf, format="png", dpi=110, metadata={"Software": None})
            return buf.getvalue()

    return ChartFigure(figsize=(width_in, height_in), layout="constrained")


def _tz_of(*frames: pd.DataFrame | None, column: str | None = None, tz: str | None = None) -> str:
    """The time zone of a chart's days: ``tz``, a ``tz`` column, a tz-aware column's zone, or UTC."""
    if tz:
        return tz
    for f in frames:
        if f is None or len(f) == 0:
            continue
        if "tz" in f.columns and pd.notna(f["tz"].iloc[0]):
            return str(f["tz"].iloc[0])
        if column is not None and column in f.columns:
            zone = getattr(f[column].dtype, "tz", None)
            if zone is not None:
                return str(zone)
    return "UTC"


def _local(values: Any, tz: str) -> pd.Series:
    """Times as naive local times of ``tz`` (what matplotlib's date axis draws); naive input is taken as UTC."""
    s = pd.to_datetime(pd.Series(values), utc=True)
    return s.dt.tz_convert(tz).dt.tz_localize(None)


def _frame(fig: Figure, *, title: str, source: str | None, tz: str, synthetic: bool, notes: list[str] | None = None,
           legend: list[Any] | None = None, legend_cols: int = 4) -> None:
    """Title, synthetic caption, legend, notes and source line around the axes (space kept by the layout rect)."""
    w, h = fig.get_size_inches()
    chars = max(40, int(w * 16))  # ~ characters of 7.5 pt text per line
    src = (source or "Source: flighttrace analysis").rstrip()
    if tz not in src:
        src = f"{src}{'' if src.endswith('.') else '.'} Days and weeks in {tz}."
    foot = [line for n in (notes or []) for line in textwrap.wrap(n, chars)] + textwrap.wrap(src, chars)
    head = _HEAD_IN + (0.2 if synthetic else 0.0)
    foot_in = len(foot) * _FOOT_LINE_IN + 0.08
    legend_rows = math.ceil(len(legend) / legend_cols) if legend else 0
    bottom = (foot_in + 0.22 * legend_rows + (0.06 if legend_rows else 0.0)) / h
    fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, 1.0 - bottom - head / h))  # (left, bottom, width, height)
    if legend:
        fig.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, (foot_in + 0.02) / h), ncols=legend_cols, frameon=False)
    fig.text(0.012, 1.0 - 0.1 / h, _plain(title), ha="left", va="top", fontsize=12, fontweight="bold")
    if synthetic:
        fig.text(0.012, 1.0 - 0.38 / h, SYNTHETIC_CAPTION, ha="left", va="top", fontsize=9.5, fontweight="bold", color=_SYNTH_RED)
    fig.text(0.012, 0.06 / h, "\n".join(_plain(x) for x in foot), ha="left", va="bottom", fontsize=7.5, color="#333333", linespacing=1.25)


def _runs(mask: np.ndarray) -> list[tuple[int, int]]:
    """(start, end exclusive) index pairs of the runs of True in a bool array."""
    m = np.r_[False, np.asarray(mask, dtype=bool), False]
    d = np.diff(m.astype(np.int8))
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist()))


def _uncovered_spans(days: pd.Series, covered: np.ndarray) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """Runs of consecutive uncovered days as (first day, day after the last), naive local."""
    order = np.argsort(days.to_numpy())
    d = days.to_numpy()[order]
    cov = np.asarray(covered, dtype=bool)[order]
    if len(d) == 0:
        return []
    # consecutive calendar days only: a break in the dates also breaks a run
    step = np.r_[True, np.diff(d) != np.timedelta64(1, "D")]
    out = []
    for a, b in _runs(~cov):
        inner = (np.flatnonzero(step[a + 1 : b]) + a + 1).tolist()
        edges = [a, *inner, b]
        for s, e in zip(edges[:-1], edges[1:]):
            out.append((pd.Timestamp(d[s]), pd.Timestamp(d[e - 1]) + pd.Timedelta(days=1)))
    return out


def _hatch_spans(ax: Axes, spans: list[tuple[Any, Any]], *, label: str | None) -> None:
    for k, (a, b) in enumerate(spans):
        ax.axvspan(a, b, facecolor="none", edgecolor=GREY, hatch=HATCH, linewidth=0.0, zorder=0.5, label=label if k == 0 else None)


def _events_frame(events: pd.DataFrame | None, tz: str) -> pd.DataFrame:
    """Events with naive local start/end/window columns, sorted by start."""
    cols = ["event_id", "name", "start", "end", "window_start", "window_end", "start_utc", "end_utc"]
    if events is None or len(events) == 0:
        return pd.DataFrame(columns=cols)
    ev = events.copy()
    if "event_id" not in ev and "id" in ev:
        ev["event_id"] = ev["id"]
    if "name" not in ev:
        ev["name"] = ev["event_id"]
    for c, fallback in (("window_start", "start"), ("window_end", "end")):
        if c not in ev:
            ev[c] = ev[fallback]
    ev["start_utc"] = _local(ev["start"].to_numpy(), "UTC").to_numpy()
    ev["end_utc"] = _local(ev["end"].to_numpy(), "UTC").to_numpy()
    for c in ("start", "end", "window_start", "window_end"):
        ev[c] = _local(ev[c].to_numpy(), tz).to_numpy()
    return ev.sort_values(["start", "event_id"], kind="stable").reset_index(drop=True)[cols]


def _fmt_span(start: pd.Timestamp, end: pd.Timestamp) -> str:
    last = pd.Timestamp(end) - pd.Timedelta(microseconds=1)
    s = pd.Timestamp(start)
    if s.normalize() == last.normalize():
        return f"{s:%-d %b %Y}"
    if s.year == last.year:
        return f"{s:%-d %b} \u2013 {last:%-d %b %Y}"
    return f"{s:%-d %b %Y} \u2013 {last:%-d %b %Y}"


# --------------------------------------------------------------------------- sorties per week


def sorties_per_week(
    series_week: pd.DataFrame,
    events: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    *,
    title: str = "Sorties per week",
    source: str | None = None,
    synthetic: bool = False,
    tz: str | None = None,
    width_in: float = 10.0,
    height_in: float = 4.8,
) -> Figure:
    """Bars of sorties per week, conflict windows shaded, days without data hatched.

    Parameters
    ----------
    series_week
        ``Findings.series["week"]``: ``period_start``, ``sorties`` (NaN when
        no day of the week was covered), ``days``, ``days_covered``.
    events
        ``Findings.events``: each event is shaded from ``window_start`` to
        ``window_end`` (light) and from ``start`` to ``end`` (dark), and
        numbered; the key is printed under the chart.
    coverage
        ``Findings.coverage``: every uncovered day is hatched. Without it,
        the weeks without a covered day are hatched.
    title
        Title of the chart.
    source
        Source line, e.g. ``"Source: flighttrace analysis of 257 files"``;
        the time zone is appended when it is not named.
    synthetic
        Add the "SYNTHETIC DATA" caption (data from the simulator).
    tz
        Time zone of the weeks; default the tables' ``tz`` column.
    width_in, height_in
        Figure size, inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; bars for weeks with data only (a week without data has no
        bar: it is hatched, not zero).
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    zone = _tz_of(series_week, coverage, column="period_start", tz=tz)
    ev = _events_frame(events, zone)
    notes = []
    if len(ev):
        keys = [f"{k + 1}\u2009{r.name} ({_fmt_span(r.start_utc, r.end_utc)})" for k, r in enumerate(ev.itertuples())]  # escaped by _frame
        notes.append("Events (UTC dates): " + "; ".join(keys) + ".")
    with _style():
        fig = _new_figure(width_in, height_in + 0.16 * max(0, len(" ".join(notes)) // int(width_in * 16)))
        ax = fig.add_subplot()
        wk = series_week.sort_values("period_start", kind="stable")
        x = _local(wk["period_start"].to_numpy(), zone)
        y = pd.to_numeric(wk["sorties"], errors="coerce").to_numpy(dtype=float)
        has = np.isfinite(y)
        ax.bar(x[has].to_numpy(), y[has], width=6.0, align="edge", color=_BARS, edgecolor="none", zorder=2, label="Sorties in the week (days with data)")
        if coverage is not None and len(coverage):
            days = _local(coverage["date"].to_numpy(), zone).dt.normalize()
            spans = _uncovered_spans(days, coverage["covered"].to_numpy(dtype=bool))
        else:
            spans = [(x.iat[i], x.iat[i] + pd.Timedelta(days=7)) for i in np.flatnonzero(~has)]
        _hatch_spans(ax, spans, label="No data that day: not counted (not zero)")
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        lo = min([x.min()] + [s for s, _ in spans]) if len(x) else None
        hi = max([x.max() + pd.Timedelta(days=7)] + [e for _, e in spans]) if len(x) else None
        last_x = -np.inf
        level = 0
        span_days = (hi - lo).days if lo is not None else 1
        for k, r in enumerate(ev.itertuples()):
            ax.axvspan(r.window_start, r.window_end, color=_WINDOW, alpha=0.13, linewidth=0, zorder=0)
            ax.axvspan(r.start, r.end, color=_WINDOW, alpha=0.45, linewidth=0, zorder=0)
            pos = mdates.date2num(r.start)
            level = level + 1 if (pos - last_x) < 0.018 * span_days and level < 3 else 0
            last_x = pos
            ax.text(r.start, 1.0 + 0.045 * level, str(k + 1), transform=tr, ha="center", va="bottom",
                    fontsize=7, fontweight="bold", color="#7A4A00", clip_on=False)
        ymax = float(np.nanmax(y)) if has.any() else 1.0
        ax.set_ylim(0, max(1.0, ymax) * 1.12)
        if lo is not None:
            ax.set_xlim(lo, hi)
        ax.yaxis.get_major_locator().set_params(integer=True)
        ax.grid(axis="y")
        ax.set_ylabel("Sorties per week (count)")
        ax.set_xlabel(f"Week starting (dates in {zone})")
        loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
        ax.xaxis.set_major_locator(loc)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
        handles, labels = ax.get_legend_handles_labels()
        if len(ev):
            handles += [
                Patch(facecolor=_WINDOW, alpha=0.13, label="Event window (before and after)"),
                Patch(facecolor=_WINDOW, alpha=0.45, label="Event (numbered)"),
            ]
        _frame(fig, title=title, source=source, tz=zone, synthetic=synthetic, notes=notes, legend=handles)
    return fig


# --------------------------------------------------------------------------- event study


def event_study_plot(
    event_study: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    title: str = "Sorties around conflict events",
    source: str | None = None,
    synthetic: bool = False,
    tz: str | None = None,
    ncols: int = 3,
    width_in: float = 10.0,
) -> Figure:
    """Sorties by day relative to each event's start, one panel per event, same scales.

    Parameters
    ----------
    event_study
        ``Findings.event_study``: ``event_id``, ``day`` (days from the
        event's start; day 0 is the first day), ``sorties`` (NaN when the
        day is not covered), ``covered``.
    events
        ``Findings.events`` (names, and the event's length, shaded).
    title, source, synthetic, tz
        As for :func:`sorties_per_week`.
    ncols
        Panels per row.
    width_in
        Figure width, inches (the height follows the number of rows).

    Returns
    -------
    matplotlib.figure.Figure
        One axes per event in time order; uncovered days hatched, not drawn
        as zero; the event's own days shaded; a line at day 0.
    """
    from matplotlib.patches import Patch

    zone = _tz_of(event_study, events, column="start", tz=tz)
    ev = _events_frame(events, zone)
    ids = list(dict.fromkeys(event_study["event_id"].astype(str))) if len(event_study) else []
    order = [e for e in ev["event_id"].astype(str) if e in ids] + [e for e in ids if e not in set(ev["event_id"].astype(str))]
    n = max(len(order), 1)
    cols = max(1, min(ncols, n))
    rows = math.ceil(n / cols)
    with _style():
        fig = _new_figure(width_in, 1.75 * rows + 1.5)
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
        values = pd.to_numeric(event_study["sorties"], errors="coerce").to_numpy(dtype=float)
        ymax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        by_id = {str(r.event_id): r for r in ev.itertuples()}
        for k, ax in enumerate(axes.flat):
            if k >= len(order):
                ax.set_visible(False)
                continue
            eid = order[k]
            d = event_study[event_study["event_id"].astype(str) == eid].sort_values("day", kind="stable")
            day = d["day"].to_numpy(dtype=float)
            val = pd.to_numeric(d["sorties"], errors="coerce").to_numpy(dtype=float)
            cov = d["covered"].to_numpy(dtype=bool) if "covered" in d else np.isfinite(val)
            ok = cov & np.isfinite(val)
            ax.bar(day[ok], val[ok], width=0.85, align="edge", color=_BARS, edgecolor="none", zorder=2)
            spans = [(day[a], day[b - 1] + 1.0) for a, b in _runs(~cov)]
            _hatch_spans(ax, spans, label=None)
            r = by_id.get(eid)
            if r is not None:
                length = max((pd.Timestamp(r.end) - pd.Timestamp(r.start)) / pd.Timedelta(days=1), 0.1)
                ax.axvspan(0.0, length, color=_WINDOW, alpha=0.35, linewidth=0, zorder=0)
                name = f"{_plain(r.name)}\n{_fmt_span(r.start_utc, r.end_utc)} (UTC)"
            else:
                name = _plain(eid)
            ax.axvline(0.0, color="#7A4A00", linewidth=0.9, zorder=3)
            ax.set_title(name, loc="left", fontsize=8.5)
            ax.grid(axis="y")
            if len(day):
                ax.set_xlim(float(np.min(day)), float(np.max(day)) + 1.0)
        axes[0, 0].set_ylim(0, max(1.0, ymax) * 1.15)
        axes[0, 0].yaxis.get_major_locator().set_params(integer=True)
        for ax in axes[:, 0]:
            ax.set_ylabel("Sorties per day")
        for c in range(cols):
            visible = [axes[r_, c] for r_ in range(rows) if axes[r_, c].get_visible()]
            if visible:
                visible[-1].set_xlabel(f"Days from the event's start ({zone} days)")
                visible[-1].xaxis.set_tick_params(labelbottom=True)
        handles = [
            Patch(facecolor=_BARS, label="Sorties that day"),
            Patch(facecolor="none", edgecolor=GREY, hatch=HATCH, linewidth=0, label="No data that day (not zero)"),
            Patch(facecolor=_WINDOW, alpha=0.35, label="The event"),
        ]
        if not order:
            axes[0, 0].set_visible(True)
            axes[0, 0].text(0.5, 0.5, "No events to show", ha="center", va="center", transform=axes[0, 0].transAxes)
        _frame(fig, title=title, source=source, tz=zone, synthetic=synthetic, legend=handles, legend_cols=3)
    return fig


# --------------------------------------------------------------------------- ground times


def ground_times_plot(
    ground_times: pd.DataFrame,
    *,
    title: str = "Ground time at the far field",
    source: str | None = None,
    synthetic: bool = False,
    tz: str | None = None,
    width_in: float = 10.0,
    height_in: float = 4.6,
) -> Figure:
    """Time on the ground at the far field, per sortie over time, and its distribution.

    Parameters
    ----------
    ground_times
        ``Findings.ground_times``: ``arrive``, ``depart``,
        ``ground_time_s``, ``exact`` (False: a lower bound, from the last
        sighting before to the first after, when the landing or the takeoff
        was not seen), ``airport``.
    title, source, synthetic, tz
        As for :func:`sorties_per_week`.
    width_in, height_in
        Figure size, inches.

    Returns
    -------
    matplotlib.figure.Figure
        Left: ground time (hours) against the arrival date; exact values as
        filled circles, lower bounds as open upward triangles. Right: a
        histogram of the same values (lower bounds hatched).
    """
    zone = _tz_of(ground_times, column="arrive", tz=tz)
    gt = ground_times.copy()
    hours = pd.to_numeric(gt["ground_time_s"], errors="coerce").to_numpy(dtype=float) / 3600.0
    when_col = gt["arrive"] if "arrive" in gt else pd.Series(pd.NaT, index=gt.index)
    if "depart" in gt:
        # no landing time: place the point at the takeoff minus the ground time (the last sighting before it)
        before_takeoff = pd.to_datetime(gt["depart"], utc=True) - pd.to_timedelta(np.nan_to_num(hours) * 3600.0, unit="s")
        when_col = pd.to_datetime(when_col, utc=True).fillna(before_takeoff)
    when = _local(when_col.to_numpy(), zone)
    exact = gt["exact"].fillna(False).to_numpy(dtype=bool) if "exact" in gt else np.ones(len(gt), dtype=bool)
    ok = np.isfinite(hours) & when.notna().to_numpy()
    airports = sorted({str(a) for a in gt.get("airport", pd.Series(dtype=object)).dropna()})
    with _style():
        fig = _new_figure(width_in, height_in)
        ax, hx = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.2, 1.0]})
        e, lb = ok & exact, ok & ~exact
        ax.scatter(when[e].to_numpy(), hours[e], s=22, marker="o", color=_BARS, edgecolor="white", linewidth=0.4, zorder=3,
                   label=f"Exact: landing and takeoff times known ({int(e.sum())})")
        ax.scatter(when[lb].to_numpy(), hours[lb], s=30, marker="^", facecolor="none", edgecolor=PALETTE[4], linewidth=1.1, zorder=3,
                   label=f"Lower bound: an end not seen, at least this long ({int(lb.sum())})")
        if e.any():
            med = float(np.median(hours[e]))
            ax.axhline(med, color=GREY, linestyle="--", linewidth=0.9, zorder=1, label=f"Median of exact values: {med:.1f} h")
        ax.set_ylabel("Ground time (hours)")
        ax.set_xlabel(f"Arrival at the far field (dates in {zone})")
        ax.grid(axis="y")
        top = float(np.nanmax(hours[ok])) if ok.any() else 1.0
        ax.set_ylim(0, max(top, 0.5) * 1.08)
        bins = np.arange(0.0, max(top, 0.5) + 0.5, 0.5)
        hx.hist([hours[e], hours[lb]], bins=bins, orientation="horizontal", stacked=True, color=[_BARS, "white"], edgecolor=[_BARS, PALETTE[4]],
                hatch=None, linewidth=0.6, label=["Exact", "Lower bound"])
        for patch in hx.patches[len(bins) - 1:]:  # the lower-bound bars: hatched, as everywhere a value is not exact
            patch.set_hatch("\\\\\\\\")
        hx.set_xlabel("Sorties (count)")
        hx.xaxis.get_major_locator().set_params(integer=True)
        hx.grid(axis="x")
        where = f" at {', '.join(airports)}" if airports else ""  # escaped by _frame
        notes = [f"Ground time{where}: from landing to takeoff; when either was not seen, from the last sighting before to the first after (a lower bound)."]
        handles = ax.get_legend_handles_labels()[0]
        _frame(fig, title=title, source=source, tz=zone, synthetic=synthetic, notes=notes, legend=handles, legend_cols=3)
    return fig


# --------------------------------------------------------------------------- coverage calendar


def coverage_calendar(
    coverage: pd.DataFrame,
    *,
    title: str = "Coverage of the inputs",
    source: str | None = None,
    synthetic: bool = False,
    tz: str | None = None,
    width_in: float = 10.0,
) -> Figure:
    """A calendar strip per year: days covered, days with a file but no traffic, days without a file.

    Parameters
    ----------
    coverage
        ``Findings.coverage``: ``date`` (midnight in the report zone),
        ``has_file``, ``covered``.
    title, source, synthetic, tz
        As for :func:`sorties_per_week`.
    width_in
        Figure width, inches (the height follows the number of years).

    Returns
    -------
    matplotlib.figure.Figure
        One row per year, one column per day of the year: covered days
        blue, days with a file but no traffic orange, days without any file
        light grey and hatched.
    """
    from matplotlib.patches import Patch

    zone = _tz_of(coverage, column="date", tz=tz)
    cov = coverage.copy()
    days = _local(cov["date"].to_numpy(), zone).dt.normalize()
    covered = cov["covered"].fillna(False).to_numpy(dtype=bool)
    has_file = cov["has_file"].fillna(False).to_numpy(dtype=bool) if "has_file" in cov else covered.copy()
    code = np.where(covered, 0, np.where(has_file, 1, 2))  # 0 covered, 1 file but no traffic, 2 no file
    order = np.argsort(days.to_numpy(), kind="stable")
    d = days.iloc[order].reset_index(drop=True)
    code = code[order]
    year = d.dt.year.to_numpy()
    doy = d.dt.day_of_year.to_numpy() - 1
    years = sorted(set(year.tolist()))
    styles = {
        0: {"facecolor": _BARS, "edgecolor": "none", "hatch": None, "label": "Covered: data with traffic"},
        1: {"facecolor": PALETTE[1], "edgecolor": "none", "hatch": None, "label": "File present, no traffic in it"},
        2: {"facecolor": _NOFILE, "edgecolor": GREY, "hatch": HATCH, "label": "No file for the day"},
    }
    with _style():
        fig = _new_figure(width_in, 0.32 * max(len(years), 1) + 2.0)
        ax = fig.add_subplot()
        if len(d):
            brk = np.r_[True, (code[1:] != code[:-1]) | (year[1:] != year[:-1]) | (np.diff(doy) != 1)]
            starts = np.flatnonzero(brk)
            ends = np.r_[starts[1:], len(d)]
            row = {y: i for i, y in enumerate(years)}
            for c in (0, 1, 2):  # one broken_barh per (category, year): few artists whatever the span
                sel = code[starts] == c
                for y in years:
                    pick = sel & (year[starts] == y)
                    if not pick.any():
                        continue
                    bars = [(float(doy[s]), float(e - s)) for s, e in zip(starts[pick], ends[pick])]
                    st = styles[c]
                    ax.broken_barh(bars, (row[y] - 0.4, 0.8), facecolors=st["facecolor"], edgecolors=st["edgecolor"], hatch=st["hatch"],
                                   linewidth=0.0, gid=f"coverage-{c}")
        counts = np.bincount(code, minlength=3)
        ax.set_yticks(range(len(years)), [str(y) for y in years])
        ax.set_ylim(len(years) - 0.5, -0.5)
        month_starts = pd.date_range("2001-01-01", periods=12, freq="MS")
        ax.set_xticks((month_starts.day_of_year - 1).to_numpy(), [f"{m:%b}" for m in month_starts], ha="left")
        ax.set_xlim(0, 366)
        ax.set_xlabel(f"Day of the year (calendar days in {zone})")
        ax.set_ylabel("Year")
        ax.spines["left"].set_visible(False)
        ax.tick_params(axis="y", length=0)
        handles = [Patch(facecolor=styles[c]["facecolor"], edgecolor=styles[c]["edgecolor"] if c == 2 else "none", hatch=styles[c]["hatch"], linewidth=0.0,
                         label=f"{styles[c]['label']} ({int(counts[c]):,} days)") for c in (0, 1, 2)]
        _frame(fig, title=title, source=source, tz=zone, synthetic=synthetic, legend=handles, legend_cols=3)
    return fig


# --------------------------------------------------------------------------- movements per hour


def movements_per_hour(
    hourly: pd.DataFrame,
    closures: pd.DataFrame | None = None,
    *,
    airports: list[str] | tuple[str, ...] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    names: dict[str, str] | None = None,
    title: str = "Take-offs and landings per hour",
    source: str | None = None,
    synthetic: bool = False,
    tz: str | None = None,
    ncols: int = 2,
    width_in: float = 10.0,
    band_level: float = 0.95,
    closure_alpha: float = 0.05,
) -> Figure:
    """Movements per hour at each field against its baseline band, closures shaded, hours without data hatched.

    Parameters
    ----------
    hourly
        ``Disruption.hourly`` (see the module docs).
    closures
        ``Disruption.closures``: each is shaded from its estimated start to
        its estimated end (dark) and over the uncertainty of both (light).
    airports
        Fields to draw, one panel each, in this order (default: every field
        of ``hourly``).
    start, end
        The hours to draw (UTC; default all of ``hourly``).
    names
        Field code → label for the panel titles (e.g. ``"UUWW (VKO)"``).
    title, source, synthetic, tz
        As for :func:`sorties_per_week`; the hours are drawn in ``tz``.
    ncols
        Panels per row.
    width_in
        Figure width, inches (the height follows the number of rows).
    band_level, closure_alpha
        The band's probability and the closures' false-alarm rate, for the
        legend and the note (:class:`flighttrace.kinds.disruption.analysis.DisruptionParams`).

    Returns
    -------
    matplotlib.figure.Figure
        Per field: bars of arrivals (dark) and departures (light) per clock
        hour, the baseline mean (the same weekday and hour of the previous
        weeks) as a step line with its Poisson band shaded, closures shaded
        red, and hours without data hatched (never drawn as zero).
    """
    import matplotlib.dates as mdates
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    zone = _tz_of(hourly, column="hour", tz=tz)
    h = hourly.copy()
    if start is not None:
        h = h[h["hour"] >= start]
    if end is not None:
        h = h[h["hour"] < end]
    aps = list(airports) if airports is not None else list(dict.fromkeys(h["airport"].astype(str)))
    n = max(len(aps), 1)
    cols = max(1, min(ncols, n))
    rows = math.ceil(n / cols)
    names = names or {}
    red = PALETTE[4]  # vermillion: closures
    weeks = int(h["baseline_weeks"].max()) if len(h) and "baseline_weeks" in h else 0
    with _style():
        fig = _new_figure(width_in, 2.1 * rows + 1.7)
        axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(aps):
                ax.set_visible(False)
                continue
            ap = aps[k]
            d = h[h["airport"] == ap].sort_values("hour", kind="stable")
            x = _local(d["hour"].to_numpy(), zone)
            xs = x.to_numpy()
            arr = pd.to_numeric(d["arrivals"], errors="coerce").to_numpy(dtype=float)
            dep = pd.to_numeric(d["departures"], errors="coerce").to_numpy(dtype=float)
            cov = d["covered"].to_numpy(dtype=bool)
            ok = cov & np.isfinite(arr)
            width = 1.0 / 24.0 * 0.85
            ax.bar(xs[ok], arr[ok], width=width, align="edge", color=_BARS, edgecolor="none", zorder=2)
            ax.bar(xs[ok], dep[ok], bottom=arr[ok], width=width, align="edge", color="#8FB8DE", edgecolor="none", zorder=2)
            mean = pd.to_numeric(d["baseline_mean"], errors="coerce").to_numpy(dtype=float)
            lo = pd.to_numeric(d["band_low"], errors="coerce").to_numpy(dtype=float)
            hi = pd.to_numeric(d["band_high"], errors="coerce").to_numpy(dtype=float)
            edges = np.append(xs, xs[-1] + np.timedelta64(1, "h")) if len(xs) else xs
            if len(xs):
                ax.stairs(np.nan_to_num(hi, nan=0.0), edges, baseline=np.nan_to_num(lo, nan=0.0), fill=True, color=GREY, alpha=0.22, zorder=1)
                ax.stairs(np.where(np.isfinite(mean), mean, np.nan), edges, color="#222222", linewidth=1.1, zorder=3)
            spans = [(xs[a], xs[b - 1] + np.timedelta64(1, "h")) for a, b in _runs(~cov)]
            _hatch_spans(ax, spans, label=None)
            if closures is not None and len(closures):
                for c in closures[closures["airport"] == ap].itertuples():
                    s0 = c.start if not pd.isna(c.start) else c.start_latest
                    e0 = c.end if not pd.isna(c.end) else c.end_earliest
                    lo_s = c.start_earliest if not pd.isna(c.start_earliest) else s0
                    hi_e = c.end_latest if not pd.isna(c.end_latest) else e0
                    t = _local([lo_s, s0, e0, hi_e], zone).to_numpy()
                    ax.axvspan(t[0], t[3], color=red, alpha=0.12, linewidth=0, zorder=0)
                    ax.axvspan(t[1], t[2], color=red, alpha=0.30, linewidth=0, zorder=0)
            ax.set_title(_plain(names.get(ap, ap)), loc="left", fontsize=8.5)
            ax.grid(axis="y")
            top = np.nanmax(np.r_[np.nan_to_num(arr + dep), np.nan_to_num(hi), [1.0]])
            ax.set_ylim(0, float(top) * 1.15)
            ax.yaxis.get_major_locator().set_params(integer=True)
            if len(xs):
                ax.set_xlim(xs[0], edges[-1])
        for ax in axes[:, 0]:
            ax.set_ylabel("Movements per hour")
        loc = mdates.HourLocator(byhour=range(0, 24, 3))
        for c in range(cols):
            visible = [axes[r_, c] for r_ in range(rows) if axes[r_, c].get_visible()]
            if visible:
                visible[-1].set_xlabel(f"Hour ({zone})")
                visible[-1].xaxis.set_tick_params(labelbottom=True)
                visible[-1].xaxis.set_major_locator(loc)
                visible[-1].xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        if not aps:
            axes[0, 0].set_visible(True)
            axes[0, 0].text(0.5, 0.5, "No movements to show", ha="center", va="center", transform=axes[0, 0].transAxes)
        handles = [
            Patch(facecolor=_BARS, label="Landings that hour"),
            Patch(facecolor="#8FB8DE", label="Take-offs that hour"),
            Line2D([0], [0], color="#222222", linewidth=1.1, label=f"Baseline: mean of the same hour, previous {weeks} weeks"),
            Patch(facecolor=GREY, alpha=0.22, label=f"Baseline band ({band_level:.0%} Poisson)"),
            Patch(facecolor=red, alpha=0.30, label="Closure (estimated; light: uncertainty)"),
            Patch(facecolor="none", edgecolor=GREY, hatch=HATCH, linewidth=0, label="No data that hour (not zero)"),
        ]
        day = _local([h["hour"].min()], zone).iloc[0] if len(h) else None
        notes = [f"Hours of {day:%-d %B %Y} ({zone})." if day is not None else ""]
        notes.append("A closure is a run with no take-off or landing where the baseline expected so many that an ordinary day "
                     f"would show such a gap with probability below {closure_alpha:.0%}; quiet hours with little scheduled traffic are never closures.")
        src = (source or "Source: flighttrace analysis").rstrip()
        if zone not in src:
            src = f"{src}{'' if src.endswith('.') else '.'} Hours in {zone}."
        _frame(fig, title=title, source=src, tz=zone, synthetic=synthetic, notes=[x for x in notes if x], legend=handles, legend_cols=3)
    return fig


# --------------------------------------------------------------------------- saving


def save_figure(fig: Figure, path_stem: str | Path, *, dpi: int = 200) -> list[Path]:
    """Write a figure as PNG and SVG, with the same bytes on every run.

    Parameters
    ----------
    fig
        The figure.
    path_stem
        Output path without suffix (a ``.png`` or ``.svg`` suffix is
        dropped); parent folders are created.
    dpi
        Resolution of the PNG, dots per inch. Default 200 (print).

    Returns
    -------
    list of pathlib.Path
        ``[stem.png, stem.svg]``. Neither carries a date or a software
        version; the SVG's ids come from a fixed ``svg.hashsalt``, and its
        clip paths are named after what they draw (:func:`_stable_clip_ids`).
    """
    stem = Path(path_stem)
    if stem.suffix.lower() in (".png", ".svg"):
        stem = stem.with_suffix("")
    stem.parent.mkdir(parents=True, exist_ok=True)
    png, svg = stem.with_name(stem.name + ".png"), stem.with_name(stem.name + ".svg")
    buf = io.BytesIO()
    with _style():
        fig.savefig(png, format="png", dpi=dpi, metadata={"Software": None})
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    svg.write_text(_stable_clip_ids(buf.getvalue().decode("utf-8")), encoding="utf-8", newline="")
    return [png, svg]


_CLIP_DEF = re.compile(r'[ ]*<clipPath id="(p[0-9a-f]{10})">(.*?)</clipPath>\n?', re.S)
_CLIP_REF = re.compile(r'(?<=url\(#)p[0-9a-f]{10}(?=\))')


def _stable_clip_ids(svg: str) -> str:
    """An SVG from matplotlib with each clip path named after its printed geometry, and duplicates merged.

    matplotlib names a clip rectangle after a hash of its corners at full
    float precision. The layout engine's last bits can differ from one
    drawing to the next in the same process (a report built twice, or
    ``flighttrace verify`` run after ``flighttrace report``), so the same
    picture got other ids. The geometry as printed in the file is what is
    drawn: ids are hashed from it, and two clip paths that print the same are
    one.
    """
    rename: dict[str, str] = {}
    seen: set[str] = set()

    def _def(m: re.Match[str]) -> str:
        body = m.group(2)
        new = "p" + hashlib.sha256(("flighttrace-clip\n" + body).encode("utf-8")).hexdigest()[:10]
        rename[m.group(1)] = new
        if new in seen:
            return ""  # the same rectangle, already defined
        seen.add(new)
        return m.group(0).replace(m.group(1), new, 1)

    out = _CLIP_DEF.sub(_def, svg)
    if not rename:
        return svg
    return _CLIP_REF.sub(lambda m: rename.get(m.group(0), m.group(0)), out)
