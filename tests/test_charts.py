"""Tests of flighttrace.viz.charts: hatching of uncovered days, captions, labels, deterministic files."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import matplotlib.colors as mcolors
import numpy as np
import pandas as pd
import pytest
from matplotlib.collections import PathCollection, PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from flighttrace.viz import charts as ch
from flighttrace.viz.charts import HATCH, SYNTHETIC_CAPTION

TZ = "Asia/Baku"
SOURCE = "Source: flighttrace analysis of 3 test files"
START = pd.Timestamp("2023-08-07", tz=TZ)  # a Monday
N_DAYS = 56  # eight weeks
UNCOVERED_WEEK = 2  # 21-27 Aug: no data at all
UNCOVERED_DAYS = (35, 36)  # Mon-Tue of the sixth week: no file


# --------------------------------------------------------------------------- tables, built by hand


def coverage() -> pd.DataFrame:
    days = pd.date_range(START, periods=N_DAYS, freq="D")
    off = np.zeros(N_DAYS, dtype=bool)
    off[UNCOVERED_WEEK * 7 : UNCOVERED_WEEK * 7 + 7] = True
    off[list(UNCOVERED_DAYS)] = True
    has_file = ~off
    has_file[UNCOVERED_WEEK * 7 : UNCOVERED_WEEK * 7 + 3] = True  # a file, but no traffic in it, for three of those days
    return pd.DataFrame({"date": days, "has_file": has_file, "n_points": np.where(off, 0, 1000), "n_aircraft": np.where(off, 0, 5),
                         "covered": ~off, "reason": np.where(off, "no data", ""), "tz": TZ})


def daily_sorties() -> pd.Series:
    rng = np.random.default_rng(7)
    s = pd.Series(rng.integers(0, 3, N_DAYS).astype(float), index=pd.date_range(START, periods=N_DAYS, freq="D"))
    s[~coverage()["covered"].to_numpy()] = np.nan
    return s


def series_week() -> pd.DataFrame:
    d = daily_sorties()
    cov = coverage()["covered"].to_numpy()
    weeks = np.arange(N_DAYS) // 7
    sorties = [d.iloc[weeks == w].sum(min_count=1) for w in range(8)]
    covered = [int(cov[weeks == w].sum()) for w in range(8)]
    return pd.DataFrame({"period_start": pd.date_range(START, periods=8, freq="7D"), "sorties": sorties, "landings": sorties, "days": 7,
                         "days_covered": covered, "rate_per_day": [s / c if c else np.nan for s, c in zip(sorties, covered, strict=False)], "tz": TZ})


def events() -> pd.DataFrame:
    start = pd.Timestamp("2023-09-19", tz="UTC")
    end = pd.Timestamp("2023-09-21", tz="UTC")
    return pd.DataFrame({"event_id": ["offensive-2023"], "name": ["Offensive"], "kind": ["offensive"], "start": [start], "end": [end],
                         "window_start": [start - pd.Timedelta(days=30)], "window_end": [end + pd.Timedelta(days=15)],
                         "sorties": [10.0], "days": [47], "days_covered": [45], "rate_per_day": [0.22]})


def event_study() -> pd.DataFrame:
    day = np.arange(-10, 11)
    covered = np.ones(len(day), dtype=bool)
    covered[[2, 3, 4]] = False  # days -8, -7, -6
    sorties = np.where(covered, (day % 3).astype(float), np.nan)
    return pd.DataFrame({"event_id": "offensive-2023", "day": day, "sorties": sorties, "covered": covered})


def ground_times() -> pd.DataFrame:
    arrive = pd.date_range("2023-08-10T08:00Z", periods=6, freq="5D")
    gt = np.array([2.0, 2.5, 3.0, 3.5, 1.8, 2.2]) * 3600
    exact = np.array([True, True, True, True, False, False])
    return pd.DataFrame({"sortie_id": [f"r-{i:03d}" for i in range(6)], "icao24": "600864", "airport": "LLOV", "arrive": arrive,
                         "depart": arrive + pd.to_timedelta(gt, unit="s"), "ground_time_s": gt, "exact": exact,
                         "evidence": np.where(exact, "observed", "bridged")})


def all_charts(synthetic: bool) -> dict[str, Figure]:
    style = ch.ChartStyle(source=SOURCE, synthetic=synthetic)
    zoned = ch.ChartStyle(source=SOURCE, synthetic=synthetic, tz=TZ)
    return {
        "sorties_per_week": ch.sorties_per_week(series_week(), events(), coverage(), title="Sorties per week", style=style),
        "event_study": ch.event_study_plot(event_study(), events(), title="Around events", style=zoned),
        "ground_times": ch.ground_times_plot(ground_times(), title="Ground time", style=zoned),
        "coverage": ch.coverage_calendar(coverage(), title="Coverage", style=style),
    }


def texts(fig: Figure) -> list[str]:
    return [t.get_text() for t in fig.findobj(lambda a: hasattr(a, "get_text"))]


def hatched_spans(ax: Any) -> list[tuple[float, float]]:
    """(x0, x1) of the hatched rectangles of an axes, sorted."""
    out = []
    for p in ax.patches:
        if isinstance(p, Rectangle) and p.get_hatch() == HATCH:
            x0 = p.get_x()
            out.append((round(x0, 6), round(x0 + p.get_width(), 6)))
    return sorted(out)


def day_num(ts: pd.Timestamp) -> float:
    import matplotlib.dates as mdates

    return round(float(mdates.date2num(ts.tz_localize(None))), 6)


# --------------------------------------------------------------------------- sorties per week


def test_sorties_per_week_hatches_uncovered_days_instead_of_zero_bars() -> None:
    fig = ch.sorties_per_week(series_week(), events(), coverage(), title="t", style=ch.ChartStyle(source=SOURCE))
    ax = fig.axes[0]
    # the hatched spans are exactly the uncovered days: the whole third week, and two days of the sixth
    week3 = START + pd.Timedelta(days=7 * UNCOVERED_WEEK)
    days6 = START + pd.Timedelta(days=UNCOVERED_DAYS[0])
    assert hatched_spans(ax) == [(day_num(week3), day_num(week3 + pd.Timedelta(days=7))), (day_num(days6), day_num(days6 + pd.Timedelta(days=2)))]
    # bars only for weeks with data: none for the uncovered week (not a zero bar)
    bars = [p for p in ax.patches if isinstance(p, Rectangle) and not p.get_hatch() and p.get_facecolor()[3] == 1.0]
    assert len(bars) == 7
    assert day_num(week3) not in {round(b.get_x(), 6) for b in bars}
    heights = sorted(b.get_height() for b in bars)
    assert heights == sorted(series_week()["sorties"].dropna().tolist())


def test_sorties_per_week_shades_event_windows() -> None:
    fig = ch.sorties_per_week(series_week(), events(), coverage(), title="t", style=ch.ChartStyle(source=SOURCE))
    ax = fig.axes[0]
    orange = mcolors.to_rgb(ch._WINDOW)
    shaded = sorted((round(p.get_x(), 6), round(p.get_x() + p.get_width(), 6)) for p in ax.patches
                    if isinstance(p, Rectangle) and not p.get_hatch() and mcolors.to_rgb(p.get_facecolor()) == orange)
    ev = events().iloc[0]
    local = {k: ev[k].tz_convert(TZ) for k in ("window_start", "window_end", "start", "end")}
    assert shaded == sorted([(day_num(local["window_start"]), day_num(local["window_end"])), (day_num(local["start"]), day_num(local["end"]))])
    assert any("1\u2009Offensive" in t for t in texts(fig))  # the numbered key


def test_sorties_per_week_numbers_only_the_events_in_its_weeks_and_keeps_its_layout(tmp_path: Path) -> None:
    # a 2016 event, seven years before the eight weeks of data: its number was drawn above the axes at its
    # date, thousands of inches to the left, and the layout, fitting it in, shrank the axes to nothing
    # (matplotlib warned, and the axes were drawn over the legend and the notes)
    import warnings

    old = events().assign(event_id="april-2016", name="April war", start=pd.Timestamp("2016-04-01", tz="UTC"),
                          end=pd.Timestamp("2016-04-05", tz="UTC"))
    old["window_start"], old["window_end"] = old["start"] - pd.Timedelta(days=30), old["end"] + pd.Timedelta(days=15)
    fig = ch.sorties_per_week(series_week(), pd.concat([old, events()], ignore_index=True), coverage(), title="t",
                              style=ch.ChartStyle(source=SOURCE))
    ax = fig.axes[0]
    numbers = [t.get_text() for t in ax.texts]
    assert numbers == ["2"]  # the Offensive (19 Sep 2023, its window from 20 Aug) is in the weeks shown; the 2016 war is not
    assert any("Event 1 falls outside the weeks shown." in t for t in texts(fig))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # "constrained_layout not applied because axes sizes collapsed to zero" fails here
        ch.save_figure(fig, tmp_path / "spw")
    box = ax.get_position()
    assert box.height > 0.4 and box.width > 0.7  # figure fractions: the axes keep most of the figure


# --------------------------------------------------------------------------- the other charts


def test_event_study_panel_per_event_with_uncovered_days_hatched() -> None:
    fig = ch.event_study_plot(event_study(), events(), title="t", style=ch.ChartStyle(source=SOURCE, tz=TZ))
    axes = [a for a in fig.axes if a.get_visible()]
    assert len(axes) == 1 and axes[0].get_title(loc="left").startswith("Offensive")
    assert hatched_spans(axes[0]) == [(-8.0, -5.0)]
    bars = [p for p in axes[0].patches if isinstance(p, Rectangle) and not p.get_hatch() and p.get_facecolor()[3] == 1.0]
    # a bar for each covered day with sorties (day % 3 sorties: none on -9, -3, 0, 3, 6, 9), none on the uncovered -8 to -6
    assert sorted(round(b.get_x()) for b in bars) == [-10, -5, -4, -2, -1, 1, 2, 4, 5, 7, 8, 10]
    assert all(b.get_height() == round(b.get_x()) % 3 for b in bars)


def test_ground_times_distinguishes_exact_values_from_lower_bounds() -> None:
    fig = ch.ground_times_plot(ground_times(), title="t", style=ch.ChartStyle(source=SOURCE, tz=TZ))
    ax = fig.axes[0]
    scatters = [c for c in ax.collections if isinstance(c, PathCollection)]
    assert [len(c.get_offsets()) for c in scatters] == [4, 2]
    assert np.allclose(np.sort(scatters[1].get_offsets()[:, 1]), [1.8, 2.2])
    assert "Lower bound" in scatters[1].get_label() and "Exact" in scatters[0].get_label()
    assert scatters[1].get_facecolor().size == 0 or scatters[1].get_facecolor()[0][3] == 0  # open markers
    hist = fig.axes[1]
    assert sum(p.get_width() for p in hist.patches if p.get_hatch()) == 2  # the two lower bounds, hatched


def test_coverage_calendar_shows_covered_no_traffic_and_no_file_days() -> None:
    fig = ch.coverage_calendar(coverage(), title="t", style=ch.ChartStyle(source=SOURCE))
    ax = fig.axes[0]
    cols = {c.get_gid(): c for c in ax.collections if isinstance(c, PolyCollection)}
    assert set(cols) == {"coverage-0", "coverage-1", "coverage-2"}
    assert cols["coverage-2"].get_hatch() == HATCH and not cols["coverage-0"].get_hatch()
    widths = {gid: sum(p.vertices[:, 0].max() - p.vertices[:, 0].min() for p in c.get_paths()) for gid, c in cols.items()}
    assert widths == {"coverage-0": N_DAYS - 9, "coverage-1": 3, "coverage-2": 6}
    labels = " ".join(texts(fig))
    assert "No file for the day (6 days)" in labels and "File present, no traffic in it (3 days)" in labels


def test_coverage_of_a_short_input_spans_its_days_and_of_a_long_one_a_row_per_year() -> None:
    import matplotlib.dates as mdates

    short = ch.coverage_calendar(coverage(), title="t", style=ch.ChartStyle(source=SOURCE)).axes[0]
    first = pd.Timestamp(coverage()["date"].iloc[0]).tz_localize(None).normalize()
    # the x axis runs from the first day of the input to the day after its last, not over a year
    assert short.get_xlim() == (float(mdates.date2num(first)), float(mdates.date2num(first)) + N_DAYS)
    days = pd.date_range("2020-01-01", "2021-12-31", freq="D", tz=TZ)
    long = pd.DataFrame({"date": days, "has_file": True, "covered": True, "tz": TZ})
    ax = ch.coverage_calendar(long, title="t", style=ch.ChartStyle(source=SOURCE)).axes[0]
    assert [t.get_text() for t in ax.get_yticklabels()] == ["2020", "2021"] and ax.get_xlim() == (0.0, 366.0)


# --------------------------------------------------------------------------- captions, labels, files


@pytest.mark.parametrize("synthetic", [True, False])
def test_every_chart_has_source_line_and_synthetic_caption_when_synthetic(synthetic: bool) -> None:
    for name, fig in all_charts(synthetic).items():
        t = texts(fig)
        assert any(SOURCE in x and f"in {TZ}." in x for x in t), name
        assert (SYNTHETIC_CAPTION in t) is synthetic, name


def test_axes_are_labelled_with_units_and_time_zone() -> None:
    figs = all_charts(False)
    labels = {name: [a.get_xlabel() + " | " + a.get_ylabel() for a in fig.axes if a.get_visible()] for name, fig in figs.items()}
    assert labels["sorties_per_week"] == [f"Week starting (dates in {TZ}) | Sorties per week (count)"]
    assert labels["event_study"] == [f"Days from the event's start ({TZ} days) | Sorties per day"]
    assert labels["ground_times"][0] == f"Arrival at the far field (dates in {TZ}) | Ground time (hours)"
    # eight weeks of input: one strip over those days, not a whole year (issue 17)
    assert labels["coverage"] == [f"Day (calendar days in {TZ}; {N_DAYS} days of input) | "]


def test_coverage_of_one_day_counts_it_in_the_singular() -> None:
    fig = ch.coverage_calendar(coverage().iloc[:1], style=ch.ChartStyle(source=SOURCE))
    assert fig.axes[0].get_xlabel() == f"Day (calendar days in {TZ}; 1 day of input)"
    legend = list(dict.fromkeys(t for t in texts(fig) if t.startswith(("Covered", "File present", "No file"))))  # findobj meets each once or twice
    assert legend == ["Covered: data with traffic (1 day)", "File present, no traffic in it (0 days)", "No file for the day (0 days)"]


def test_dollar_signs_in_data_are_shown_literally(tmp_path: Path) -> None:
    ev = events().assign(name=["$5 and $6 deal"])
    fig = ch.sorties_per_week(series_week(), ev, coverage(), title="A $ title $", style=ch.ChartStyle(source=SOURCE))
    png, svg = ch.save_figure(fig, tmp_path / "dollars")  # mathtext would fail or eat the dollars
    assert png.stat().st_size > 1000 and svg.stat().st_size > 1000
    assert any("\\$5 and \\$6 deal" in t for t in texts(fig))


_SAVE_SCRIPT = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, {tests!r})
    from test_charts import all_charts
    from flighttrace.viz.charts import save_figure
    for name, fig in all_charts(True).items():
        save_figure(fig, sys.argv[1] + "/" + name)
    """
)


