"""Takeoff and landing fields on real recordings (traffic 2.13's OpenSky, readsb, jet1090 and FlightRadar24 samples) against truth.csv.

The truth comes from the files' own on-ground positions on OurAirports
runways, or from the airports a FlightRadar24 document names (make_truth.py,
README.md beside this file), not from flighttrace. The samples are read from
the installed ``traffic`` package.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from tests.realdata.compare import evaluate, summary, truth

EXPLAINED = {"firefighting/calfire", "featured/anzac_day", "featured/qantas747"}
"""Files with a disagreement explained one by one in README.md (the others must agree at every end)."""


@pytest.fixture(scope="module")
def results(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    return evaluate(Path(tmp_path_factory.mktemp("realdata")))


def test_every_truth_event_was_compared(results: pd.DataFrame) -> None:
    assert len(results) == len(truth()) == 209


def test_every_end_agrees_in_the_files_without_an_explained_disagreement(results: pd.DataFrame) -> None:
    rest = results[~results["file"].isin(EXPLAINED)]
    bad = rest[~rest["agree"]]
    assert len(rest) == 209 - 12 - 2 - 2 and bad.empty, bad[["file", "icao24", "event", "time", "airport", "named", "evidence"]]


def test_agreement_overall_and_on_the_paris_collection(results: pd.DataFrame) -> None:
    s = summary(results)
    assert s.loc["all", "agree"] >= 205  # of 209 (98.1 %, measured by python -m tests.realdata.compare); the aim is 97 %
    assert s.loc["collections/quickstart", "agree"] == 112  # every Paris end, stale state vectors included
    assert s.loc["firefighting/calfire", "agree"] >= 11  # of 12: one take-off falls in no leg (README.md)


def test_no_wrong_field_is_named(results: pd.DataFrame) -> None:
    # the two fire-fighting take-offs once given to Flabob (3.5 km from Riverside) now name Riverside
    wrong = results[results["named"].notna() & ~results["agree"]]
    assert wrong.empty, wrong[["file", "icao24", "event", "time", "airport", "named", "evidence"]]


def test_other_formats_and_the_calibration_month(results: pd.DataFrame) -> None:
    s = summary(results)
    assert s.loc["collections/savan", "agree"] == 12  # a month of a calibration aircraft out of Toulouse, on-ground flags
    assert s.loc["readsb/trace_full_ac671b.json", "agree"] == 5  # a readsb trace_full, "ground" altitudes
    fr24 = results[results["file"].str.startswith("fr24/")]
    assert len(fr24) == 8 and fr24["agree"].all()  # the airports each FlightRadar24 document names
    assert s.loc["rs1090/full_flight_short.jsonl", "agree"] == 2  # jet1090's decoded messages: Paris CDG to Toulouse, surface positions


def test_the_routes_samples_carry_agree_where_the_recording_reaches_them(results: pd.DataFrame) -> None:
    """Ends whose truth is the sample's own origin or destination column (eight, where the recording shows no ground run).

    Five agree. Anzac Day's two (YMAV, Avalon) are contradicted by the recording itself: it starts accelerating through
    63 kt at 400 ft and ends slowing to 70 kt at 500 ft, both 17 km from Avalon and about 5 km from Rothwell Airfield, a
    strip without an ICAO code and so not in the airport index; Qantas's landing (KLAX) is not in the recording, which ends
    at 33,000 ft off Sydney. None of the three names a field."""
    meta = results[results["basis"].str.startswith("the sample's own")]
    assert len(meta) == 8 and int(meta["agree"].sum()) == 5
    missed = meta[~meta["agree"]]
    assert sorted(missed["file"]) == ["featured/anzac_day", "featured/anzac_day", "featured/qantas747"] and missed["named"].isna().all()


def test_a_descent_lost_at_altitude_names_no_field_beside_its_track() -> None:
    """The readsb trace's Boeing 737 (DAL2418) was last heard descending through 8,450 ft toward Spokane (KGEG), 37 km out,
    its last point without a track; it left again the next morning, first heard climbing 22 km east of Spokane. Spokane is
    6,074 ft below the end, higher than an end may be inferred from (aligned_max_agl_ft): no field is named, and never Willard
    Field (K73S), a strip 25 km away 86 degrees off the track, which was named before end points without a track took
    their neighbours'."""
    import flighttrace
    from flighttrace.tracks.legs import detect_legs
    from tests.realdata.compare import samples_dir

    ds = flighttrace.read(samples_dir() / "readsb" / "trace_full_ac671b.json")
    legs = detect_legs(ds.points, geometry=False, lineage=False).set_index("callsign")
    assert legs.loc["DAL2418", "destination"] in (None, "KGEG") or pd.isna(legs.loc["DAL2418", "destination"])
    assert legs.loc["DAL1615", "origin"] in (None, "KGEG") or pd.isna(legs.loc["DAL1615", "origin"])
    assert "K73S" not in set(legs[["origin", "destination"]].stack().astype(str))


