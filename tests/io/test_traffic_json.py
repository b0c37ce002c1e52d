"""State vectors as a pandas JSON table (traffic's samples and ``to_json`` exports): every layout, read as it streams, bad records.

The files are written by pandas itself (``DataFrame.to_json``, through
:func:`flighttrace.sim.writers.write_traffic_json`) or by hand; the expected
points are the builder's own values.
"""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import orjson
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import flighttrace
import flighttrace.io.jsonstream as jsonstream
from flighttrace.io._base import FormatError, ReadContext
from flighttrace.io._normalise import Limits
from flighttrace.io.bounds import SizeLimits
from flighttrace.io.jsonstream import array_runs
from flighttrace.io.traffic_json import SPECS, _sniff
from flighttrace.sim.writers import write_traffic_json
from tests.builders import T0, points
from tests.io.fuzzutil import FUZZ, MUTATIONS, mutate, read_bytes_survives
from tests.io.readcheck import read_one, reasons

MS0 = int(T0.timestamp() * 1000)
"""The builders' first time, in milliseconds since 1970 (as pandas writes times)."""


def _record(i: int, **over: object) -> dict[str, object]:
    """A traffic record: the builders' aircraft, 20 s apart, climbing."""
    rec: dict[str, object] = {"timestamp": MS0 + 20_000 * i, "icao24": "600864", "latitude": 40.46 + 0.01 * i, "longitude": 50.05,
                              "groundspeed": 150.0, "track": 315.0, "vertical_rate": 1500.0, "callsign": "AZQ6224", "onground": False,
                              "squawk": "1000", "altitude": 1000.0 + 100 * i}
    rec.update(over)
    return rec


def _write(tmp_path: Path, data: bytes | str, name: str = "sample.json") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("orient", ["records", "columns", "index", "split", "table"])
def test_every_pandas_layout_reads_back_the_points_written(tmp_path: Path, orient: str) -> None:
    p = pd.concat([points(6), points(4, icao24="4ba946", start=T0 + pd.Timedelta(minutes=5), callsign=["THY1920"] * 4,
                                      squawk=["0400"] * 4, on_ground=[True, True, False, False])], ignore_index=True)
    path = tmp_path / f"flights_{orient}.json.gz"
    write_traffic_json(p, path, orient=orient)  # type: ignore[arg-type]
    ds = read_one(path)
    assert ds.manifest["format"].tolist() == ["traffic_json"] and ds.manifest["error"].tolist() == [""]
    got = ds.points.sort_values(["icao24", "time"]).reset_index(drop=True)
    want = p.sort_values(["icao24", "time"]).reset_index(drop=True)
    assert got["icao24"].astype(str).tolist() == want["icao24"].tolist()
    assert (got["time"] == want["time"]).all()  # milliseconds since 1970 (ISO text in the table layout), exactly
    for col in ("lat", "lon", "alt_ft", "gs_kt", "track_deg", "vrate_fpm"):
        np.testing.assert_allclose(got[col].to_numpy(dtype=float), want[col].to_numpy(dtype=float), rtol=1e-6)
    assert got["callsign"].tolist() == want["callsign"].tolist()
    assert got["squawk"].tolist() == want["squawk"].tolist()
    assert got["on_ground"].tolist() == want["on_ground"].tolist()
    assert "pyopensky/traffic history columns" in ds.manifest["notes"].iloc[0] and f"orient '{orient}'" in ds.manifest["notes"].iloc[0]


@pytest.mark.parametrize("block", [1, 7, 100, 4096])
def test_records_read_in_blocks_give_the_same_points_whatever_the_block_size(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                             block: int) -> None:
    recs = [_record(i, callsign=['AZQ,"]}', "A\\\\", "B\\\"C", "ZZ"][i % 4]) for i in range(40)]  # commas, brackets, escapes
    path = _write(tmp_path, json.dumps(recs))
    monkeypatch.setattr(jsonstream, "ARRAY_BLOCK_BYTES", block)
    ds = read_one(path)
    assert len(ds.points) == 40 and ds.quarantine.empty
    assert ds.points["callsign"].tolist() == [r["callsign"] for r in recs]
    np.testing.assert_allclose(ds.points["lat"].to_numpy(), [r["latitude"] for r in recs])


