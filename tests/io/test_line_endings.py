"""Line ends and text: CR-only files are read line by line; bytes that are not UTF-8 are noted, not silently replaced."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import flighttrace
from flighttrace.io.api import assert_counts
from flighttrace.io.sbs import UTF8_NOTE
from flighttrace.sim.writers import write_sbs, write_state_vectors_csv
from tests.builders import points


def read(path: Path):  # type: ignore[no-untyped-def]
    ds = flighttrace.read(path)
    assert_counts(ds)
    return ds


@pytest.mark.parametrize("ending", [b"\r", b"\r\n"], ids=["CR", "CRLF"])
@pytest.mark.parametrize("fmt", ["sbs", "opensky_csv"])
def test_cr_line_ends_are_lines(tmp_path: Path, fmt: str, ending: bytes) -> None:
    pts = points(20)
    path = tmp_path / ("log.sbs" if fmt == "sbs" else "states.csv")
    (write_sbs if fmt == "sbs" else write_state_vectors_csv)(pts, path)
    data = path.read_bytes().replace(b"\r\n", b"\n").replace(b"\n", ending)
    path.write_bytes(data)
    ds = read(path)
    m = ds.manifest.iloc[0]
    assert (m["format"], m["error"], m["rows_read"], m["rows_kept"], m["rows_quarantined"]) == (fmt, "", 20, 20, 0)
    assert np.abs(ds.points["lat"].to_numpy() - pts["lat"].to_numpy()).max() < 1e-6  # written with 6 decimals


def test_sbs_notes_bytes_that_are_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "log.sbs"
    write_sbs(points(3, callsign=["AZQ6224"] * 3), path)
    path.write_bytes(path.read_bytes().replace(b"AZQ6224", b"AZQ\xff224", 1))
    ds = read(path)
    assert UTF8_NOTE in ds.manifest.loc[0, "notes"].split("; ")
    assert UTF8_NOTE == "text that is not valid UTF-8 was replaced with U+FFFD"
    assert ds.points["callsign"].astype(str).tolist()[0] == "AZQ\ufffd224"


class _BreaksAfter:
    """A stream that gives ``blocks`` and then fails, as a damaged gzip member does."""

    def __init__(self, blocks: list[bytes]) -> None:
        self._blocks = list(blocks)

    def read(self, n: int) -> bytes:
        if not self._blocks:
            raise OSError("CRC check failed")
        return self._blocks.pop(0)


def test_line_batches_hand_over_the_whole_lines_before_a_damaged_stream_fails() -> None:
    from flighttrace.io.lines import line_batches

    # 7 whole lines in two reads, then "li" (a line the damage cut short), then the error: runs of 3 lines,
    # the last run shorter, the cut line never handed over, the error raised after them
    stream = _BreaksAfter([b"l0\nl1\nl2\nl3\n", b"l4\nl5\nl6\nli"])
    got: list[bytes] = []
    with pytest.raises(OSError, match="CRC"):
        for run in line_batches(stream, 3, max_line_chars=100, read_bytes=1 << 20):
            got.append(run)
    assert got == [b"l0\nl1\nl2\n", b"l3\nl4\nl5\n", b"l6\n"]
