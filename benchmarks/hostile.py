"""Peak memory and time of ``flighttrace.read`` on hostile inputs (decompression bombs, huge lines, huge strings).

Run by hand (never part of the test suite)::

    python benchmarks/hostile.py                      # every case
    python benchmarks/hostile.py --cases tar_member   # some of them
    python benchmarks/hostile.py --package /tmp/old   # another copy of flighttrace (before / after)

Every case is built once in ``benchmarks/data/hostile/`` (not committed; several GB on disk for the
plain-text cases) and read in a fresh Python process; the child reports its peak RSS (``VmHWM``), the
seconds the read took, and what the manifest says about the file. A case that runs past ``--timeout``
seconds is reported as such. The inputs are SYNTHETIC and hostile by design: they are the cases of
issue 16 (a gzip of 1 GiB of whitespace in a readsb trace, an FR24 CSV with one 1 GiB line, a 50 MB
JSON string in the tracks / FR24 JSON / KML readers (and a 20 MB one, under the document limit, that
costs only its record), a 2 MB ``.tar.gz`` holding one 2 GiB member, OpenSky CSV with long lines).
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
DATA = HERE / "data" / "hostile"
MiB = 1 << 20
GiB = 1 << 30
BLOCK = 8 * MiB
"""Bytes written per call while building a case."""


# --------------------------------------------------------------------------- builders


def _write_repeated(out: Any, byte: bytes, n: int) -> None:
    block = byte * BLOCK
    while n > 0:
        k = min(n, BLOCK)
        out.write(block[:k])
        n -= k


def _gzip_file(path: Path, parts: list[tuple[bytes, int]]) -> None:
    """Write a gzip file of the concatenation of ``data * count`` parts (count 1 = the bytes once)."""
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz:
        for data, count in parts:
            if count == 1:
                gz.write(data)
            else:
                _write_repeated(gz, data, count)


TRACE_HEAD = b'{"icao":"600864","timestamp":1693526400,"trace":['
TRACE_POINT = b'[0,40.4675,50.0467,1000,200.0,90.0,0,0]'


def build_readsb_whitespace(path: Path) -> None:
    """A readsb trace, gzip, whose JSON holds 1 GiB of whitespace between two points."""
    _gzip_file(path, [(TRACE_HEAD + TRACE_POINT + b",", 1), (b" ", GiB), (TRACE_POINT + b"]}", 1)])


FR24_HEAD = b"Timestamp,UTC,Callsign,Position,Altitude,Speed,Direction\n"


def _fr24_row(t: int) -> bytes:
    return f'{t},2023-09-01T06:00:00Z,AZQ6224,"40.4675,50.0467",1000,200,90\n'.encode()


def build_fr24_long_line(path: Path) -> None:
    """An FR24 CSV (plain, on disk) with one 1 GiB line between good rows."""
    with open(path, "wb") as fh:
        fh.write(FR24_HEAD + _fr24_row(1693548000) + b"1693548020,")
        _write_repeated(fh, b"9", GiB)
        fh.write(b"\n" + _fr24_row(1693548040))


def _long_string(mb: int = 50) -> str:
    return "x" * (mb * 1000 * 1000)


def build_tracks_string(path: Path, mb: int = 50) -> None:
    """An OpenSky /tracks/all document whose first waypoint's time is a 50 MB string."""
    doc = {"icao24": "600864", "startTime": 1693548000, "endTime": 1693548040, "callsign": "AZQ6224 ",
           "path": [[_long_string(mb), 40.1, 50.1, 300.0, 90.0, False], [1693548040, 40.2, 50.2, 400.0, 90.0, False]]}
    path.write_text(json.dumps(doc))


def build_fr24_json_string(path: Path, mb: int = 50) -> None:
    """An FR24 playback document whose first track point's squawk is a 50 MB string."""
    pt = {"latitude": 40.1, "longitude": 50.1, "altitude": {"feet": 1000, "meters": 304}, "speed": {"kts": 200},
          "verticalSpeed": {"fpm": 0}, "heading": 90, "squawk": "1000", "timestamp": 1693548000, "ems": None}
    bad = dict(pt, squawk=_long_string(mb))
    doc = {"result": {"response": {"data": {"flight": {"identification": {"callsign": "AZQ6224"},
           "aircraft": {"identification": {"modes": "600864"}}, "track": [bad, dict(pt, timestamp=1693548020)]}}}}}
    path.write_text(json.dumps(doc))