@settings(max_examples=60, deadline=None)
@given(recs=st.lists(st.dictionaries(st.sampled_from(["a", "b", "c\"", "d\\"]),
                                     st.one_of(st.none(), st.booleans(), st.integers(-10**6, 10**6), st.text(max_size=6),
                                               st.lists(st.text(max_size=3), max_size=2)), max_size=3), max_size=12),
       block=st.integers(1, 40), spaced=st.booleans(), bom=st.booleans())
def test_array_runs_give_every_record_as_json_parses_it(recs: list[dict[str, object]], block: int, spaced: bool, bom: bool) -> None:
    data = json.dumps(recs, indent=1 if spaced else None).encode()
    if bom:  # a byte-order mark and white space before the array, whatever blocks they fall in
        data = b"\xef\xbb\xbf \n" + data
    ctx = ReadContext(src_file="x.json")
    got, rows = [], []
    for run in array_runs(io.BytesIO(data), ctx, block_bytes=block):
        assert run.quarantine == []
        got += run.records
        rows += run.rows.tolist()
    assert got == recs and rows == list(range(len(recs))) and ctx.notes == []


def test_a_bad_record_costs_only_itself_and_reading_goes_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = [orjson.dumps(_record(i)) for i in range(5)]
    data = b"[" + b",".join([good[0], b'{"timestamp": NaN}', good[1], b"17", good[2], b'{"icao24": "600864",}', good[3], good[4]]) + b"]"
    monkeypatch.setattr(jsonstream, "ARRAY_BLOCK_BYTES", 50)
    ds = read_one(_write(tmp_path, data))
    assert len(ds.points) == 5
    why = reasons(ds)
    assert why[1] == "record holds NaN or Infinity, which JSON does not allow"
    assert why[3] == "record is not a JSON object"
    assert why[5].startswith("record is not valid JSON")
    assert ds.quarantine.set_index("src_row").loc[3, "raw"] == "17"


def test_a_record_past_the_line_limit_is_quarantined_unread_and_the_next_ones_are_kept(tmp_path: Path) -> None:
    recs = [_record(0), _record(1, callsign="X" * 5_000), _record(2), _record(3)]
    limits = Limits(size=SizeLimits(line_bytes=1_000))
    ds = read_one(_write(tmp_path, json.dumps(recs)), limits=limits)
    assert len(ds.points) == 3
    assert reasons(ds)[1].startswith("record longer than") and "(limit line_bytes)" in reasons(ds)[1]


def test_a_file_cut_short_keeps_its_whole_records_and_says_so(tmp_path: Path) -> None:
    data = json.dumps([_record(i) for i in range(4)]).encode()
    ds = read_one(_write(tmp_path, data[: data.rindex(b'"altitude"')]))  # inside the last record
    assert len(ds.points) == 3
    assert reasons(ds)[3] == "record cut short: the document ends inside it"
    assert "cut short" in ds.manifest["notes"].iloc[0]


def test_a_boolean_is_never_a_number_and_a_text_never_a_time(tmp_path: Path) -> None:
    recs = [_record(0), _record(1, latitude=True), _record(2, timestamp="soon"), _record(3)]
    ds = read_one(_write(tmp_path, json.dumps(recs)))
    assert len(ds.points) == 2
    why = reasons(ds)
    assert why[1].startswith("latitude 'true' is not a number")  # as an OpenSky CSV's "soon" would be
    assert why[2] == "time is not a number"  # the other times, in milliseconds, are still read as such
    assert '"soon"' in ds.quarantine.set_index("src_row").loc[2, "raw"]


def test_traffic_heading_is_not_taken_for_the_track(tmp_path: Path) -> None:
    # traffic adds the aircraft's own heading (a Comm-B reply) beside the track: the track is the track angle
    recs = [_record(i, heading=300.0, track=315.0) for i in range(3)]
    ds = read_one(_write(tmp_path, json.dumps(recs)))
    assert ds.points["track_deg"].tolist() == [315.0] * 3
    assert "mixed" not in ds.manifest["notes"].iloc[0]