CUT_WRONG = {
    # (file, callsign, event, height hidden below, ft): the field named instead, and why (README.md beside this file)
    ("calibration/brussels_ils", "CALIBRA", "landing", 1000.0),  # EBGB: the calibration circuit heads for Grimbergen when cut
    ("calibration/london_gatwick", "GTACN", "landing", 300.0),  # EGKR: Redhill, 7 km, straight ahead of the circuit when cut
    ("calibration/munich", "FCK211", "takeoff", 2000.0),  # EDNX: Oberschleissheim, climbing away from it, not from Munich
    ("calibration/perth", "ADA4", "landing", 1000.0),  # YPEA: Pearce, on the centreline of its runway 36L
    ("calibration/perth", "ADA4", "landing", 2000.0),  # YPEA: Pearce, on the centreline of its runway 36R
    ("calibration/toulouse", "CALIBRA", "landing", 1000.0),  # LFCL: Lasbordes, 5.8 km ahead when cut
    ("firefighting/calfire", "C305", "landing", 300.0),  # KRIR: Flabob, 3.5 km from Riverside, straight ahead
    ("fr24/34a8254b.json", "EDW24", "takeoff", 2000.0),  # LSMD: Dübendorf, 6.6 km behind the climb out of Zurich
    ("readsb/trace_full_ac671b.json", "DAL2418", "takeoff", 5000.0),  # KSGS: South St. Paul, under the climb, on runway 34's line
    ("surveys/pixair_toulouse", "PXR31F", "takeoff", 2000.0),  # LFBF: Francazal, 8.8 km behind the climb, Blagnac 12.7 km
}
"""Cut ends that name another field than the truth, each explained in README.md (the others name the truth or nothing)."""


@pytest.fixture(scope="module")
def cut(tmp_path_factory: pytest.TempPathFactory) -> pd.DataFrame:
    from tests.realdata.cutaway import evaluate as cut_evaluate

    return cut_evaluate(Path(tmp_path_factory.mktemp("cutaway")))


def test_an_end_lost_high_names_the_true_field_or_none(cut: pd.DataFrame) -> None:
    """The lowest part of each real approach and climb-out hidden (tests/realdata/cutaway.py): no wrong field but the explained ones.

    With a single 6,000 ft limit on inferred ends, 39 of 164 ends cut at 3,500 ft and
    80 of 158 cut at 5,000 ft named a wrong field (a small field under the approach or the climb)."""
    wrong = cut[cut["result"] == "wrong"]
    got = set(zip(wrong["file"], wrong["callsign"], wrong["event"], wrong["height_ft"], strict=True))
    assert got == CUT_WRONG, wrong[["file", "callsign", "event", "height_ft", "airport", "named", "reason"]]
    by_h = cut.groupby("height_ft")["result"]
    assert (by_h.apply(lambda r: (r == "right").sum() > 10 * (r == "wrong").sum())).all()  # right at least ten times as often
    assert (cut[cut["height_ft"] == 3500.0]["result"] != "wrong").all()


THINNED_WRONG = {
    # (file, callsign, event, time, seconds per kept point): with one point per 2 minutes, the reading kept from C305's ground
    # run is the single 19-kt one on Flabob's runway, 3.5 km from Riverside (README.md): the data says Flabob
    ("firefighting/calfire", "C305", "takeoff", "2020-09-09 21:25:55+00:00", 120),
    ("firefighting/calfire", "C305", "takeoff", "2020-09-09 21:31:14+00:00", 120),
}
"""Thinned ends that name another field than the truth (tests/realdata/thinned.py)."""


