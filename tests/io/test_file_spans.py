"""A file's span and aircraft count in the manifest: one file read alone takes a shortcut that must agree with the grouping."""

from __future__ import annotations

import pandas as pd

from flighttrace.provenance import file_spans


def _grouped(points: pd.DataFrame) -> pd.DataFrame:
    """The spans by grouping the rows by file (the general computation), for comparison."""
    g = points.groupby("src_file", observed=True)
    spans = g["time"].agg(["min", "max"]).rename(columns={"min": "time_min", "max": "time_max"})
    spans["n_aircraft"] = g["icao24"].nunique()
    spans.index = spans.index.astype(str)
    return spans


def test_one_file_gives_its_span_and_the_aircraft_it_holds() -> None:
    t = pd.to_datetime(["2023-09-01 06:00", "2023-09-01 05:00", "2023-09-01 07:30", "2023-09-01 06:10"], utc=True)
    points = pd.DataFrame({
        "src_file": pd.Categorical(["a.csv"] * 4, categories=["a.csv", "other.csv"]),  # a category no row uses
        "icao24": pd.Categorical(["600864", "4b1805", "600864", "600864"], categories=["4b1805", "600864", "abcdef"]),
        "time": t,
    })
    spans = file_spans(points)
    # by hand: earliest 05:00, latest 07:30, two aircraft (abcdef is a category, not an aircraft of the file)
    assert spans.index.tolist() == ["a.csv"]
    assert spans.loc["a.csv", "time_min"] == t[1] and spans.loc["a.csv", "time_max"] == t[2] and spans.loc["a.csv", "n_aircraft"] == 2
    pd.testing.assert_frame_equal(spans, _grouped(points))


def test_several_files_are_grouped() -> None:
    t = pd.to_datetime(["2023-09-01 06:00", "2023-09-01 05:00", "2023-09-02 01:00"], utc=True)
    points = pd.DataFrame({"src_file": pd.Categorical(["b.csv", "a.csv", "b.csv"]), "icao24": pd.Categorical(["600864", "600864", "4b1805"]), "time": t})
    spans = file_spans(points)
    assert spans.loc["b.csv", "n_aircraft"] == 2 and spans.loc["a.csv", "time_max"] == t[1]
    pd.testing.assert_frame_equal(spans, _grouped(points))