def test_a_squawk_written_as_a_float_reads_as_its_four_digit_code(tmp_path: Path) -> None:
    recs = [_record(0, squawk=7700.0), _record(1, squawk=400.0), _record(2, squawk=None)]
    ds = read_one(_write(tmp_path, json.dumps(recs)))
    assert ds.points["squawk"].tolist()[:2] == ["7700", "0400"] and pd.isna(ds.points["squawk"].iloc[2])


def test_columns_that_do_not_share_an_index_are_aligned_on_the_first(tmp_path: Path) -> None:
    doc = {"timestamp": {"0": MS0, "1": MS0 + 20_000}, "icao24": {"1": "600864", "0": "600864"},
           "latitude": {"0": 40.0, "1": 40.1}, "longitude": {"0": 50.0}}
    ds = read_one(_write(tmp_path, json.dumps(doc)))
    assert ds.points["lat"].tolist() == [40.0] and reasons(ds) == {1: "lon missing"}


def test_the_sniff_takes_only_arrays_of_state_vector_records() -> None:
    assert _sniff(b'\xef\xbb\xbf [ {"timestamp": 1, "icao24": "600864", "latitude": 40}')
    assert _sniff(b'[{"time": 1, "icao24": "600864", "lat": 40, "lon": 50}]')
    assert not _sniff(b'[{"fr24_id": "2c1a3f4b", "tracks": []}]')  # FR24's API: no state vectors
    assert not _sniff(b'{"timestamp": {"0": 1}}')  # pandas' columns layout: parsed whole and matched instead
    assert not _sniff(b'[[1, 2], [3, 4]]')


def test_an_array_of_other_records_is_not_taken_and_says_what_it_is(tmp_path: Path) -> None:
    ds = flighttrace.read(_write(tmp_path, json.dumps([{"when": 1, "where": "Ovda"}])))
    assert ds.points.empty and "JSON of unknown shape" in ds.manifest["error"].iloc[0]


def test_the_format_can_be_forced_and_refuses_other_content_clearly(tmp_path: Path) -> None:
    p = points(3)
    path = tmp_path / "flights.json"
    write_traffic_json(p, path, orient="columns")
    assert len(read_one(path, format="traffic_json").points) == 3
    csv = _write(tmp_path, "time,icao24,lat,lon\n1,600864,40,50\n", "flights.csv")
    err = flighttrace.read(csv, format="traffic_json").manifest["error"].iloc[0]
    assert err.startswith("not a JSON table of state vectors written by pandas: the content is text, not JSON")


def test_content_that_is_no_array_is_refused() -> None:
    ctx = ReadContext(src_file="x.json")
    with pytest.raises(FormatError, match="not a JSON array"):
        list(array_runs(io.BytesIO(b'  {"a": 1}'), ctx))
    assert SPECS[0].json_stream and SPECS[0].match is not None


def test_json_lines_read_back_the_points_written_whatever_the_run_length(tmp_path: Path) -> None:
    p = pd.concat([points(7), points(3, icao24="4ba946", start=T0 + pd.Timedelta(minutes=5))], ignore_index=True)
    path = tmp_path / "flights.jsonl.gz"
    write_traffic_json(p, path, lines=True)
    for rows in (1, 3, 1000):
        ds = read_one(path, limits=Limits()) if rows == 1000 else _read_runs(path, rows)
        assert ds.manifest["format"].tolist() == ["traffic_json"] and "pandas JSON Lines" in ds.manifest["notes"].iloc[0]
        got = ds.points.sort_values(["icao24", "time"]).reset_index(drop=True)
        want = p.sort_values(["icao24", "time"]).reset_index(drop=True)
        assert (got["time"] == want["time"]).all() and got["icao24"].astype(str).tolist() == want["icao24"].tolist()
        np.testing.assert_allclose(got["alt_ft"].to_numpy(), want["alt_ft"].to_numpy())


