"""jet1090 / rs1090 decoded Mode S messages (JSON Lines): values by hand, state carry, bad lines, detection, fuzz."""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import flighttrace
from flighttrace.io._base import ReadContext
from flighttrace.io.api import Dataset, assert_counts
from flighttrace.io.jet1090 import GNSS_NOTE, read_jet1090
from tests.io.fuzzutil import FUZZ, MUTATIONS, mutate, read_bytes_survives

T0 = 1_720_248_000.0
"""2024-07-06 06:40:00 UTC (19,910 days × 86,400 s + 6 h 40 min)."""


def m(dt: float, df: str, bds: str | None = None, icao24: str = "393322", **fields: Any) -> str:
    """One message line as jet1090 writes it: ``dt`` seconds after :data:`T0`, the fields given."""
    obj: dict[str, Any] = {"timestamp": T0 + dt, "frame": "8d393322", "df": df, "icao24": icao24}
    if bds is not None:
        obj["bds"] = bds
    obj.update(fields)
    return json.dumps(obj)


def _file(tmp_path: Path, lines: list[str], name: str = "messages.jsonl") -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _read(path: Path, **kw: Any) -> Dataset:
    ds = flighttrace.read(path, **kw)
    assert_counts(ds)
    return ds


# --------------------------------------------------------------------------- values by hand

FLIGHT = [
    m(0, "17", "08", callsign="AFR34ZG "),  # line 0: identification
    m(1, "5", squawk="1000"),  # line 1: identity reply
    m(2, "4", altitude=3000),  # line 2: altitude reply
    m(3, "17", "09", groundspeed=160.5, track=263.9, vertical_rate=2176, vrate_src="barometric"),  # line 3: velocity
    m(4, "17", "05", altitude=3025, source="barometric", latitude=48.9963, longitude=2.5655),  # line 4: airborne position
    m(5, "20", "50", groundspeed=999.0, track=10.0, TAS=400),  # line 5: Comm-B track and turn report (inferred register)
    m(6, "17", "05", altitude=None, source="barometric", latitude=48.9970, longitude=2.5600),  # line 6: position without altitude
    m(100, "17", "06", groundspeed=12.0, track=90.0, latitude=49.0058, longitude=2.5735),  # line 7: surface position
]


def test_positions_take_the_state_of_the_messages_before_them(tmp_path: Path) -> None:
    ds = _read(_file(tmp_path, FLIGHT))
    p = ds.points
    assert ds.manifest.iloc[0]["format"] == "jet1090"
    assert p["src_row"].tolist() == [4, 6, 7]  # one point per position message, src_row its line
    assert ds.manifest.iloc[0]["rows_read"] == 3 and ds.manifest.iloc[0]["lines_state"] == 5
    assert (p["time"] - pd.Timestamp(T0, unit="s", tz="UTC")).dt.total_seconds().tolist() == [4.0, 6.0, 100.0]
    assert p["lat"].tolist() == [48.9963, 48.9970, 49.0058]
    assert p["callsign"].astype(str).tolist() == ["AFR34ZG"] * 3  # the padding stripped, carried within 30 min
    assert p["squawk"].astype(str).tolist() == ["1000"] * 3
    assert p["alt_ft"].iloc[0] == 3025.0  # the position's own altitude
    assert p["alt_ft"].iloc[1] == 3025.0  # none in the message: the last one, 2 s old
    assert math.isnan(p["alt_ft"].iloc[2])  # on the ground: no altitude
    assert p["on_ground"].tolist() == [False, False, True]  # airborne (BDS 0,5) and surface (BDS 0,6) positions
    assert p["gs_kt"].iloc[0] == pytest.approx(160.5) and p["gs_kt"].iloc[1] == pytest.approx(160.5)  # the Comm-B 999 kt is not used
    assert p["track_deg"].iloc[1] == pytest.approx(263.9)
    assert p["gs_kt"].iloc[2] == pytest.approx(12.0) and p["track_deg"].iloc[2] == pytest.approx(90.0)  # the surface message's own
    assert p["vrate_fpm"].iloc[0] == 2176.0 and math.isnan(p["vrate_fpm"].iloc[2])  # 97 s old at the surface position: expired
    assert p["position_source"].astype(str).tolist() == ["adsb"] * 3


