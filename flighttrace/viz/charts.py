"""Charts for print: sorties per week, event study, ground times, coverage calendar.

Each function takes one table of :class:`flighttrace.Findings` and returns a
matplotlib :class:`~matplotlib.figure.Figure` (built without pyplot, so
nothing is shown or kept by a GUI; in Jupyter it displays as a PNG).
:func:`save_figure` writes it as PNG and SVG with deterministic bytes.

Every chart is readable in print and says where its numbers come from:

* axes labelled with units and the time zone of its days and weeks;
* a source line at the foot (the style's ``source``, then the time zone);
* the caption "SYNTHETIC DATA — simulated by flighttrace" under the title
  when the style's ``synthetic`` is true;
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

from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from flighttrace.numfmt import fmt_n
from flighttrace.viz import GREY, PALETTE
from flighttrace.viz.chartbase import (
    _BARS,
    _NOFILE,
    _WINDOW,
    HATCH,
    SYNTHETIC_CAPTION,
    _frame,
    _local,
    _new_figure,
    _style,
    _tz_of,
    save_figure,
)
from flighttrace.viz.charts_disruption import movements_per_hour
from flighttrace.viz.charts_sorties import (
    event_study_plot,
    ground_times_plot,
    sorties_per_week,
)
from flighttrace.viz.chartstyle import DEFAULT_STYLE, ChartStyle

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "HATCH",
    "SYNTHETIC_CAPTION",
    "ChartStyle",
    "coverage_calendar",
    "event_study_plot",
    "ground_times_plot",
    "movements_per_hour",
    "save_figure",
    "sorties_per_week",
]
_ = (_WINDOW,)  # the event windows' colour, named here too (tests compare chart colours with it)

# --------------------------------------------------------------------------- coverage calendar


def _coverage_years(ax: Any, d: pd.Series, code: np.ndarray, styles: dict[int, dict[str, Any]], years: list[int], year: np.ndarray,
                    doy: np.ndarray) -> None:
    """One row per year, one column per day of the year; one broken_barh per (category, year)."""
    brk = np.r_[True, (code[1:] != code[:-1]) | (year[1:] != year[:-1]) | (np.diff(doy) != 1)]
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(d)]
    row = {y: i for i, y in enumerate(years)}
    for c in (0, 1, 2):  # few artists whatever the span
        sel = code[starts] == c
        for y in years:
            pick = sel & (year[starts] == y)
            if not pick.any():
                continue
            bars = [(float(doy[s]), float(e - s)) for s, e in zip(starts[pick], ends[pick], strict=True)]
            st = styles[c]
            ax.broken_barh(bars, (row[y] - 0.4, 0.8), facecolors=st["facecolor"], edgecolors=st["edgecolor"], hatch=st["hatch"],
                           linewidth=0.0, gid=f"coverage-{c}")


def _coverage_strip(ax: Any, d: pd.Series, code: np.ndarray, styles: dict[int, dict[str, Any]], zone: str) -> None:
    """One strip over the input's own days, dates on the axis (a short input is not drawn over whole years)."""
    import matplotlib.dates as mdates

    x = mdates.date2num(d.to_numpy())
    brk = np.r_[True, (code[1:] != code[:-1]) | (np.diff(x) != 1)]
    starts = np.flatnonzero(brk)
    ends = np.r_[starts[1:], len(d)]
    for c in (0, 1, 2):
        pick = code[starts] == c
        if pick.any():
            st = styles[c]
            ax.broken_barh([(float(x[s]), float(e - s)) for s, e in zip(starts[pick], ends[pick], strict=True)], (-0.4, 0.8),
                           facecolors=st["facecolor"], edgecolors=st["edgecolor"], hatch=st["hatch"], linewidth=0.0, gid=f"coverage-{c}")
    ax.set_xlim(float(x[0]), float(x[-1]) + 1.0)
    ax.set_ylim(0.6, -0.6)
    ax.set_yticks([])
    loc = mdates.AutoDateLocator(minticks=4, maxticks=12)
    ax.xaxis.set_major_locator(loc)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(loc))
    ax.set_xlabel(f"Day (calendar days in {zone}; {fmt_n(len(d), 'day')} of input)")


def coverage_calendar(
    coverage: pd.DataFrame,
    *,
    title: str = "Coverage of the inputs",
    style: ChartStyle = DEFAULT_STYLE,
    strip_max_days: int = 120,
) -> Figure:
    """A calendar strip per year (or, for a short input, one strip over its days): covered, file but no traffic, no file.

    Parameters
    ----------
    coverage
        ``Findings.coverage``: ``date`` (midnight in the report zone),
        ``has_file``, ``covered``.
    title
        Title of the chart.
    style
        The frame (:class:`~flighttrace.viz.chartstyle.ChartStyle`); the
        height follows the number of years.
    strip_max_days
        Inputs that span at most this many days are drawn as one strip over
        their own days (dates on the axis), not over whole years.

    Returns
    -------
    matplotlib.figure.Figure
        One row per year, one column per day of the year (or one strip over
        the days of a short input): covered days blue, days with a file but
        no traffic orange, days without any file light grey and hatched.
    """
    from matplotlib.patches import Patch

    zone = _tz_of(coverage, column="date", tz=style.tz)
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
    styles: dict[int, dict[str, Any]] = {
        0: {"facecolor": _BARS, "edgecolor": "none", "hatch": None, "label": "Covered: data with traffic"},
        1: {"facecolor": PALETTE[1], "edgecolor": "none", "hatch": None, "label": "File present, no traffic in it"},
        2: {"facecolor": _NOFILE, "edgecolor": GREY, "hatch": HATCH, "label": "No file for the day"},
    }
    short = len(d) > 0 and (d.iloc[-1] - d.iloc[0]).days + 1 <= strip_max_days
    with _style():
        fig = _new_figure(style.width_in, 2.7 if short else 0.32 * max(len(years), 1) + 2.0)
        ax = fig.add_subplot()
        if short:
            _coverage_strip(ax, d, code, styles, zone)
        elif len(d):
            _coverage_years(ax, d, code, styles, years, year, doy)
        counts = np.bincount(code, minlength=3)
        if not short:
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
                         label=f"{styles[c]['label']} ({fmt_n(int(counts[c]), 'day')})") for c in (0, 1, 2)]
        _frame(fig, title=title, source=style.source, tz=zone, synthetic=style.synthetic, legend=handles, legend_cols=3)
    return fig