def build_kml_string(path: Path, mb: int = 50) -> None:
    """An FR24 KML whose first Route placemark's description is a 50 MB text."""
    pm = ("<Placemark><name>p</name><description>{d}</description><TimeStamp><when>2023-09-01T06:00:{s}+00:00</when>"
          "</TimeStamp><Point><coordinates>50.1,40.1,300</coordinates></Point></Placemark>")
    doc = ('<?xml version="1.0" encoding="UTF-8"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document><name>A/AZQ6224</name>'
           "<Folder><name>Route</name>" + pm.format(d=_long_string(mb), s="00") + pm.format(d="<b>Speed:</b> 200 kt", s="20")
           + "</Folder></Document></kml>")
    path.write_text(doc)


def build_tar_member(path: Path) -> None:
    """A .tar.gz (about 2 MB) holding one member of 2 GiB of whitespace named like a readsb trace."""

    class Spaces(io.RawIOBase):
        def __init__(self, n: int) -> None:
            self.left = n

        def readable(self) -> bool:
            return True

        def readinto(self, b: Any) -> int:
            k = min(len(b), self.left)
            b[:k] = b" " * k
            self.left -= k
            return k

    good = TRACE_HEAD + TRACE_POINT + b"]}"
    with (
        open(path, "wb") as raw,
        gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as gz,
        tarfile.open(fileobj=gz, mode="w|") as tar,
    ):
        info = tarfile.TarInfo("./traces/65/trace_full_600865.json")
        info.size = len(good)
        tar.addfile(info, io.BytesIO(good))
        info = tarfile.TarInfo("./traces/64/trace_full_600864.json")
        info.size = 2 * GiB
        tar.addfile(info, io.BufferedReader(Spaces(2 * GiB), buffer_size=BLOCK))