def test_relayed_positions_and_gnss_heights_are_said(tmp_path: Path) -> None:
    lines = [
        m(0, "18", "05", tisb="TISB_FINE", altitude=2000, source="barometric", latitude=48.0, longitude=2.0),  # rebroadcast by a ground station
        m(1, "17", "05", icao24="abcdef", altitude=5150, source="GNSS", latitude=47.0, longitude=3.0),
        m(2, "18", "06", icao24="3c0001", tisb="ADSB_ES_NT", groundspeed=5.0, track=10.0, latitude=49.0, longitude=2.5),  # no transponder
    ]
    ds = _read(_file(tmp_path, lines))
    p = ds.points.sort_values("src_row")
    assert p["position_source"].astype(str).tolist() == ["other", "adsb", "adsb"]
    assert np.array_equal(p["alt_ft"].to_numpy(dtype=float), [2000.0, 5150.0, np.nan], equal_nan=True)
    assert GNSS_NOTE in ds.manifest.iloc[0]["notes"]


def test_an_airborne_position_not_yet_resolved_still_gives_its_altitude(tmp_path: Path) -> None:
    lines = [
        m(0, "17", "05", altitude=4000, source="barometric", parity="even", lat_cpr=1, lon_cpr=2),  # the first of a CPR pair: no position
        m(1, "17", "05", altitude=None, source="barometric", latitude=48.0, longitude=2.0),
    ]
    ds = _read(_file(tmp_path, lines))
    assert ds.points["src_row"].tolist() == [1] and ds.points["alt_ft"].tolist() == [4000.0]
    assert ds.manifest.iloc[0]["lines_state"] == 1


def test_state_crosses_chunks_and_expires(tmp_path: Path) -> None:
    lines = [
        m(0, "17", "08", callsign="AFR1"),
        m(1, "4", altitude=1000),
        m(2, "17", "05", altitude=None, latitude=48.0, longitude=2.0),  # chunk 2 of 2-line chunks
        m(70, "17", "05", altitude=None, latitude=48.1, longitude=2.1),  # the altitude 69 s old: expired
        m(1900, "17", "05", altitude=None, latitude=48.2, longitude=2.2),  # the callsign 1,900 s old: expired
    ]
    ctx = ReadContext(src_file="x", chunk_rows=2)
    chunks = list(read_jet1090(_file(tmp_path, lines).open("rb"), ctx))
    assert [len(c) for c in chunks] == [0, 2, 1]
    cols = [c.columns for c in chunks if len(c)]
    assert cols[0]["alt_ft"][0] == 1000.0 and math.isnan(cols[0]["alt_ft"][1])
    assert list(cols[0]["callsign"]) == ["AFR1", "AFR1"] and cols[1]["callsign"][0] is None


# --------------------------------------------------------------------------- bad lines


def test_each_bad_line_is_quarantined_alone_and_the_rest_is_read(tmp_path: Path) -> None:
    lines = [
        m(0, "17", "05", altitude=1000, latitude=48.0, longitude=2.0),  # 0
        "this is not json",  # 1
        "",  # 2: blank, ignored
        "[1, 2, 3]",  # 3
        m(3, "17", "05", altitude="high", latitude=48.1, longitude=2.1),  # 4: a field of the wrong type
        '{"timestamp": 1720248005.0, "df": "17", "bds": "05", "latitude": 48.2, "longitude": 2.2}',  # 5: no icao24
        '{"timestamp": 17202480',  # 6: cut short
        m(7, "17", "05", altitude=1100, latitude=48.3, longitude=2.3),  # 7
    ]
    ds = _read(_file(tmp_path, lines))
    assert ds.points["src_row"].tolist() == [0, 7]
    q = ds.quarantine.dropna(subset=["src_row"])
    reasons = dict(zip(q["src_row"].astype(int), q["reason"], strict=True))
    assert set(reasons) == {1, 3, 4, 5, 6}
    assert reasons[1] == "not a JSON object" and reasons[3] == "not a JSON object"
    assert reasons[4] == "altitude is text, not a number" and reasons[5] == "no icao24" and reasons[6] == "not JSON"
    assert q.set_index(q["src_row"].astype(int)).loc[4, "raw"] == lines[4]  # the line as written
    row = ds.manifest.iloc[0]
    assert (row["rows_read"], row["rows_kept"], row["rows_quarantined"]) == (7, 2, 5)


