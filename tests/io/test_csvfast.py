"""The OpenSky CSV fast path (flighttrace.io.csvfast) gives exactly what the robust text path gives.

The robust path (``opensky.FAST_CSV = False``: every column parsed as text
on one thread) is the tested behaviour; every file here is read both ways
and the Points, the quarantine and the manifest must be equal. Each class
of hostile input also has a value worked out by hand, so that "equal" is
not "equally wrong".
"""

from __future__ import annotations

import gzip
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

import flighttrace
from flighttrace.io import csvfast, opensky
from flighttrace.io._base import ReadContext
from flighttrace.io._normalise import Limits
from flighttrace.io.api import Dataset
from flighttrace.io.bounds import SizeLimits
from flighttrace.io.opensky import FT_PER_M, KT_PER_MPS, STATE_VECTOR_COLUMNS
from tests.io.readcheck import reasons

T6 = 1693548000  # 2023-09-01T06:00:00Z
HEADER = ",".join(STATE_VECTOR_COLUMNS)
PY_HEADER = "timestamp,icao24,latitude,longitude,groundspeed,track,vertical_rate,callsign,onground,alert,spi,squawk,altitude,geoaltitude,last_position,lastseen,hour"
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


def line(t: Any = T6, icao24: str = "600864", lat: Any = 29.94, lon: Any = 34.94, velocity: Any = 100.0, heading: Any = 180.5,
         vertrate: Any = -5.0, callsign: str = "AZQ6224", onground: str = "false", squawk: str = "0042", baro: Any = 1000.0,
         lastpos: Any = None, lastcontact: Any = None) -> str:
    """One state_vectors_data4 line (SI units) with no space or tab unless a field has one."""
    lp = (t if isinstance(t, int) else T6) if lastpos is None else lastpos
    lc = (t if isinstance(t, int) else T6) if lastcontact is None else lastcontact
    return f"{t},{icao24},{lat},{lon},{velocity},{heading},{vertrate},{callsign},{onground},false,false,{squawk},{baro},,{lp},{lc},,{T6}"


def plain(n: int, start: int = 0) -> list[str]:
    """``n`` good lines, one second apart, lat rising by 1e-4 deg per row (so each row's lat tells its line)."""
    return [line(t=T6 + k, icao24=f"{0x600864 + k % 3:06x}", lat=round(29.0 + k * 1e-4, 6)) for k in range(start, start + n)]


def csv_bytes(lines: list[str], header: str = HEADER, end: str = "\n") -> bytes:
    return ("\n".join([header, *lines]) + end).encode()


def read_both(path: Path, monkeypatch: pytest.MonkeyPatch, **kw: Any) -> tuple[Dataset, Dataset]:
    """(robust, fast) reads of ``path``, asserted equal in points, quarantine and manifest."""
    monkeypatch.setattr(opensky, "FAST_CSV", False)
    robust = flighttrace.read(path, **kw)
    monkeypatch.setattr(opensky, "FAST_CSV", True)
    fast = flighttrace.read(path, **kw)
    pd.testing.assert_frame_equal(fast.points, robust.points)
    pd.testing.assert_frame_equal(fast.quarantine, robust.quarantine)
    pd.testing.assert_frame_equal(fast.manifest, robust.manifest)
    return robust, fast


def chunks_of(path: Path, fast: bool, monkeypatch: pytest.MonkeyPatch, **ctx: Any) -> list[Any]:
    monkeypatch.setattr(opensky, "FAST_CSV", fast)
    with open(path, "rb") as fh:
        return list(opensky.read_state_vectors_csv(io.BufferedReader(fh), ReadContext(src_file="x", **ctx)))