def test_png_and_svg_are_byte_identical_in_two_processes(tmp_path: Path) -> None:
    script = tmp_path / "save.py"
    script.write_text(_SAVE_SCRIPT.format(tests=str(Path(__file__).parent)), encoding="utf-8")
    runs = []
    for run in ("a", "b"):
        out = tmp_path / run
        out.mkdir()
        subprocess.run([sys.executable, str(script), str(out)], check=True, capture_output=True)
        runs.append({p.name: p.read_bytes() for p in sorted(out.iterdir())})
    assert sorted(runs[0]) == sorted(f"{n}.{ext}" for n in ("sorties_per_week", "event_study", "ground_times", "coverage") for ext in ("png", "svg"))
    assert runs[0] == runs[1]
    svg = runs[0]["coverage.svg"]
    assert b"<dc:date>" not in svg and b"Matplotlib" not in svg
    assert b"Software" not in runs[0]["coverage.png"] and b"Matplotlib" not in runs[0]["coverage.png"]


def test_save_figure_returns_png_and_svg_paths(tmp_path: Path) -> None:
    fig = ch.coverage_calendar(coverage(), title="t", style=ch.ChartStyle(source=SOURCE))
    paths = ch.save_figure(fig, tmp_path / "sub" / "cov.png")
    assert paths == [tmp_path / "sub" / "cov.png", tmp_path / "sub" / "cov.svg"]
    assert paths[0].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and paths[1].read_bytes().startswith(b"<?xml")


