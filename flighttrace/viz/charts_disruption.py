"""Charts of a ``disruption`` scenario: take-offs and landings per hour against the baseline, closures shaded (see :mod:`flighttrace.viz.charts`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flighttrace.viz import GREY, PALETTE
from flighttrace.viz.chartbase import (
    _BARS,
    HATCH,
    _bottom_panels,
    _count_bars,
    _frame,
    _grid,
    _hatch_gaps,
    _integer_ticks,
    _local,
    _new_figure,
    _nothing_to_show,
    _plain,
    _style,
    _tz_of,
)
from flighttrace.viz.chartstyle import DEFAULT_STYLE, ChartStyle

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = ["movements_per_hour"]

# --------------------------------------------------------------------------- movements per hour


def _hour_panel(ax: Any, d: pd.DataFrame, closures: pd.DataFrame | None, ap: str, name: str, zone: str, red: str) -> None:
    """One field's panel: arrivals and departures per hour, the baseline and its band, closures shaded, hours without data hatched."""
    x = _local(d["hour"].to_numpy(), zone)
    xs = x.to_numpy()
    arr = pd.to_numeric(d["arrivals"], errors="coerce").to_numpy(dtype=float)
    dep = pd.to_numeric(d["departures"], errors="coerce").to_numpy(dtype=float)
    cov = d["covered"].to_numpy(dtype=bool)
    ok = cov & np.isfinite(arr)
    width = 1.0 / 24.0 * 0.85
    _count_bars(ax, xs[ok], arr[ok], width=width, align="edge", color=_BARS, edgecolor="none", zorder=2)
    _count_bars(ax, xs[ok], dep[ok], bottom=arr[ok], width=width, align="edge", color="#8FB8DE", edgecolor="none", zorder=2)
    mean = pd.to_numeric(d["baseline_mean"], errors="coerce").to_numpy(dtype=float)
    lo = pd.to_numeric(d["band_low"], errors="coerce").to_numpy(dtype=float)
    hi = pd.to_numeric(d["band_high"], errors="coerce").to_numpy(dtype=float)
    edges = np.append(xs, xs[-1] + np.timedelta64(1, "h")) if len(xs) else xs
    if len(xs):
        ax.stairs(np.nan_to_num(hi, nan=0.0), edges, baseline=np.nan_to_num(lo, nan=0.0), fill=True, color=GREY, alpha=0.22, zorder=1)
        ax.stairs(np.where(np.isfinite(mean), mean, np.nan), edges, color="#222222", linewidth=1.1, zorder=3)
    _hatch_gaps(ax, xs, cov, np.timedelta64(1, "h"))
    if closures is not None and len(closures):
        c: Any  # a closure (the fields of its row, which pandas-stubs type as any scalar)
        for c in closures[closures["airport"] == ap].itertuples():
            s0 = c.start if not pd.isna(c.start) else c.start_latest
            e0 = c.end if not pd.isna(c.end) else c.end_earliest
            lo_s = c.start_earliest if not pd.isna(c.start_earliest) else s0
            hi_e = c.end_latest if not pd.isna(c.end_latest) else e0
            t = _local([lo_s, s0, e0, hi_e], zone).to_numpy()
            ax.axvspan(t[0], t[3], color=red, alpha=0.12, linewidth=0, zorder=0)
            ax.axvspan(t[1], t[2], color=red, alpha=0.30, linewidth=0, zorder=0)
    ax.set_title(_plain(name), loc="left", fontsize=8.5, y=1.0)  # placed, not searched for: no axis sits above a panel
    ax.grid(axis="y")
    top = np.nanmax(np.r_[np.nan_to_num(arr + dep), np.nan_to_num(hi), [1.0]])
    ax.set_ylim(0, float(top) * 1.15)
    _integer_ticks(ax.yaxis)
    if len(xs):
        ax.set_xlim(xs[0], edges[-1])