def test_a_gzip_file_and_a_forced_format(tmp_path: Path) -> None:
    path = tmp_path / "messages.jsonl.gz"
    path.write_bytes(gzip.compress(("\n".join(FLIGHT) + "\n").encode()))
    ds = _read(path)
    assert ds.manifest.iloc[0]["compression"] == "gzip" and len(ds.points) == 3
    assert len(_read(path, format="jet1090").points) == 3
    csv = tmp_path / "x.csv"
    csv.write_text("a,b\n1,2\n", encoding="utf-8")
    err = _read(csv, format="jet1090").manifest.iloc[0]["error"]
    assert "not jet1090 JSON Lines" in err and "a,b" in err


def test_json_lines_of_another_shape_are_not_taken_for_jet1090(tmp_path: Path) -> None:
    row = _read(_file(tmp_path, ['{"a": 1, "b": 2}', '{"a": 3}'])).manifest.iloc[0]
    assert row["format"] == "" and row["error"] == ("JSON Lines (one JSON value per line) of unknown shape: the first line is an object "
                                                    "with keys 'a', 'b'; the JSON Lines flighttrace reads: jet1090, traffic_json")
    row = _read(_file(tmp_path, ["a damaged line", "another", FLIGHT[0]])).manifest.iloc[0]  # mostly not JSON
    assert row["format"] == "" and row["error"].startswith("unrecognised content")


def test_a_damaged_first_line_does_not_hide_the_format(tmp_path: Path) -> None:
    ds = _read(_file(tmp_path, ["\x00garbage", *FLIGHT]))
    assert ds.manifest.iloc[0]["format"] == "jet1090" and ds.points["src_row"].tolist() == [5, 7, 8]
    assert ds.quarantine["src_row"].tolist() == [0]


def test_a_one_message_file_without_a_line_end_is_read(tmp_path: Path) -> None:
    path = tmp_path / "one.jsonl"
    path.write_text(FLIGHT[4], encoding="utf-8")  # the airborne position of line 4, alone, no line end
    ds = _read(path)
    assert ds.manifest.iloc[0]["format"] == "jet1090"
    assert ds.points["lat"].tolist() == [48.9963] and ds.points["alt_ft"].tolist() == [3025.0]


