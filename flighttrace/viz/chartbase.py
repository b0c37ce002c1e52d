"""What every chart of :mod:`flighttrace.viz.charts` shares: the style, the frame (title, caption, legend, notes, source line), time helpers, and deterministic saving.

Kept apart so that the charts of each scenario kind
(:mod:`flighttrace.viz.charts_sorties`, :mod:`flighttrace.viz.charts_disruption`)
and the shared coverage chart (:mod:`flighttrace.viz.charts`) use one copy.
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
from typing import TYPE_CHECKING, Any, Final, cast

import numpy as np
import pandas as pd

from flighttrace.viz import GREY, PALETTE

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.axes import Axes
    from matplotlib.axis import Axis
    from matplotlib.figure import Figure
    from matplotlib.typing import RcKeyType

__all__ = ["HATCH", "SYNTHETIC_CAPTION", "save_figure"]

SYNTHETIC_CAPTION: Final = "SYNTHETIC DATA \u2014 simulated by flighttrace"
"""Caption of every chart made from simulated data."""
HATCH: Final = "////"
"""Hatch pattern of days without data."""

_SYNTH_RED: Final = "#B00020"
_WINDOW: Final = PALETTE[1]  # orange: event windows
_BARS: Final = PALETTE[0]  # blue: counts
_NOFILE: Final = "#DDDDDD"
_RC: Final[dict[RcKeyType, Any]] = {
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
    from matplotlib.layout_engine import ConstrainedLayoutEngine

    engine = fig.get_layout_engine()
    if not isinstance(engine, ConstrainedLayoutEngine):
        raise TypeError("a chart's frame needs a figure with the constrained layout (_new_figure)")
    engine.set(rect=(0.0, bottom, 1.0, 1.0 - bottom - head / h))  # (left, bottom, width, height)
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
    return list(zip(np.flatnonzero(d == 1).tolist(), np.flatnonzero(d == -1).tolist(), strict=True))


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
        for s, e in zip(edges[:-1], edges[1:], strict=True):
            out.append((pd.Timestamp(d[s]), pd.Timestamp(d[e - 1]) + pd.Timedelta(days=1)))
    return out


def _grid(n: int, ncols: int) -> tuple[int, int]:
    """(rows, columns) of a grid of ``n`` panels (at least one), at most ``ncols`` a row."""
    n = max(n, 1)
    cols = max(1, min(ncols, n))
    return math.ceil(n / cols), cols


def _bottom_panels(axes: np.ndarray) -> list[Axes]:
    """The lowest visible panel of each column of a grid: where its x label and tick labels go."""
    out = []
    for c in range(axes.shape[1]):
        visible = [ax for ax in axes[:, c] if ax.get_visible()]
        if visible:
            out.append(visible[-1])
    return out


def _nothing_to_show(axes: np.ndarray, text: str) -> None:
    """The first panel of an empty grid, shown with a line saying what is missing."""
    axes[0, 0].set_visible(True)
    axes[0, 0].text(0.5, 0.5, text, ha="center", va="center", transform=axes[0, 0].transAxes)


def _integer_ticks(axis: Axis) -> None:
    """Whole-number ticks on a count axis (its default locator, a MaxNLocator, told so)."""
    from matplotlib.ticker import MaxNLocator

    loc = axis.get_major_locator()
    if isinstance(loc, MaxNLocator):
        loc.set_params(integer=True)


def _count_bars(ax: Axes, x: np.ndarray, height: np.ndarray, *, bottom: np.ndarray | None = None, **bar: Any) -> Any:
    """Bars of counts (``ax.bar(x, height, **bar)``), made only for the bins with something counted, and for the first bin.

    A bin counted as zero (a covered day or hour with nothing in it) would
    paint nothing: it gets no bar, which spares a chart of many quiet days
    hundreds of empty rectangles to make and sort. The first bin keeps its
    bar whatever its count: a legend entry takes its look from it. Bins
    without data are not given here (they are hatched, never drawn as zero).

    Parameters
    ----------
    ax
        The axes.
    x, height
        Left edge and count of each covered bin, in order.
    bottom
        Base of each bar (stacked bars), or ``None`` for zero.
    **bar
        :meth:`matplotlib.axes.Axes.bar` options.

    Returns
    -------
    matplotlib.container.BarContainer
        The bars made.
    """
    h = np.asarray(height, dtype=float)
    keep = h != 0
    keep[:1] = True
    if bottom is not None:
        bar["bottom"] = np.asarray(bottom)[keep]
    return ax.bar(np.asarray(x)[keep], h[keep], **bar)


def _hatch_gaps(ax: Axes, x: np.ndarray, covered: np.ndarray, step: Any) -> None:
    """Hatch each run of uncovered bins, from its first ``x`` to one ``step`` past its last (bins in order)."""
    _hatch_spans(ax, [(x[a], x[b - 1] + step) for a, b in _runs(~covered)], label=None)


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


def _fmt_span(start: Any, end: Any) -> str:
    """An event's days, from its start to its end (exclusive): ``3 Oct 2023``, ``3 – 5 Oct 2023``.

    ``start`` and ``end`` are anything :class:`pandas.Timestamp` takes (the fields of an
    :func:`_events_frame` row, which pandas-stubs type as any scalar).
    """
    last = pd.Timestamp(end) - pd.Timedelta(microseconds=1)
    s = pd.Timestamp(start)
    if s.normalize() == last.normalize():
        return f"{s:%-d %b %Y}"
    if s.year == last.year:
        return f"{s:%-d %b} \u2013 {last:%-d %b %Y}"
    return f"{s:%-d %b %Y} \u2013 {last:%-d %b %Y}"



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
        _lay_out(fig, dpi)
        with _ticks_fixed(fig):
            encoding = _PngWriter(fig, png, dpi)
            try:
                fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
            finally:
                encoding.finish()
    svg.write_text(_stable_clip_ids(buf.getvalue().decode("utf-8")), encoding="utf-8", newline="")
    return [png, svg]


class _PngWriter:
    """A figure's PNG: drawn here, encoded and written in a thread while the caller draws the SVG.

    The pixels are the Agg drawing that ``savefig(format="png")`` makes, and
    they are written by the function it writes them with
    (:func:`matplotlib.image.imsave`, with the same resolution and no
    ``Software`` text), so the file has the same bytes. Pillow's encoder lets
    go of the interpreter lock while it compresses, so the compression runs
    on the second core beside the SVG's drawing. The figure gets a fresh
    canvas once its pixels are taken: nothing draws on them again while they
    are encoded. :meth:`finish` waits for the file and raises what writing it
    raised.
    """

    def __init__(self, fig: Figure, path: Path, dpi: int) -> None:
        import threading

        from matplotlib.backends.backend_agg import FigureCanvasAgg

        self._pixels: memoryview | None = None
        self._writes = 0
        self._error: BaseException | None = None
        self._thread: threading.Thread | None = None
        fig.savefig(cast(Any, self), format="rgba", dpi=dpi)  # the Agg drawing, handed to write() without a copy
        pixels, self._pixels = self._pixels, None
        if pixels is None or pixels.ndim != 3 or pixels.shape[-1] != 4:  # not one buffer of RGBA rows: matplotlib writes the PNG itself
            fig.savefig(path, format="png", dpi=dpi, metadata={"Software": None})
            return
        FigureCanvasAgg(fig)  # the pixels' canvas is left to this writer alone
        self._thread = threading.Thread(target=self._write, args=(pixels, path, dpi), name="flighttrace-png", daemon=True)
        self._thread.start()

    def seek(self, offset: int, whence: int = 0) -> int:  # savefig accepts a file object that can seek
        return 0

    def write(self, data: Any) -> int:
        view = memoryview(data)
        self._writes += 1
        self._pixels = view if self._writes == 1 else None  # written in more than one piece: not the buffer looked for
        return view.nbytes

    def _write(self, pixels: memoryview, path: Path, dpi: int) -> None:
        from matplotlib.image import imsave

        try:
            imsave(path, pixels, format="png", origin="upper", dpi=dpi, metadata=cast(Any, {"Software": None}))
        except BaseException as exc:  # handed to finish(), in the caller's thread
            self._error = exc

    def finish(self) -> None:
        """Wait until the PNG is written; raise its error, if any."""
        if self._thread is not None:
            self._thread.join()
        if self._error is not None:
            raise self._error


def _lay_out(fig: Figure, dpi: float) -> None:
    """Run a figure's layout engine once, at the PNG's resolution, and then switch it off (both files are drawn once each).

    ``savefig`` with a layout engine first draws the whole figure without
    painting it, only to run the engine, and does so again for every file
    (even with the engine set to ``"none"``, which keeps a placeholder). Here
    the engine runs alone, with the Agg renderer the PNG is then drawn with
    (the same text metrics, so the same positions, to the bit), and is then
    removed: the PNG and the SVG are each drawn once. The layout is in figure
    fractions, the same for both files.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    engine = fig.get_layout_engine()
    if engine is None:
        return
    FigureCanvasAgg(fig)  # the figure's canvas from now on: savefig then draws the PNG with the renderer the layout measured with
    shown = fig.get_dpi()
    fig.set_dpi(dpi)
    engine.execute(fig)
    fig.set_dpi(shown)
    fig.set_layout_engine(None)