def build_zip_member(path: Path) -> None:
    """A ZIP (about 2 MB) holding a good readsb trace and a member of 2 GiB of whitespace named like one (deflated)."""
    import zipfile

    good = TRACE_HEAD + TRACE_POINT + b"]}"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("traces/65/trace_full_600865.json", good)
        with z.open(zipfile.ZipInfo("traces/64/trace_full_600864.json"), "w", force_zip64=True) as member:
            for _ in range(2 * GiB // BLOCK):
                member.write(b" " * BLOCK)


def build_zip_overlap(path: Path, copies: int = 10_000) -> None:
    """A ZIP whose one deflated member (100 MiB of whitespace) is listed ``copies`` times, every entry on the same bytes
    (1 TB declared: the overlap construction of zip bombs)."""
    import struct
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        with z.open(zipfile.ZipInfo("trace_full_600864.json"), "w", force_zip64=True) as member:
            for _ in range(100 * MiB // BLOCK):
                member.write(b" " * BLOCK)
    data = path.read_bytes()
    end = data.rindex(b"PK\x05\x06")
    cd_at = data.index(b"PK\x01\x02")
    entry = data[cd_at:end]
    if entry.find(b"PK\x06\x06") >= 0:  # a ZIP64 end record follows the directory: keep only the entry
        entry = entry[: entry.find(b"PK\x06\x06")]
    n_name = struct.unpack_from("<H", entry, 28)[0]
    entries = [entry] + [entry[:28] + struct.pack("<H", n_name + 6) + entry[30:46] + entry[46 : 46 + n_name] + f"{k:06d}".encode()
                         + entry[46 + n_name :] for k in range(1, copies)]
    cd = b"".join(entries)
    tail = struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, 0xFFFF if copies > 0xFFFF else copies, 0xFFFF if copies > 0xFFFF else copies,
                       len(cd), cd_at, 0)
    path.write_bytes(data[:cd_at] + cd + tail)


def build_zip_many(path: Path, n: int = 20_000) -> None:
    """A ZIP of ``n`` one-point readsb traces (tiny members: the cost of a member, not of its bytes)."""
    import zipfile

    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for k in range(n):
            hexid = f"{0x600000 + k:06x}"
            z.writestr(f"traces/{hexid[-2:]}/trace_full_{hexid}.json", TRACE_HEAD.replace(b"600864", hexid.encode()) + TRACE_POINT + b"]}")


OPENSKY_HEAD = b"time,icao24,lat,lon,velocity,heading,vertrate,callsign,onground,alert,spi,squawk,baroaltitude,geoaltitude,lastposupdate,lastcontact,serials,hour\n"


def _opensky_row(t: int) -> bytes:
    return f"{t},600864,40.4675,50.0467,100.0,90.0,0.0,AZQ6224,false,false,false,1000,3000.0,3000.0,{t}.0,{t}.0,,{t - t % 3600}\n".encode()


def _opensky_long(path: Path, length: int, gz: bool) -> None:
    rows_before = b"".join(_opensky_row(1693548000 + 10 * i) for i in range(5))
    rows_after = b"".join(_opensky_row(1693548100 + 10 * i) for i in range(5))
    parts = [(OPENSKY_HEAD + rows_before + b"1693548050,600864,", 1), (b"9", length), (b"\n" + rows_after, 1)]
    if gz:
        _gzip_file(path, parts)
        return
    with open(path, "wb") as fh:
        for data, count in parts:
            if count == 1:
                fh.write(data)
            else:
                _write_repeated(fh, data, count)


def _jet1090_line(t: int, altitude: str) -> bytes:
    return (f'{{"timestamp":{t}.5,"frame":"8d600864","df":"17","icao24":"600864","bds":"05","altitude":{altitude},'
            f'"source":"barometric","latitude":40.4675,"longitude":50.0467}}\n').encode()


def build_jet1090_long_line(path: Path) -> None:
    """jet1090 messages around a 1 GiB line (gzip)."""
    before = b"".join(_jet1090_line(1693548000 + 10 * i, "3000") for i in range(5))
    after = b"".join(_jet1090_line(1693548100 + 10 * i, "3000") for i in range(5))
    _gzip_file(path, [(before + b'{"timestamp":1693548050.5,"frame":"', 1), (b"9", GiB), (b'"}\n' + after, 1)])


def build_jet1090_bad_types(path: Path, n: int = 1_000_000) -> None:
    """One million jet1090 position messages whose altitude is text, the first one excepted (every batch takes the line-by-line path)."""
    with open(path, "wb") as fh:
        fh.write(_jet1090_line(1693548000, "3000"))
        for start in range(1, n, 10_000):
            fh.write(b"".join(_jet1090_line(1693548000 + i, '"high"') for i in range(start, min(start + 10_000, n))))


def build_opensky_broken_rows(path: Path, n: int = 5_000_000) -> None:
    """An OpenSky CSV of one good state vector and five million rows whose time and position are not numbers (184 MB)."""
    with open(path, "wb") as fh:
        fh.write(OPENSKY_HEAD + _opensky_row(1693548000))
        for start in range(0, n, 100_000):
            fh.write(b"".join(b"x%d,zz,north,east,,,,,,,,,,,,,,\n" % i for i in range(start, min(start + 100_000, n))))


def build_opensky_sparse_bad_times(path: Path, n: int = 1_000_000, every: int = 20_000) -> None:
    """An OpenSky CSV of a million good state vectors in which one time in ``every`` is not a number (a damaged but real-looking file)."""
    with open(path, "wb") as fh:
        fh.write(OPENSKY_HEAD)
        for start in range(0, n, every):
            row = _opensky_row(1693548000 + start)
            fh.write(b"garbled" + row[row.index(b","):])  # the time replaced, the other fields kept
            fh.write(b"".join(_opensky_row(1693548000 + i) for i in range(start + 1, min(start + every, n))))


CASES: dict[str, tuple[str, Callable[[Path], None]]] = {
    "readsb_whitespace": ("trace_full_600864.json", build_readsb_whitespace),
    "fr24_long_line": ("AZQ6224_hex600864.csv", build_fr24_long_line),
    "tracks_string": ("tracks_600864.json", build_tracks_string),
    "fr24_json_string": ("playback.json", build_fr24_json_string),
    "kml_string": ("AZQ6224_hex600864.kml", build_kml_string),
    "tracks_string_20MB": ("tracks_600864.json", lambda p: build_tracks_string(p, 20)),
    "fr24_json_string_20MB": ("playback.json", lambda p: build_fr24_json_string(p, 20)),
    "kml_string_20MB": ("AZQ6224_hex600864.kml", lambda p: build_kml_string(p, 20)),
    "tar_member": ("day.tar.gz", build_tar_member),
    "opensky_line_32MiB": ("states.csv", lambda p: _opensky_long(p, 32 * MiB, False)),
    "opensky_line_64MiB": ("states.csv", lambda p: _opensky_long(p, 64 * MiB, False)),
    "opensky_line_128MiB": ("states.csv", lambda p: _opensky_long(p, 128 * MiB, False)),
    "opensky_line_256MiB": ("states.csv", lambda p: _opensky_long(p, 256 * MiB, False)),
    "opensky_gzip_1GiB_line": ("states.csv.gz", lambda p: _opensky_long(p, GiB, True)),
    "jet1090_gzip_1GiB_line": ("messages.jsonl.gz", build_jet1090_long_line),
    "jet1090_bad_types_1M": ("messages.jsonl", build_jet1090_bad_types),
    "opensky_broken_rows_5M": ("states.csv", build_opensky_broken_rows),
    "opensky_sparse_bad_times_1M": ("states.csv", build_opensky_sparse_bad_times),
    "zip_member_2GiB": ("day.zip", build_zip_member),
    "zip_overlap_1TB": ("bomb.zip", build_zip_overlap),
    "zip_many_20k": ("traces.zip", build_zip_many),
}
"""Case name → (file name, builder)."""


def case_path(name: str) -> Path:
    """Build the case once; return its path."""
    fname, build = CASES[name]
    folder = DATA / name
    path = folder / fname
    done = folder / ".complete"
    if not done.exists():
        folder.mkdir(parents=True, exist_ok=True)
        build(path)
        done.write_text("ok")
    return path


# --------------------------------------------------------------------------- measurement


CHILD = r"""
import json, sys, time
def peak():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1e3
import flighttrace
flighttrace.formats()
t = time.perf_counter()
ds = flighttrace.read(sys.argv[1])
dt = time.perf_counter() - t
m = ds.manifest
print(json.dumps({"package": flighttrace.__file__, "seconds": dt, "peak_rss_mb": peak(), "files": len(m), "rows_read": int(m["rows_read"].sum()),
                  "rows_kept": int(m["rows_kept"].sum()), "rows_quarantined": int(m["rows_quarantined"].sum()),
                  "errors": [e for e in m["error"].tolist() if e],
                  "reasons": sorted(set(r[:120] for r in ds.quarantine["reason"].tolist()))[:6]}))
"""


def measure(name: str, package: Path, timeout: float) -> dict[str, Any]:
    """Read one case in a fresh process with ``package`` first on the path."""
    path = case_path(name)
    env = dict(os.environ, PYTHONPATH=str(package))
    t = time.perf_counter()
    try:
        # run from the data folder: ``python -c`` puts the working folder first on the path, before PYTHONPATH
        res = subprocess.run([sys.executable, "-c", CHILD, str(path.resolve())], capture_output=True, text=True, env=env,
                             timeout=timeout, cwd=DATA, check=False)
    except subprocess.TimeoutExpired:
        return {"case": name, "error": f"still running after {timeout:.0f} s (killed)"}
    if res.returncode != 0:
        tail = res.stderr.strip().splitlines()[-1:] or [f"exit {res.returncode}"]
        return {"case": name, "error": f"exit {res.returncode}: {tail[0][:200]}", "seconds_total": time.perf_counter() - t}
    out = json.loads(res.stdout.strip().splitlines()[-1])
    out["case"] = name
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", default=",".join(CASES), help="comma-separated case names")
    ap.add_argument("--package", default=str(ROOT), help="folder holding the flighttrace package to measure")
    ap.add_argument("--timeout", type=float, default=300.0, help="seconds before a case is given up")
    args = ap.parse_args()
    for name in args.cases.split(","):
        print(json.dumps(measure(name, Path(args.package), args.timeout)), flush=True)


if __name__ == "__main__":
    main()