def test_a_large_document_is_not_parsed_to_tell_it_from_jet1090(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # a readsb trace on one line, longer than the head the formats are told from (64 KiB): no whole line in the head
    trace = {"icao": "4b1814", "timestamp": T0, "trace": [[i, 47.0 + i / 1e4, 8.0, 30000, 400.0, 90.0, 0, 0, None, "adsb_icao"]
                                                          for i in range(2000)]}
    path = tmp_path / "trace_full_4b1814.json"
    path.write_text(json.dumps(trace), encoding="utf-8")
    assert path.stat().st_size > 64 * 1024
    from flighttrace.io import jet1090

    sniffed: list[int] = []
    real_loads = jet1090.orjson.loads

    class Counting:
        JSONDecodeError = jet1090.orjson.JSONDecodeError

        @staticmethod
        def loads(data: Any) -> Any:
            sniffed.append(len(data))
            return real_loads(data)

    monkeypatch.setattr(jet1090, "orjson", Counting)
    ds = _read(path)
    assert ds.manifest.iloc[0]["format"] == "readsb_trace" and len(ds.points) == 2000
    assert sniffed == []  # the head cuts the document short: not a whole JSON object, not parsed to tell the format


def test_many_bad_lines_cost_only_themselves(tmp_path: Path) -> None:
    good = [m(i, "17", "05", altitude=1000 + i, latitude=48.0 + i / 1000, longitude=2.0) for i in range(2000)]
    lines = [x if i % 97 != 1 else "not json" for i, x in enumerate(good)]  # the first line bad too
    ds = _read(_file(tmp_path, lines))
    bad = {i for i in range(2000) if i % 97 == 1}
    assert set(ds.quarantine["src_row"].astype(int)) == bad
    assert np.array_equal(ds.points["src_row"].to_numpy(), np.array([i for i in range(2000) if i not in bad]))


# --------------------------------------------------------------------------- fuzz

VALID = ("\n".join(FLIGHT) + "\n").encode()


@FUZZ
@given(**MUTATIONS, forced=st.booleans())
def test_fuzz_mutated_messages(tmp_path_factory: pytest.TempPathFactory, positions: list[int], values: list[int], cut: int | None, forced: bool) -> None:
    data = mutate(VALID, positions, values, cut)
    read_bytes_survives(data, tmp_path_factory.mktemp("fz"), "messages.jsonl", format="jet1090" if forced else None)


def test_the_simulator_writes_what_the_reader_gives_back(tmp_path: Path) -> None:
    from flighttrace.sim.writers import write_jet1090

    t = pd.to_datetime([T0, T0 + 1, T0 + 2, T0 + 2.5], unit="s", utc=True)
    pts = pd.DataFrame({
        "icao24": ["393322", "393322", "393322", "4ca2d6"], "time": t,
        "lat": [49.0058, 48.99, 48.98, 47.1], "lon": [2.5735, 2.56, 2.55, 8.2],
        "alt_ft": [np.nan, 725.0, 1000.4, 33000.0], "on_ground": [True, False, False, False],
        "gs_kt": [12.5, 160.9, 170.0, np.nan], "track_deg": [90.0, 263.9, 264.0, np.nan], "vrate_fpm": [np.nan, 2176.0, 2048.0, np.nan],
        "callsign": ["AFR34ZG", "AFR34ZG", "AFR34ZG", None], "squawk": ["1000", "1000", "1000", "7700"],
    })
    path = tmp_path / "w.jsonl"
    write_jet1090(pts, path)
    back = _read(path).points.sort_values(["time", "icao24"]).reset_index(drop=True)
    assert back["time"].tolist() == list(t) and back["icao24"].astype(str).tolist() == ["393322"] * 3 + ["4ca2d6"]
    assert back["lat"].tolist() == pts["lat"].tolist() and back["lon"].tolist() == pts["lon"].tolist()
    assert np.array_equal(back["alt_ft"].to_numpy(dtype=float), [np.nan, 725.0, 1000.0, 33000.0], equal_nan=True)  # to 1 ft
    assert back["on_ground"].tolist() == [True, False, False, False]
    assert np.allclose(back["gs_kt"].to_numpy(dtype=float)[:3], [12.5, 160.9, 170.0]) and math.isnan(back["gs_kt"].iloc[3])
    assert np.array_equal(back["vrate_fpm"].to_numpy(dtype=float), [np.nan, 2176.0, 2048.0, np.nan], equal_nan=True)
    assert back["callsign"].astype(object).where(back["callsign"].notna(), None).tolist() == ["AFR34ZG"] * 3 + [None]
    assert back["squawk"].astype(str).tolist() == ["1000", "1000", "1000", "7700"]


def test_a_line_only_arrow_refuses_is_quarantined_with_its_reason(tmp_path: Path) -> None:
    # a key given twice: the line checker sees the last value (a number), Arrow the first (text) and refuses the line
    twice = m(1, "17", "05", latitude=48.1, longitude=2.0).replace('"icao24"', '"altitude": "x", "altitude": 5, "icao24"')
    lines = [m(0, "17", "05", altitude=1000, latitude=48.0, longitude=2.0), twice, m(2, "17", "05", altitude=1100, latitude=48.2, longitude=2.0)]
    ds = _read(_file(tmp_path, lines))
    assert ds.points["src_row"].tolist() == [0, 2] and ds.points["alt_ft"].tolist() == [1000.0, 1100.0]
    q = ds.quarantine
    assert q["src_row"].tolist() == [1] and q["reason"].iloc[0].startswith("unreadable (JSON parse error")


_VALUES = st.one_of(st.none(), st.booleans(), st.integers(-(2**70), 2**70), st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
                    st.lists(st.integers(), max_size=2), st.dictionaries(st.text(max_size=3), st.integers(), max_size=2))
_KEYS = st.sampled_from(["timestamp", "df", "bds", "icao24", "latitude", "longitude", "altitude", "source", "groundspeed", "track",
                         "vertical_rate", "callsign", "squawk", "tisb"])


@FUZZ
@given(objs=st.lists(st.dictionaries(_KEYS, _VALUES, max_size=8), max_size=6))
def test_fuzz_field_values(tmp_path_factory: pytest.TempPathFactory, objs: list[dict[str, Any]]) -> None:
    """Messages with any mix of the used fields, of any JSON type (and NaN / Infinity, which JSON has not), among good ones."""
    lines = [FLIGHT[0], *(json.dumps(o, allow_nan=True) for o in objs), *FLIGHT[1:]]
    ds = read_bytes_survives(("\n".join(lines) + "\n").encode(), tmp_path_factory.mktemp("fz"), "messages.jsonl")
    row = ds.manifest.iloc[0]
    assert row["format"] == "jet1090"
    k = len(objs)
    assert {k + 4, k + 6, k + 7} <= set(ds.points["src_row"].tolist())  # the three good positions kept, whatever stands between