@pytest.mark.parametrize("name", ["sorties_per_week", "event_study", "ground_times", "coverage"])
def test_svg_bytes_do_not_depend_on_float_noise_below_print_precision(name: str, tmp_path: Path) -> None:
    # the layout engine's last bits can differ from one run to the next in a process (a report built twice, or
    # `verify` after `report`); matplotlib hashes the full-precision clip rectangles into the SVG's clip ids
    fig = all_charts(True)[name]
    _, svg_a = ch.save_figure(fig, tmp_path / "a")
    fig.set_layout_engine("none")  # keep the positions the layout found, then move every axes by far less than a printed digit
    for ax in fig.axes:
        x0, y0, w, h = ax.get_position().bounds
        ax.set_position([x0 + 3e-14, y0 + 3e-14, w - 3e-14, h + 3e-14])
    _, svg_b = ch.save_figure(fig, tmp_path / "b")
    a, b = svg_a.read_text(), svg_b.read_text()
    assert a.count("<clipPath ") >= 1
    assert a == b


@pytest.mark.parametrize("name", ["sorties_per_week", "event_study"])
def test_save_figure_draws_each_file_once_at_the_layout_savefig_finds(name: str, tmp_path: Path) -> None:
    from flighttrace.viz import chartbase

    # matplotlib's own way: savefig runs the constrained layout in an unpainted draw of its own before the PNG's
    ref = all_charts(True)[name]
    with chartbase._style():
        ref.savefig(tmp_path / "ref.png", format="png", dpi=200, metadata={"Software": None})
    fig = all_charts(True)[name]
    draws: list[str] = []
    draw = fig.draw
    fig.draw = lambda renderer: (draws.append(type(renderer).__name__), draw(renderer))[1]  # type: ignore[method-assign]
    png, _ = ch.save_figure(fig, tmp_path / "ours")
    assert draws == ["RendererAgg", "MixedModeRenderer"]  # one draw per file: the PNG's, the SVG's
    assert png.read_bytes() == (tmp_path / "ref.png").read_bytes()