def test_thinned_recordings_name_the_true_field_or_none(tmp_path: Path) -> None:
    """One point per 30, 60 and 120 s, as other feeds report: no wrong field at 30 or 60 s, and the two explained ones at 120 s."""
    from tests.realdata.thinned import evaluate as thinned_evaluate

    r = thinned_evaluate(tmp_path)
    wrong = r[r["result"] == "wrong"]
    got = set(zip(wrong["file"], wrong["callsign"], wrong["event"], wrong["time"].astype(str), wrong["step_s"], strict=True))
    assert got == THINNED_WRONG, wrong[["file", "callsign", "event", "time", "step_s", "airport", "named", "evidence"]]
    share = (r["result"] == "right").groupby(r["step_s"]).mean()
    assert share.loc[30] >= 0.97 and share.loc[60] >= 0.97  # the aim, kept at the sampling FR24 exports use


DOUBTFUL = ("firefighting/calfire", "a606a2")
"""(file, icao24) of the truth rows in doubt (README.md): fire-fighter C305's single 33-39 kt readings 80-180 ft above Riverside."""


def test_noisy_recordings_name_no_wrong_field_where_the_truth_is_sure(tmp_path: Path) -> None:
    """Errors of 60 m, 50 ft and 3 kt on every reported value, three draws: no wrong field at an end whose truth is not in
    doubt, and the aim of 97 % right kept."""
    from tests.realdata.noisy import evaluate as noisy_evaluate

    r = noisy_evaluate(tmp_path)
    wrong = r[r["result"] == "wrong"]
    sure = wrong[(wrong["file"] != DOUBTFUL[0]) | (wrong["icao24"] != DOUBTFUL[1])]
    assert sure.empty, sure[["seed", "file", "callsign", "event", "time", "airport", "named", "evidence"]]
    assert (r["result"] == "right").mean() >= 0.97


SHIPPED = ("collections/quickstart", "calibration/nice", "featured/zero_gravity", "noisy/noisy_ground", "military/aircraft_carrier")
"""Samples read as shipped below: the largest (read as it streams), pandas' columns layout (two), traffic's added ``heading``
beside the track, positions missing."""


@pytest.mark.parametrize("name", SHIPPED)
def test_a_sample_read_as_shipped_gives_the_points_of_the_same_sample_as_a_csv(tmp_path: Path, name: str) -> None:
    """traffic's gzipped pandas JSON, read as it is (``traffic_json``), against pandas' own reading of it written out as a
    pyopensky CSV (``opensky_csv``): the same points, squawks included, and the same records quarantined."""
    import numpy as np

    import flighttrace
    from tests.realdata.compare import sample_csv, samples_dir

    shipped = flighttrace.read(samples_dir() / f"{name}.json.gz")
    csv = flighttrace.read(sample_csv(name, tmp_path))
    assert shipped.manifest["format"].tolist() == ["traffic_json"] and shipped.manifest["error"].tolist() == [""]
    a, b = shipped.points, csv.points
    assert len(a) == len(b) > 0 and shipped.manifest["rows_quarantined"].tolist() == csv.manifest["rows_quarantined"].tolist()
    assert (a["icao24"].astype(str) == b["icao24"].astype(str)).all() and (a["time"] == b["time"]).all()
    for col in ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"):
        np.testing.assert_allclose(a[col].to_numpy(dtype=float), b[col].to_numpy(dtype=float), rtol=1e-6, atol=1e-6, err_msg=col)
    assert a["callsign"].astype(object).fillna("").tolist() == b["callsign"].astype(object).fillna("").tolist()
    assert a["squawk"].astype(object).fillna("").tolist() == b["squawk"].astype(object).fillna("").tolist()  # pandas' 1000.0 in the CSV is 1000
    assert a["on_ground"].astype(object).fillna(-1).tolist() == b["on_ground"].astype(object).fillna(-1).tolist()