def _hour_legend(weeks: int, band_level: float, red: str) -> list[Any]:
    """The legend of :func:`movements_per_hour` (the baseline's entries only when a week before had data: else none is drawn)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    from flighttrace.numfmt import fmt_n

    return [
        Patch(facecolor=_BARS, label="Landings that hour"),
        Patch(facecolor="#8FB8DE", label="Take-offs that hour"),
        *([Line2D([0], [0], color="#222222", linewidth=1.1, label=f"Baseline: mean of the same hour, previous {fmt_n(weeks, 'week')}"),
           Patch(facecolor=GREY, alpha=0.22, label=f"Baseline band ({band_level:.0%} Poisson)")] if weeks > 0 else []),  # no week: none drawn
        Patch(facecolor=red, alpha=0.30, label="Closure (estimated; light: uncertainty)"),
        Patch(facecolor="none", edgecolor=GREY, hatch=HATCH, linewidth=0, label="No data that hour (not zero)"),
    ]


def movements_per_hour(
    hourly: pd.DataFrame,
    closures: pd.DataFrame | None = None,
    *,
    airports: list[str] | tuple[str, ...] | None = None,
    start: pd.Timestamp | None = None,
    end: pd.Timestamp | None = None,
    names: dict[str, str] | None = None,
    title: str = "Take-offs and landings per hour",
    style: ChartStyle = DEFAULT_STYLE,
    ncols: int = 2,
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
    title
        Title of the chart.
    style
        The frame (:class:`~flighttrace.viz.chartstyle.ChartStyle`); the
        hours are drawn in its ``tz``, the height follows the number of rows.
    ncols
        Panels per row.
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

    zone = _tz_of(hourly, column="hour", tz=style.tz)
    h = hourly.copy()
    if start is not None:
        h = h[h["hour"] >= start]
    if end is not None:
        h = h[h["hour"] < end]
    aps = list(airports) if airports is not None else list(dict.fromkeys(h["airport"].astype(str)))
    rows, cols = _grid(len(aps), ncols)
    names = names or {}
    red = PALETTE[4]  # vermillion: closures
    weeks = int(h["baseline_weeks"].max()) if len(h) and "baseline_weeks" in h else 0
    with _style():
        fig = _new_figure(style.width_in, 2.1 * rows + 1.7)
        axes = fig.subplots(rows, cols, sharex=True, squeeze=False)
        for k, ax in enumerate(axes.flat):
            if k >= len(aps):
                ax.set_visible(False)
                continue
            _hour_panel(ax, h[h["airport"] == aps[k]].sort_values("hour", kind="stable"), closures, aps[k], names.get(aps[k], aps[k]), zone, red)
        for ax in axes[:, 0]:
            ax.set_ylabel("Movements per hour")
        loc = mdates.HourLocator(byhour=range(0, 24, 3))
        for bottom in _bottom_panels(axes):
            bottom.set_xlabel(f"Hour ({zone})")
            bottom.xaxis.set_tick_params(labelbottom=True)
            bottom.xaxis.set_major_locator(loc)
            bottom.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M"))
        if not aps:
            _nothing_to_show(axes, "No movements to show")
        handles = _hour_legend(weeks, band_level, red)
        day = _local([h["hour"].min()], zone).iloc[0] if len(h) else None
        notes = [f"Hours of {day:%-d %B %Y} ({zone})." if day is not None else ""]
        notes.append("A closure is a run with no take-off or landing where the baseline expected so many that an ordinary day "
                     f"would show such a gap with probability below {closure_alpha:.0%}; quiet hours with little scheduled traffic are never closures.")
        src = (style.source or "Source: flighttrace analysis").rstrip()
        if zone not in src:
            src = f"{src}{'' if src.endswith('.') else '.'} Hours in {zone}."
        _frame(fig, title=title, source=src, tz=zone, synthetic=style.synthetic, notes=[x for x in notes if x], legend=handles, legend_cols=3)
    return fig