def test_save_figure_encodes_the_png_beside_the_svg_and_raises_what_writing_it_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import threading

    import matplotlib.image

    fig = all_charts(True)["coverage"]
    ref = all_charts(True)["coverage"]
    from flighttrace.viz import chartbase

    with chartbase._style():
        ref.savefig(tmp_path / "ref.png", format="png", dpi=200, metadata={"Software": None})
    threads: list[str] = []
    real = matplotlib.image.imsave

    def imsave(*a: Any, **k: Any) -> None:
        threads.append(threading.current_thread().name)
        real(*a, **k)

    monkeypatch.setattr(matplotlib.image, "imsave", imsave)
    png, svg = ch.save_figure(fig, tmp_path / "ours")
    assert threads == ["flighttrace-png"]  # the PNG is compressed off the caller's thread ...
    assert png.read_bytes() == (tmp_path / "ref.png").read_bytes()  # ... into the bytes savefig writes
    assert svg.read_text(encoding="utf-8").startswith("<?xml")
    (tmp_path / "taken.png").mkdir()  # the PNG's path is a folder: writing it fails, and save_figure says so
    with pytest.raises(IsADirectoryError):
        ch.save_figure(all_charts(True)["coverage"], tmp_path / "taken")
    assert not (tmp_path / "taken.svg").exists()