@contextmanager
def _ticks_fixed(fig: Figure) -> Iterator[None]:
    """Within the block, each axis's major ticks are fixed at the positions and labels its locator and formatter give now.

    A drawing asks an axis's locator and formatter for its ticks several
    times (to draw them, to place the axis label, to measure the spines),
    and the PNG and the SVG ask again: the same positions and the same text
    each time, as the figure is laid out and its limits set. They are worked
    out once here, with the offset text (``1e3``, a date axis's year), and
    the axes' own locators and formatters are put back afterwards. Axes that
    share an axis share one pair, fixed once.
    """
    from matplotlib.ticker import FixedFormatter, FixedLocator

    kept: list[tuple[Any, Any, Any]] = []  # (ticker, locator, formatter)
    seen: set[int] = set()
    try:
        for ax in fig.axes:
            if not ax.get_visible():
                continue
            for axis in (ax.xaxis, ax.yaxis):
                ticker = axis.major  # shared by axes that share this axis
                if id(ticker) in seen:
                    continue
                seen.add(id(ticker))
                locator, formatter = ticker.locator, ticker.formatter
                if locator is None or formatter is None:
                    continue
                locs = axis.get_majorticklocs().tolist()
                labels = formatter.format_ticks(locs)
                fixed = FixedFormatter(labels)
                fixed.set_offset_string(formatter.get_offset())
                fixed.set_axis(axis)
                kept.append((ticker, locator, formatter))
                ticker.locator, ticker.formatter = FixedLocator(locs), fixed  # the axes' own pair is put back untouched
        yield
    finally:
        for ticker, locator, formatter in reversed(kept):
            ticker.locator, ticker.formatter = locator, formatter


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