def no_robust_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any use of the robust path fail (to show that a plain file never needs it)."""

    def refuse(*a: Any, **k: Any) -> None:
        raise AssertionError("the robust path was used")

    monkeypatch.setattr(opensky, "CsvStream", refuse)


# ---------------------------------------------------------------------------
# plain files take the fast path, block for block as the robust path


def test_plain_file_is_read_on_the_fast_path_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(plain(50)))
    robust, _ = read_both(path, monkeypatch)
    no_robust_path(monkeypatch)
    fast = flighttrace.read(path)
    pd.testing.assert_frame_equal(fast.points, robust.points)
    # worked by hand: row 7 is written with lat 29.0007, velocity 100 m/s = 194.384 kt, baro 1000 m = 3280.84 ft
    row = fast.points.set_index("src_row").loc[7]
    assert row["lat"] == pytest.approx(29.0007) and row["gs_kt"] == pytest.approx(100 * 3600 / 1852, rel=1e-6)
    assert row["alt_ft"] == pytest.approx(1000 / 0.3048, rel=1e-6) and row["callsign"] == "AZQ6224" and row["squawk"] == "0042"
    assert len(fast.points) == 50 and fast.quarantine.empty


def test_blocks_end_where_the_robust_path_ends_them(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(plain(400), end=""))  # no line end after the last row
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 2048)
    robust = chunks_of(path, False, monkeypatch)
    fast = chunks_of(path, True, monkeypatch)
    assert len(robust) > 10
    assert [c.src_row.tolist() for c in fast] == [c.src_row.tolist() for c in robust]
    for f, r in zip(fast, robust, strict=True):
        for name in r.columns:
            np.testing.assert_array_equal(np.asarray(f.columns[name]), np.asarray(r.columns[name]))


def test_a_numeric_column_with_a_space_is_read_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # pyarrow's number parser trims " 29.5"; Arrow's cast from text does not, and the robust path then parses the
    # column value by value (pandas), where " 29.5" is 29.5 and "north" is not a number
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes([line(lat=" 29.5"), line(t=T6 + 1, lat="\t29.6"), line(t=T6 + 2, lat="north"), line(t=T6 + 3)]))
    robust, _ = read_both(path, monkeypatch)
    assert robust.points.set_index("src_row")["lat"].to_dict() == {0: 29.5, 1: 29.6, 3: 29.94}
    assert reasons(robust) == {2: "lat 'north' is not a number; lat missing"}


def test_a_value_that_is_not_a_number_reparses_the_block_as_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes([*plain(5), line(t=T6 + 5, velocity="fast"), *plain(3, start=6)]))
    robust, fast = read_both(path, monkeypatch)
    no_robust_path(monkeypatch)  # a bad value is not a bad row: the fast path keeps the file
    flighttrace.read(path)
    assert reasons(fast) == {5: "velocity 'fast' is not a number"}
    assert len(fast.points) == 8


# ---------------------------------------------------------------------------
# values a typed parse would take but the text path judges


@pytest.mark.parametrize(
    ("field", "value", "expect"),
    [
        ("lat", "nan", "lat missing"),
        ("lat", "NaN", "lat missing"),
        ("lat", "", "lat missing"),
        ("lat", '""', "lat missing"),
        ("lat", "95.5", "lat 95.5 outside [-90, 90] deg"),
        ("lat", "inf", "lat inf outside [-90, 90] deg"),
        ("lon", "-inf", "lon -inf outside [-180, 180] deg"),
        ("lon", "-181", "lon -181.0 outside [-180, 180] deg"),
        ("t", "", "time missing"),
        ("t", "nan", "time missing"),
        ("t", "1693548000000", "time 1693548000000.0 s is out of range (milliseconds given as seconds?)"),
        ("t", "abc", "time is not a number"),
        ("onground", "maybe", "onground 'maybe' is not a boolean (true/false/1/0)"),
    ],
)
def test_hostile_values_are_judged_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: str, expect: str) -> None:
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes([line(t=T6 + 9), line(**{field: value}), line(t=T6 + 10)]))
    robust, _ = read_both(path, monkeypatch)
    assert reasons(robust)[1] == expect
    assert sorted(robust.points["src_row"]) == [0, 2]


def test_numbers_booleans_and_texts_in_their_odd_forms(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [
        line(t="1.693548e9", lat='"29.5"', onground="True", squawk="42"),
        line(t=T6 + 1, lat="+29.6", onground="1", callsign='"AB,C"'),
        line(t=T6 + 2, lat="2.97e1", onground="yes", callsign='""'),
        line(t=T6 + 3, icao24="ABCDEF", onground="", velocity="1e2", heading="-90"),
        line(t=T6 + 4, icao24="~1a2b3c"),
        line(t=T6 + 5, lastpos=T6 - 16),
        line(t="2023-09-01T06:00:06Z"),
        line(t=T6 + 7, icao24="xyz"),
        line(t=T6 + 8, lat="0", lon="0"),
    ]
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines))
    robust, _ = read_both(path, monkeypatch)
    p = robust.points.set_index("src_row")
    # by hand: 1.693548e9 s is T6; "29.5" quoted is a number; "True", "1", "yes" are true; "" is not said; squawk 42 lost its zeros
    assert p.loc[0, "time"] == pd.Timestamp(T6, unit="s", tz="UTC") and p.loc[0, "lat"] == 29.5 and bool(p.loc[0, "on_ground"])
    assert p.loc[0, "squawk"] == "0042" and p.loc[1, "callsign"] == "AB,C" and pd.isna(p.loc[2, "callsign"])
    assert p.loc[2, "lat"] == pytest.approx(29.7) and bool(p.loc[1, "on_ground"]) and bool(p.loc[2, "on_ground"])
    assert pd.isna(p.loc[3, "on_ground"]) and p.loc[3, "icao24"] == "abcdef" and p.loc[3, "track_deg"] == 270.0
    assert p.loc[3, "gs_kt"] == pytest.approx(100 * KT_PER_MPS, rel=1e-6)
    assert bool(p.loc[5, "stale"]) and not bool(p.loc[4 if 4 in p.index else 3, "stale"])
    assert p.loc[6, "time"] == pd.Timestamp(T6 + 6, unit="s", tz="UTC")
    q = reasons(robust)
    assert q[4].startswith("non-ICAO address '~1a2b3c'") and q[7] == "icao24 'xyz' is not 6 hex digits"
    assert q[8] == "lat/lon exactly 0,0 (a missing position written as zeros)"


def test_pyopensky_columns_with_float_squawks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [f"{T6 + k}.0,3c6444,48.5,2.5,325.0,311.1,-896.0,DLH4AB,False,False,False,1000.0,13650.0,,{T6 + k},{T6 + k},{T6}" for k in range(4)]
    path = tmp_path / "py.csv"
    path.write_bytes(csv_bytes(rows, header=PY_HEADER))
    robust, _ = read_both(path, monkeypatch)
    p = robust.points
    # pyopensky's columns are already in ft and kt: nothing converted; the squawk pandas wrote as 1000.0 is code 1000
    assert (p["alt_ft"] == 13650.0).all() and (p["gs_kt"] == 325.0).all() and (p["squawk"] == "1000").all()


# ---------------------------------------------------------------------------
# rows and bytes the fast path leaves to the robust path


def _bad_files() -> dict[str, bytes]:
    good = plain(6)
    return {
        "too_few_fields": csv_bytes([*good[:3], good[3][:30], *good[4:]]),
        "too_many_fields": csv_bytes([*good[:3], good[3] + ",x,y", *good[4:]]),
        "blank_line": csv_bytes([*good[:3], "", *good[3:]]),
        "blank_lines_at_end": csv_bytes(good, end="\n\n\n"),
        "blank_line_quoted": csv_bytes([g.replace("AZQ6224", '"AZQ6224"') for g in [*good[:3], "", *good[3:]]]),
        "blank_line_first": csv_bytes(["", *good]),
        "crlf": csv_bytes(good).replace(b"\n", b"\r\n"),
        "cr_only": csv_bytes(good).replace(b"\n", b"\r"),
        "bom": b"\xef\xbb\xbf" + csv_bytes(good),
        "blank_before_header": b"\n\n" + csv_bytes(good),
        "not_utf8": csv_bytes(good).replace(b"AZQ6224", b"AZ\xff6224", 1),
        "utf8_callsign": csv_bytes(good).replace(b"AZQ6224", "AZÉ6224".encode(), 2),
        "quoted_newline": csv_bytes([*good[:2], good[2].replace("AZQ6224", '"AZQ\n6224"'), *good[3:]]),
        "quoted_newline_fits": csv_bytes([*good[:2], good[2].replace(",AZQ6224,", ',"AZQ', 1), '6224",' + good[3].split(",AZQ6224,", 1)[1], *good[4:]]),
        "header_only": (HEADER + "\n").encode(),
        "header_no_newline": HEADER.encode(),
        "empty_fields_row": csv_bytes([*good[:2], "," * 17, *good[2:]]),
    }


@pytest.mark.parametrize("name", sorted(_bad_files()))
def test_hostile_rows_and_bytes_give_the_robust_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    path = tmp_path / f"{name}.csv"
    path.write_bytes(_bad_files()[name])
    read_both(path, monkeypatch)


def test_a_short_row_keeps_its_number_and_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = plain(6)
    path = tmp_path / "short.csv"
    path.write_bytes(csv_bytes([*good[:3], good[3][:30], *good[4:]]))
    robust, _ = read_both(path, monkeypatch)
    assert reasons(robust) == {3: "CSV row has 4 field(s), the header has 18"}
    assert robust.quarantine["raw"].iloc[0] == good[3][:30]
    assert sorted(robust.points["src_row"]) == [0, 1, 2, 4, 5]


def test_a_blank_line_is_no_row(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = plain(4)
    path = tmp_path / "blank.csv"
    path.write_bytes(csv_bytes([*good[:2], "", *good[2:]]))
    robust, _ = read_both(path, monkeypatch)
    # src_row counts data rows, blank lines excluded: the row after the blank line is row 2, with its own lat
    assert robust.points.set_index("src_row")["lat"].to_dict() == {0: 29.0, 1: 29.0001, 2: 29.0002, 3: 29.0003}


def test_an_overlong_line_is_set_aside_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    good = plain(6)
    path = tmp_path / "long.csv"
    path.write_bytes(csv_bytes([*good[:3], good[3].replace("AZQ6224", "Q" * 400), *good[4:]]))
    robust, _ = read_both(path, monkeypatch, limits=Limits(size=SizeLimits(line_bytes=300)))
    assert reasons(robust)[3].startswith("line is longer than")
    assert len(robust.points) == 5


@pytest.mark.parametrize(("join_bytes", "block_bytes"), [(None, 4096), (1000, 1 << 16)], ids=["joined pieces", "one buffer"])
def test_a_damaged_gzip_keeps_the_rows_before_the_damage_alike(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, join_bytes: int | None,
                                                                block_bytes: int) -> None:
    if join_bytes is not None:  # blocks larger than this are read into one buffer
        monkeypatch.setattr(csvfast, "JOIN_BYTES", join_bytes)
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", block_bytes)
    packed = gzip.compress(csv_bytes(plain(3000)), mtime=0)
    path = tmp_path / "sv.csv.gz"
    path.write_bytes(packed[: len(packed) // 2])
    robust, _ = read_both(path, monkeypatch)
    m = robust.manifest.loc[0]
    assert "truncated" in m["error"] and 0 < m["rows_kept"] < 3000


# ---------------------------------------------------------------------------
# the robust path taking over part way through a file


def test_fast_blocks_then_the_robust_path_number_rows_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = plain(600)
    lines[450] = lines[450][:30]  # a short row far into the file
    lines[470] = line(t=T6 + 470, velocity="fast")
    lines[100] = line(t=T6 + 100, lat="north")  # a bad value in a fast block
    path = tmp_path / "late.csv"
    path.write_bytes(csv_bytes(lines))
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 4096)
    robust, fast = read_both(path, monkeypatch)
    assert reasons(fast) == {100: "lat 'north' is not a number; lat missing", 450: "CSV row has 4 field(s), the header has 18", 470: "velocity 'fast' is not a number"}
    kept = fast.points.set_index("src_row")["lat"]
    assert len(kept) == 597
    np.testing.assert_allclose(kept.to_numpy(), 29.0 + kept.index.to_numpy() * 1e-4, atol=1e-9)
    # the fast path did read the first blocks: the robust path was handed the rest only
    seen: list[int] = []
    real = opensky.CsvStream

    def spy(stream: Any, ctx: Any, row_offset: int = 0) -> Any:
        seen.append(row_offset)
        return real(stream, ctx, row_offset=row_offset)

    monkeypatch.setattr(opensky, "CsvStream", spy)
    flighttrace.read(path)
    assert len(seen) == 1 and 300 < seen[0] <= 450


def test_the_fixtures_read_alike(monkeypatch: pytest.MonkeyPatch) -> None:
    files = sorted(p for p in FIXTURES.rglob("*.csv*") if opensky._sniff_csv(_head(p)))
    assert files, "no OpenSky CSV among the fixtures"
    for p in files:
        read_both(p, monkeypatch)


def _head(p: Path) -> bytes:
    with (gzip.open(p, "rb") if p.suffix == ".gz" else open(p, "rb")) as fh:
        return fh.read(4096)


def test_plain_block_tests() -> None:
    assert csvfast.plain_block(b"a,b\n1,2\n", 10)
    assert not csvfast.plain_block(b"a,b\r\n1,2\n", 10)
    assert not csvfast.plain_block("a,é\n".encode(), 10)
    assert not csvfast.plain_block(b"a,b\n" + b"1" * 11 + b"\n", 10)
    assert csvfast.plain_block(b"a,b\n" + b"1" * 10 + b"\n", 10)
    assert csvfast.plain_block(b"a,b\n" + b"1" * 11 + b"\n", 10, end=4)  # only the lines before ``end`` count


def test_conversion_factors_used_by_hand_values() -> None:
    assert FT_PER_M == pytest.approx(3.28084, rel=1e-6) and KT_PER_MPS == pytest.approx(1.943844, rel=1e-6)


def test_quarantined_rows_keep_their_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    lines = plain(40)
    bad = [0, 1, 17, 18, 39]
    for k in bad:
        lines[k] = line(t=T6 + k, velocity="fast", lat=round(29.0 + k * 1e-4, 6))
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines, end=""))  # the last row (bad) has no line end
    robust, _ = read_both(path, monkeypatch)
    q = robust.quarantine.set_index(robust.quarantine["src_row"].astype(int))
    assert sorted(q.index) == bad
    # the robust path gives a row's text back as its fields joined with commas: here the line as written
    assert all(q.loc[k, "raw"] == lines[k] for k in bad)
    no_robust_path(monkeypatch)  # these texts came from the fast path's own blocks
    pd.testing.assert_frame_equal(flighttrace.read(path).quarantine, robust.quarantine)


def test_line_counts_per_piece_by_hand(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfast, "LINE_INDEX_BYTES", 4)
    data = b"ab\ncdefg\n\nhi\nj"  # line ends at 2, 8, 9 and 12; pieces start at 0, 4, 8, 12
    assert csvfast.line_counts(data, len(data)).tolist() == [0, 1, 1, 3, 4]
    assert csvfast.line_counts(data, 9).tolist() == [0, 1, 1, 2]  # only data[:9]: the line ends at 2 and 8


@pytest.mark.parametrize("piece", [16, 61, 1 << 18])
def test_quarantined_rows_found_through_the_line_index(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, piece: int) -> None:
    """Rows to quarantine in pieces of the line index far smaller than a line, or than the block, keep their own text."""
    monkeypatch.setattr(csvfast, "LINE_INDEX_BYTES", piece)
    lines = plain(300)
    bad = [0, 5, 6, 150, 298, 299]
    for k in bad:
        lines[k] = line(t=T6 + k, velocity="fast", lat=round(29.0 + k * 1e-4, 6))
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines, end=""))  # the last row (bad) has no line end
    no_robust_path(monkeypatch)
    q = flighttrace.read(path).quarantine
    q = q.set_index(q["src_row"].astype(int))
    assert sorted(q.index) == bad
    assert all(q.loc[k, "raw"] == lines[k] for k in bad)  # each row's text is its line as written


@pytest.mark.parametrize("quoted", [True, False])
def test_a_quoted_block_keeps_the_line_index_its_plain_test_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, quoted: bool) -> None:
    """A block with quotes has its line ends counted to show one row per line: the block keeps that count (so its rows to
    quarantine are found without counting again); a block without quotes is not counted at all."""
    monkeypatch.setattr(csvfast, "LINE_INDEX_BYTES", 64)
    q = '"' if quoted else ""
    lines = [line(t=T6 + k, icao24=f"{q}{0x600864 + k % 3:06x}{q}", lat=round(29.0 + k * 1e-4, 6)) for k in range(200)]
    bad = [3, 77, 199]
    for k in bad:
        lines[k] = line(t=T6 + k, icao24=f"{q}600864{q}", velocity="fast", lat=round(29.0 + k * 1e-4, 6))
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines))
    body = path.read_bytes()[len(HEADER) + 1 :]
    with open(path, "rb") as fh:
        fast = csvfast.FastCsv(io.BufferedReader(fh), ReadContext(src_file="x"))
        blocks = list(fast.blocks(1 << 20, used=list(range(len(STATE_VECTOR_COLUMNS))), numeric=[0, 2, 3]))
    assert len(blocks) == 1 and fast.done
    # by hand: line ends before each multiple of 64 bytes of the body, then in all
    by_hand = [body[: j * 64].count(b"\n") for j in range(-(-len(body) // 64))] + [body.count(b"\n")]
    if quoted:
        assert blocks[0]._counts is not None and blocks[0]._counts.tolist() == by_hand
    else:
        assert blocks[0]._counts is None
    no_robust_path(monkeypatch)
    ds = flighttrace.read(path)
    got = ds.quarantine.set_index(ds.quarantine["src_row"].astype(int))
    assert sorted(got.index) == bad
    # the robust path's text of a row: its fields as parsed (quotes removed), joined with commas
    assert all(got.loc[k, "raw"] == lines[k].replace('"', "") for k in bad)
    assert len(ds.points) == 200 - len(bad)


def test_a_gzip_file_takes_the_fast_path_block_by_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 4096)
    lines = plain(2000)
    for k in range(0, 2000, 97):  # some blocks hold a padded callsign (read as text), the others are parsed to numbers
        lines[k] = line(t=T6 + k, icao24=f"{0x600864 + k % 3:06x}", lat=round(29.0 + k * 1e-4, 6), callsign="AZQ 62  ")
    path = tmp_path / "sv.csv.gz"
    path.write_bytes(gzip.compress(csv_bytes(lines), mtime=0))
    robust, _ = read_both(path, monkeypatch)
    no_robust_path(monkeypatch)
    fast = flighttrace.read(path)
    pd.testing.assert_frame_equal(fast.points, robust.points)
    p = fast.points.set_index("src_row")
    assert len(p) == 2000 and p.loc[97, "callsign"] == "AZQ 62" and p.loc[98, "callsign"] == "AZQ6224"
    np.testing.assert_allclose(p["lat"].to_numpy(), 29.0 + p.index.to_numpy() * 1e-4, atol=1e-9)


def test_a_header_past_the_robust_paths_look_ahead_is_left_to_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from flighttrace.io.csvstream import HEAD_BYTES

    header = HEADER + "," + ",".join(f"extra{k}" for k in range(HEAD_BYTES // 7))
    assert len(header) > HEAD_BYTES
    rows = [ln + "," * (HEAD_BYTES // 7) for ln in plain(3)]
    path = tmp_path / "wide.csv"
    path.write_bytes(csv_bytes(rows, header=header))
    robust, _ = read_both(path, monkeypatch)
    assert len(robust.points) == 3


# ---------------------------------------------------------------------------
# blocks read into one buffer, and the rows-per-line test without counting


def _damaged_middle_start_end(n: int) -> dict[str, list[str]]:
    """``n`` good lines with one damaged row (too few fields) in the middle, at the start and at the end."""
    out = {}
    for where, k in (("middle", n // 2), ("start", 0), ("end", n - 1)):
        lines = plain(n)
        lines[k] = lines[k][:30]
        out[where] = lines
    return out


@pytest.mark.parametrize("where", ["middle", "start", "end"])
@pytest.mark.parametrize("quoted", [False, True])
def test_blocks_read_into_one_buffer_give_the_robust_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str, quoted: bool) -> None:
    """Blocks larger than the joined pieces are read into one buffer: same rows, numbers and quarantine as the robust path."""
    monkeypatch.setattr(csvfast, "JOIN_BYTES", 500)
    monkeypatch.setattr(csvfast, "STEP_BYTES", 700)
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 8192)
    lines = _damaged_middle_start_end(900)[where]
    if quoted:  # texts quoted as pandas writes them
        lines = [ln.replace("AZQ6224", '"AZQ6224"').replace(",0042,", ',"0042",') for ln in lines]
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines))
    robust, fast = read_both(path, monkeypatch)
    bad = {"middle": 450, "start": 0, "end": 899}[where]
    fields = lines[bad][:30].count(",") + 1  # the damaged row is its line's first 30 characters
    assert reasons(fast) == {bad: f"CSV row has {fields} field(s), the header has 18"}
    assert len(fast.points) == 899 and bad not in set(fast.points["src_row"])
    p = fast.points.set_index("src_row")
    np.testing.assert_allclose(p["lat"].to_numpy(), 29.0 + p.index.to_numpy() * 1e-4, atol=1e-9)  # each row from its own line


def test_a_plain_file_read_into_one_buffer_never_takes_the_robust_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(csvfast, "JOIN_BYTES", 500)
    monkeypatch.setattr(csvfast, "STEP_BYTES", 333)
    monkeypatch.setattr(opensky, "CSV_BLOCK_BYTES", 8192)
    lines = [ln.replace("AZQ6224", '"AZQ6224"') for ln in plain(900)]
    lines[17] = line(t=T6 + 17, velocity="fast", lat=round(29.0 + 17 * 1e-4, 6))  # a bad value: its text comes from the block
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(lines, end=""))
    robust, _ = read_both(path, monkeypatch)
    no_robust_path(monkeypatch)
    fast = flighttrace.read(path)
    pd.testing.assert_frame_equal(fast.points, robust.points)
    assert len(fast.points) == 899 and fast.quarantine["raw"].tolist() == [lines[17]]


@pytest.mark.parametrize("name", ["blank_line", "blank_line_first", "blank_lines_at_end", "blank_then_empty_row"])
def test_a_blank_line_in_a_file_where_every_column_misses_a_value(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """No column without a missing value: the blank lines are looked for; they are no rows, as on the robust path."""
    good = plain(6)
    good[1] = "," * 17  # every field missing: each column has a missing value
    files = {
        "blank_line": [*good[:3], "", *good[3:]],
        "blank_line_first": ["", *good],
        "blank_lines_at_end": [*good, "", ""],
        "blank_then_empty_row": [*good[:2], "", "," * 17, *good[2:]],
    }
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes(files[name]))
    robust, _ = read_both(path, monkeypatch)
    rows = len(files[name]) - files[name].count("")
    assert int(robust.manifest.loc[0, "rows_read"]) == rows


def test_a_line_end_quoted_in_a_column_not_read_is_found(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A line end inside quotes in ``serials`` (a column flighttrace does not read) joins two lines: the rows are counted."""
    good = plain(6)
    fields = good[2].split(",")
    fields[16] = '"1\n2"'
    path = tmp_path / "sv.csv"
    good[4] = line(t=T6 + 4, velocity="fast", lat=29.0004)  # a bad value after the joined lines: its text is its own line
    path.write_bytes(csv_bytes([*good[:2], ",".join(fields), *good[3:]]))
    robust, _ = read_both(path, monkeypatch)
    assert sorted(robust.points["src_row"]) == [0, 1, 2, 3, 5]
    assert robust.quarantine["raw"].tolist() == [good[4]]