def test_save_figure_lets_matplotlib_write_the_png_when_the_pixels_do_not_come_as_one_rgba_buffer(tmp_path: Path,
                                                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from flighttrace.viz import chartbase

    ref = all_charts(True)["coverage"]
    with chartbase._style():
        ref.savefig(tmp_path / "ref.png", format="png", dpi=200, metadata={"Software": None})

    def in_two_pieces(self: FigureCanvasAgg, filename_or_obj: Any, **kwargs: Any) -> None:
        FigureCanvasAgg.draw(self)
        data = bytes(self.get_renderer().buffer_rgba())
        filename_or_obj.write(data[: len(data) // 2])
        filename_or_obj.write(data[len(data) // 2 :])

    monkeypatch.setattr(FigureCanvasAgg, "print_rgba", in_two_pieces)
    png, _ = ch.save_figure(all_charts(True)["coverage"], tmp_path / "ours")
    assert png.read_bytes() == (tmp_path / "ref.png").read_bytes()


def test_count_bars_makes_a_bar_per_bin_with_a_count_and_one_for_the_first_bin() -> None:
    from flighttrace.viz import chartbase

    ax = Figure().add_subplot()
    bars = chartbase._count_bars(ax, np.array([0.0, 1.0, 2.0, 3.0]), np.array([0.0, 2.0, 0.0, 1.0]), bottom=np.array([5.0, 6.0, 7.0, 8.0]),
                                 width=0.5, align="edge", label="counts")
    # the first bin keeps its (empty) bar, the legend's look; the other zero is left out; bottoms follow their bars
    assert [(p.get_x(), p.get_y(), p.get_height()) for p in bars] == [(0.0, 5.0, 0.0), (1.0, 6.0, 2.0), (3.0, 8.0, 1.0)]
    assert ax.get_legend_handles_labels()[1] == ["counts"]
    assert len(chartbase._count_bars(ax, np.array([]), np.array([]))) == 0


def test_ticks_fixed_holds_each_axis_at_its_ticks_labels_and_offset_then_gives_its_locator_back() -> None:
    from matplotlib.ticker import FixedLocator, MultipleLocator

    from flighttrace.viz import chartbase

    fig = Figure(figsize=(4, 3))
    left, right = fig.subplots(1, 2, sharey=True)
    left.set_xlim(0, 10)
    left.set_ylim(1_000_000, 1_000_010)  # labels 0 … 10 under an offset of one million
    own = MultipleLocator(2)  # a tick every 2, whatever the panel's size
    left.xaxis.set_major_locator(own)
    left.yaxis.set_major_locator(MultipleLocator(2))
    with chartbase._ticks_fixed(fig):
        assert isinstance(left.xaxis.get_major_locator(), FixedLocator)
        # a multiple locator gives one tick past each end (the axis leaves them out when drawing)
        assert left.xaxis.get_majorticklocs().tolist() == [-2.0, 0.0, 2.0, 4.0, 6.0, 8.0, 10.0, 12.0]
        ys = left.yaxis.get_majorticklocs()
        assert ys.tolist() == [1_000_000.0 + 2 * k for k in range(-1, 7)]
        assert left.yaxis.get_major_formatter().format_ticks(ys) == ["\u22122", "0", "2", "4", "6", "8", "10", "12"]
        assert left.yaxis.get_major_formatter().get_offset() == "+1e6"
        assert right.yaxis.get_major_locator() is left.yaxis.get_major_locator()  # a shared axis: one pair, fixed once
    assert left.xaxis.get_major_locator() is own


@pytest.mark.parametrize(("weeks", "baseline"), [(0, None), (1, "Baseline: mean of the same hour, previous 1 week"),
                                                  (4, "Baseline: mean of the same hour, previous 4 weeks")])
def test_movements_per_hour_names_a_baseline_only_when_weeks_before_had_data(weeks: int, baseline: str | None) -> None:
    # a single hour of data: no week before it, so no baseline line or band is drawn, and the legend did say
    # "previous 0 weeks" of a line that was not there
    hour = pd.Timestamp("2026-03-14T17:00Z")
    mean = np.nan if weeks == 0 else 5.0
    hourly = pd.DataFrame({"airport": ["UUEE"], "hour": [hour], "arrivals": [2.0], "departures": [5.0], "movements": [7.0], "covered": [True],
                           "baseline_weeks": [weeks], "baseline_mean": [mean], "band_low": [mean], "band_high": [mean]})
    fig = ch.movements_per_hour(hourly, None, style=ch.ChartStyle(source=SOURCE, tz="Europe/Moscow"))
    labels = set(texts(fig))
    assert (baseline in labels) if baseline else not any(t.startswith("Baseline") for t in labels)
