"""Charts of a ``sorties`` scenario: sorties per week, the event study, ground times at the far field (see :mod:`flighttrace.viz.charts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flighttrace.timefmt import fmt_duration
from flighttrace.viz import GREY, PALETTE
from flighttrace.viz.chartbase import (
    _BARS,
    _WINDOW,
    HATCH,
    _bottom_panels,
    _count_bars,
    _events_frame,
    _fmt_span,
    _frame,
    _grid,
    _hatch_gaps,
    _hatch_spans,
    _integer_ticks,
    _local,
    _new_figure,
    _nothing_to_show,
    _plain,
    _style,
    _tz_of,
    _uncovered_spans,
)
from flighttrace.viz.chartstyle import DEFAULT_STYLE, ChartStyle

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["event_study_plot", "ground_times_plot", "sorties_per_week"]

# --------------------------------------------------------------------------- sorties per week


def _shade_events(ax: Any, ev: pd.DataFrame, tr: Any, limits: tuple[Any, Any] | None) -> None:
    """Each event's window (light) and the event itself (dark), numbered above the axes; close numbers stacked.

    ``limits`` are the x-axis limits (``None``: the axes fit the events). Only the events whose window reaches into
    them are drawn; a number sits at the event's start, or at the edge of the axes when the event began before it.
    A number drawn outside the axes would be counted by the layout, which then shrinks the axes to nothing.
    """
    import matplotlib.dates as mdates

    shown = _events_shown(ev, limits)
    lo, hi = (mdates.date2num(limits[0]), mdates.date2num(limits[1])) if limits is not None else (-np.inf, np.inf)
    span_days = max(hi - lo, 1.0) if limits is not None else 1.0
    last_x = -np.inf
    level = 0
    for k, r in enumerate(ev.itertuples()):
        if not shown[k]:
            continue
        ax.axvspan(r.window_start, r.window_end, color=_WINDOW, alpha=0.13, linewidth=0, zorder=0)
        ax.axvspan(r.start, r.end, color=_WINDOW, alpha=0.45, linewidth=0, zorder=0)
        pos = float(np.clip(mdates.date2num(r.start), lo, hi))
        level = level + 1 if (pos - last_x) < 0.018 * span_days and level < 3 else 0
        last_x = pos
        ax.text(pos, 1.0 + 0.045 * level, str(k + 1), transform=tr, ha="center", va="bottom",
                fontsize=7, fontweight="bold", color="#7A4A00", clip_on=False)


def _events_shown(ev: pd.DataFrame, limits: tuple[Any, Any] | None) -> np.ndarray:
    """Per event (row of :func:`_events_frame`), whether its window reaches into the x-axis ``limits`` (``None``: all)."""
    if limits is None or not len(ev):
        return np.ones(len(ev), dtype=bool)
    lo, hi = pd.Timestamp(limits[0]), pd.Timestamp(limits[1])
    return ((pd.to_datetime(ev["window_end"]) > lo) & (pd.to_datetime(ev["window_start"]) < hi)).to_numpy(dtype=bool)


def _numbers_in_words(numbers: list[int]) -> str:
    """``1``, ``1 and 2``, ``1, 2 and 5``."""
    text = [str(n) for n in numbers]
    return text[0] if len(text) == 1 else f"{', '.join(text[:-1])} and {text[-1]}"


def sorties_per_week(
    series_week: pd.DataFrame,
    events: pd.DataFrame | None = None,
    coverage: pd.DataFrame | None = None,
    *,
    title: str = "Sorties per week",
    style: ChartStyle = DEFAULT_STYLE,
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
    style
        Source line, synthetic caption, time zone of the weeks, width
        (:class:`~flighttrace.viz.chartstyle.ChartStyle`).
    height_in
        Figure height, inches.

    Returns
    -------
    matplotlib.figure.Figure
        One axes; bars for weeks with data only (a week without data has no
        bar: it is hatched, not zero).
    """
    import matplotlib.dates as mdates
    from matplotlib.patches import Patch
    from matplotlib.transforms import blended_transform_factory

    zone = _tz_of(series_week, coverage, column="period_start", tz=style.tz)
    ev = _events_frame(events, zone)
    wk = series_week.sort_values("period_start", kind="stable")
    x = _local(wk["period_start"].to_numpy(), zone)
    y = pd.to_numeric(wk["sorties"], errors="coerce").to_numpy(dtype=float)
    has = np.isfinite(y)
    if coverage is not None and len(coverage):
        days = _local(coverage["date"].to_numpy(), zone).dt.normalize()
        spans = _uncovered_spans(days, coverage["covered"].to_numpy(dtype=bool))
    else:
        starts = x.iloc[np.flatnonzero(~has)]
        spans = list(zip(starts, starts + pd.Timedelta(days=7), strict=True))
    lo = min([x.min()] + [s for s, _ in spans]) if len(x) else None
    hi = max([x.max() + pd.Timedelta(days=7)] + [e for _, e in spans]) if len(x) else None
    limits = (lo, hi) if lo is not None else None
    notes = []
    if len(ev):
        keys = [f"{k + 1}\u2009{r.name} ({_fmt_span(r.start_utc, r.end_utc)})" for k, r in enumerate(ev.itertuples())]  # escaped by _frame
        notes.append("Events (UTC dates): " + "; ".join(keys) + ".")
        outside = [k + 1 for k in np.flatnonzero(~_events_shown(ev, limits)).tolist()]
        if outside:
            notes.append(f"{'Event' if len(outside) == 1 else 'Events'} {_numbers_in_words(outside)} "
                         f"{'falls' if len(outside) == 1 else 'fall'} outside the weeks shown.")
    with _style():
        fig = _new_figure(style.width_in, height_in + 0.16 * max(0, len(" ".join(notes)) // int(style.width_in * 16)))
        ax = fig.add_subplot()
        _count_bars(ax, x[has].to_numpy(), y[has], width=6.0, align="edge", color=_BARS, edgecolor="none", zorder=2, label="Sorties in the week (days with data)")
        _hatch_spans(ax, spans, label="No data that day: not counted (not zero)")
        tr = blended_transform_factory(ax.transData, ax.transAxes)
        _shade_events(ax, ev, tr, limits)
        ymax = float(np.nanmax(y)) if has.any() else 1.0
        ax.set_ylim(0, max(1.0, ymax) * 1.12)
        if lo is not None:
            ax.set_xlim(lo, hi)
        _integer_ticks(ax.yaxis)
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
        _frame(fig, title=title, source=style.source, tz=zone, synthetic=style.synthetic, notes=notes, legend=handles)
    return fig


# --------------------------------------------------------------------------- event study


def event_study_plot(
    event_study: pd.DataFrame,
    events: pd.DataFrame | None = None,
    *,
    title: str = "Sorties around conflict events",
    style: ChartStyle = DEFAULT_STYLE,
    ncols: int = 3,
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
    title
        Title of the chart.
    style
        The frame (:class:`~flighttrace.viz.chartstyle.ChartStyle`); the
        height follows the number of rows.
    ncols
        Panels per row.

    Returns
    -------
    matplotlib.figure.Figure
        One axes per event in time order; uncovered days hatched, not drawn
        as zero; the event's own days shaded; a line at day 0.
    """
    from matplotlib.patches import Patch

    zone = _tz_of(event_study, events, column="start", tz=style.tz)
    ev = _events_frame(events, zone)
    ids = list(dict.fromkeys(event_study["event_id"].astype(str))) if len(event_study) else []
    order = [e for e in ev["event_id"].astype(str) if e in ids] + [e for e in ids if e not in set(ev["event_id"].astype(str))]
    rows, cols = _grid(len(order), ncols)
    with _style():
        fig = _new_figure(style.width_in, 1.75 * rows + 1.5)
        axes = fig.subplots(rows, cols, sharex=True, sharey=True, squeeze=False)
        values = pd.to_numeric(event_study["sorties"], errors="coerce").to_numpy(dtype=float)
        ymax = float(np.nanmax(values)) if np.isfinite(values).any() else 1.0
        by_id: dict[str, Any] = {str(r.event_id): r for r in ev.itertuples()}  # rows of _events_frame (fields: its columns)
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
            _count_bars(ax, day[ok], val[ok], width=0.85, align="edge", color=_BARS, edgecolor="none", zorder=2)
            _hatch_gaps(ax, day, cov, 1.0)
            r = by_id.get(eid)
            if r is not None:
                length = max((pd.Timestamp(r.end) - pd.Timestamp(r.start)) / pd.Timedelta(days=1), 0.1)
                ax.axvspan(0.0, length, color=_WINDOW, alpha=0.35, linewidth=0, zorder=0)
                name = f"{_plain(r.name)}\n{_fmt_span(r.start_utc, r.end_utc)} (UTC)"
            else:
                name = _plain(eid)
            ax.axvline(0.0, color="#7A4A00", linewidth=0.9, zorder=3)
            ax.set_title(name, loc="left", fontsize=8.5, y=1.0)  # placed, not searched for: no axis sits above a panel
            ax.grid(axis="y")
            if len(day):
                ax.set_xlim(float(np.min(day)), float(np.max(day)) + 1.0)
        axes[0, 0].set_ylim(0, max(1.0, ymax) * 1.15)
        _integer_ticks(axes[0, 0].yaxis)
        for ax in axes[:, 0]:
            ax.set_ylabel("Sorties per day")
        for bottom in _bottom_panels(axes):
            bottom.set_xlabel(f"Days from the event's start ({zone} days)")
            bottom.xaxis.set_tick_params(labelbottom=True)
        handles = [
            Patch(facecolor=_BARS, label="Sorties that day"),
            Patch(facecolor="none", edgecolor=GREY, hatch=HATCH, linewidth=0, label="No data that day (not zero)"),
            Patch(facecolor=_WINDOW, alpha=0.35, label="The event"),
        ]
        if not order:
            _nothing_to_show(axes, "No events to show")
        _frame(fig, title=title, source=style.source, tz=zone, synthetic=style.synthetic, legend=handles, legend_cols=3)
    return fig


# --------------------------------------------------------------------------- ground times


def ground_times_plot(
    ground_times: pd.DataFrame,
    *,
    title: str = "Ground time at the far field",
    style: ChartStyle = DEFAULT_STYLE,
    height_in: float = 4.6,
    names: dict[str, str] | None = None,
) -> Figure:
    """Time on the ground at the far field, per sortie over time, and its distribution.

    Parameters
    ----------
    ground_times
        ``Findings.ground_times``: ``arrive``, ``depart``,
        ``ground_time_s``, ``exact`` (False: a lower bound, from the last
        sighting before to the first after, when the landing or the takeoff
        was not seen), ``airport``.
    title
        Title of the chart.
    style
        The frame (:class:`~flighttrace.viz.chartstyle.ChartStyle`).
    height_in
        Figure height, inches.
    names
        Field code → label for the note (``"LLOV (Ovda)"``).

    Returns
    -------
    matplotlib.figure.Figure
        Left: ground time (hours) against the arrival date; exact values as
        filled circles, lower bounds as open upward triangles. Right: a
        histogram of the same values (lower bounds hatched).
    """
    zone = _tz_of(ground_times, column="arrive", tz=style.tz)
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
        fig = _new_figure(style.width_in, height_in)
        ax, hx = fig.subplots(1, 2, sharey=True, gridspec_kw={"width_ratios": [3.2, 1.0]})
        e, lb = ok & exact, ok & ~exact
        ax.scatter(when[e].to_numpy(), hours[e], s=22, marker="o", color=_BARS, edgecolor="white", linewidth=0.4, zorder=3,
                   label=f"Exact: landing and takeoff times known ({int(e.sum())})")
        ax.scatter(when[lb].to_numpy(), hours[lb], s=30, marker="^", facecolor="none", edgecolor=PALETTE[4], linewidth=1.1, zorder=3,
                   label=f"Lower bound: an end not seen, at least this long ({int(lb.sum())})")
        if e.any():
            med = float(np.median(hours[e]))
            ax.axhline(med, color=GREY, linestyle="--", linewidth=0.9, zorder=1, label=f"Median of exact values: {fmt_duration(med * 3600.0)}")
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
        _integer_ticks(hx.xaxis)
        hx.grid(axis="x")
        where = f" at {', '.join((names or {}).get(a, a) for a in airports)}" if airports else ""  # escaped by _frame
        notes = [f"Ground time{where}: from landing to takeoff; when either was not seen, from the last sighting before to the first after (a lower bound)."]
        handles = ax.get_legend_handles_labels()[0]
        _frame(fig, title=title, source=style.source, tz=zone, synthetic=style.synthetic, notes=notes, legend=handles, legend_cols=3)
    return fig