def test_line_counts_with_numpy_agree_with_bytes_count() -> None:
    data = b"".join(b"x" * (k % 7) + b"\n" for k in range(5000)) + b"tail"
    counts = csvfast.line_counts(data, len(data))
    starts = list(range(0, len(data), csvfast.LINE_INDEX_BYTES))
    assert counts.tolist() == [0, *[data.count(b"\n", 0, min(a + csvfast.LINE_INDEX_BYTES, len(data))) for a in starts]]
    assert counts[-1] == 5000


def test_quarantined_rows_keep_their_line_text_with_and_without_quotes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A row quarantined on the fast path keeps its line as written: spaces, empty fields; a quoted row as the robust path gives it."""
    bad_plain = line(t=T6 + 1, lat="95.5", callsign=" AB C ")  # no quote: the line is its own text
    bad_quoted = line(t=T6 + 2, lat="96.5", callsign='"X,Y"')  # a quote: the fields re-joined, quoted where needed
    path = tmp_path / "sv.csv"
    path.write_bytes(csv_bytes([line(t=T6), bad_plain, bad_quoted, line(t=T6 + 3)]))
    robust, fast = read_both(path, monkeypatch)
    q = fast.quarantine.dropna(subset=["src_row"]).set_index("src_row")
    assert q.loc[1, "raw"] == bad_plain
    assert q.loc[2, "raw"] == bad_quoted
    assert q.loc[1, "reason"] == "lat 95.5 outside [-90, 90] deg"
