"""Takeoff and landing fields on real recordings (traffic 2.13's OpenSky samples) against truth.csv.

The truth comes from the files' own on-ground positions on OurAirports
runways (make_truth.py, README.md beside this file), not from flighttrace.
The samples are read from the installed ``traffic`` package.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.realdata.compare import evaluate, summary, truth

EXPLAINED = {"firefighting/calfire"}
"""Files with a disagreement explained one by one in README.md (the others must agree at every end)."""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return evaluate(Path(tmp_path_factory.mktemp("realdata")))


def test_every_truth_event_was_compared(results: pd.DataFrame) -> None:
    assert len(results) == len(truth()) == 174


def test_every_end_agrees_in_the_files_without_an_explained_disagreement(results: pd.DataFrame) -> None:
    rest = results[~results["file"].isin(EXPLAINED)]
    bad = rest[~rest["agree"]]
    assert len(rest) == 174 - 12 and bad.empty, bad[["file", "icao24", "event", "time", "airport", "named", "evidence"]]


def test_agreement_overall_and_on_the_paris_collection(results: pd.DataFrame) -> None:
    s = summary(results)
    assert s.loc["all", "agree"] >= 173  # of 174 (99.4 %, measured by python -m tests.realdata.compare); the aim is 97 %
    assert s.loc["collections/quickstart", "agree"] == 112  # every Paris end, stale state vectors included
    assert s.loc["firefighting/calfire", "agree"] >= 11  # of 12: one take-off falls in no leg (README.md)


def test_no_wrong_field_is_named(results: pd.DataFrame) -> None:
    # the two fire-fighting take-offs once given to Flabob (3.5 km from Riverside) now name Riverside
    wrong = results[results["named"].notna() & ~results["agree"]]
    assert wrong.empty, wrong[["file", "icao24", "event", "time", "airport", "named", "evidence"]]