def _read_runs(path: Path, rows: int):  # type: ignore[no-untyped-def]
    """``read`` with the readers' runs of ``rows`` records (the chunk size streaming readers aim for)."""
    from flighttrace.io import _base

    old = _base.DEFAULT_CHUNK_ROWS
    _base.DEFAULT_CHUNK_ROWS = rows
    try:
        return read_one(path)
    finally:
        _base.DEFAULT_CHUNK_ROWS = old


def test_a_bad_line_costs_only_itself_and_blank_lines_are_skipped(tmp_path: Path) -> None:
    lines = [orjson.dumps(_record(0)), b"", orjson.dumps(_record(1)), b'{"timestamp": NaN}', b"[1, 2]", b"   ",
             orjson.dumps(_record(2))[:-1], orjson.dumps(_record(3))]
    ds = read_one(_write(tmp_path, b"\xef\xbb\xbf" + b"\n".join(lines) + b"\n", "flights.jsonl"))
    assert len(ds.points) == 3
    assert reasons(ds) == {3: "record holds NaN or Infinity, which JSON does not allow", 4: "record is not a JSON object",
                           6: reasons(ds)[6]} and reasons(ds)[6].startswith("record is not valid JSON")
    assert "byte-order mark" in ds.manifest["notes"].iloc[0]


def test_a_line_past_the_line_limit_is_quarantined_unkept_in_json_lines(tmp_path: Path) -> None:
    lines = [orjson.dumps(_record(0)), orjson.dumps(_record(1, callsign="X" * 5_000)), orjson.dumps(_record(2))]
    ds = read_one(_write(tmp_path, b"\n".join(lines), "flights.jsonl"), limits=Limits(size=SizeLimits(line_bytes=1_000)))
    assert len(ds.points) == 2 and "(limit line_bytes)" in reasons(ds)[1]


def test_a_whole_table_on_one_line_is_not_taken_for_json_lines(tmp_path: Path) -> None:
    # pandas' columns layout writes the whole table on one line: an object of objects, parsed as one document
    path = tmp_path / "flights.json"
    write_traffic_json(points(4), path, orient="columns")
    assert not _sniff(path.read_bytes() + b"\n")
    ds = read_one(path)
    assert len(ds.points) == 4 and "orient 'columns'" in ds.manifest["notes"].iloc[0]
    assert _sniff(orjson.dumps(_record(0)) + b"\n" + orjson.dumps(_record(1)) + b"\n")
    assert not _sniff(b'{"timestamp": 1, "df": 17, "icao24": "600864"}\n')  # no latitude: not a table of positions


_FUZZ_SAMPLES: dict[str, bytes] = {}


def _fuzz_sample(kind: str, tmp: Path) -> bytes:
    """A small traffic table of ``kind`` (``lines``, ``records`` or ``columns``), written once."""
    if kind not in _FUZZ_SAMPLES:
        path = tmp / f"sample_{kind}.json"
        write_traffic_json(points(6), path, orient="columns" if kind == "columns" else "records", lines=kind == "lines")
        _FUZZ_SAMPLES[kind] = path.read_bytes()
    return _FUZZ_SAMPLES[kind]


@pytest.mark.parametrize("kind", ["lines", "records", "columns"])
@FUZZ
@given(positions=MUTATIONS["positions"], values=MUTATIONS["values"], cut=MUTATIONS["cut"],
       token=st.sampled_from([b"", b"\n", b"\n\n", b",", b"]", b"{", b'"', b"\\", b"NaN", b"true", b"\xff", b"x" * 3000]),
       at=st.integers(0, 10_000))
def test_a_mutated_table_never_raises_and_its_counts_add_up(tmp_path_factory: pytest.TempPathFactory, kind: str, positions: list[int],
                                                           values: list[int], cut: int | None, token: bytes, at: int) -> None:
    base = _fuzz_sample(kind, tmp_path_factory.mktemp("base"))
    data = mutate(base, positions, values, cut)
    data = data[: at % (len(data) + 1)] + token + data[at % (len(data) + 1) :]
    ds = read_bytes_survives(data, tmp_path_factory.mktemp("fuzz"), "flights.json")
    assert len(ds.points) <= 6
