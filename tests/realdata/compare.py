"""Leg ends named by flighttrace on traffic's real sample recordings, compared with ``truth.csv``.

The samples are read from the installed ``traffic`` package (they are not
copied into this repository: see README.md). Each state-vector sample is
written as a pyopensky-style CSV (the columns traffic itself exports); the
readsb trace and the FlightRadar24 documents are read as shipped; all with
:func:`flighttrace.read`, as a user would.

``python -m tests.realdata.compare`` prints the agreement per file.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

HERE = Path(__file__).parent
TRUTH = HERE / "truth.csv"
TRAFFIC_VERSION = "2.13"
"""The ``traffic`` release whose samples the truth was made from."""
CSV_COLUMNS = (
    "timestamp", "icao24", "latitude", "longitude", "groundspeed", "track", "vertical_rate", "callsign", "onground", "squawk", "altitude",
)
MATCH_SLACK_S = 120.0
"""A truth event belongs to a leg whose time span reaches to within this many seconds of it."""


def samples_dir() -> Path:
    """``traffic/data/samples`` of the installed ``traffic`` package (found without importing it)."""
    spec = importlib.util.find_spec("traffic")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"the real-data tests read traffic's sample files: pip install --no-deps traffic=={TRAFFIC_VERSION}")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "samples"


def sample_csv(name: str, folder: Path) -> Path:
    """Write sample ``name`` (e.g. ``"calibration/nice"``) as a pyopensky-style CSV in ``folder``."""
    df = pd.read_json(samples_dir() / f"{name}.json.gz", dtype={"icao24": str})
    keep = [c for c in CSV_COLUMNS if c in df]
    out = df[keep].copy()
    out["timestamp"] = (pd.to_datetime(out["timestamp"], utc=True) - pd.Timestamp("1970-01-01", tz="UTC")) / pd.Timedelta(seconds=1)
    path = folder / (name.replace("/", "__") + ".csv")
    out.to_csv(path, index=False)
    return path


def sample_path(name: str, folder: Path, *, as_csv: bool = False) -> Path:
    """The file flighttrace reads for truth file ``name``, as the package ships it: a readsb trace or FR24 document
    (``….json``), jet1090 messages (``….jsonl``), or a state-vector sample (no suffix: ``name.json.gz``, a pandas JSON
    table); with ``as_csv``, a state-vector sample written as a pyopensky-style CSV in ``folder`` instead (:func:`sample_csv`)."""
    if name.endswith((".json", ".jsonl")):
        return samples_dir() / name
    return sample_csv(name, folder) if as_csv else samples_dir() / f"{name}.json.gz"


def truth() -> pd.DataFrame:
    """The truth table, with ``time`` as UTC timestamps."""
    t = pd.read_csv(TRUTH, dtype={"icao24": str})
    t["time"] = pd.to_datetime(t["time"], utc=True)
    return t


def match(legs: pd.DataFrame, events: pd.DataFrame) -> pd.DataFrame:
    """Per truth event, the field flighttrace named at the matching leg end.

    A takeoff belongs to the aircraft's latest leg that starts before it
    (within :data:`MATCH_SLACK_S`) and lasts past it; a landing to its
    earliest leg that ends after it (same slack) and starts before it.

    Returns
    -------
    pandas.DataFrame
        The truth columns plus ``named`` (None when no leg or no field),
        ``evidence``, ``second``, ``second_why`` and ``agree``.
    """
    rows = []
    slack = pd.Timedelta(seconds=MATCH_SLACK_S)
    for ev in events.itertuples():  # one truth event at a time (a few hundred)
        lg = legs[legs["icao24"] == ev.icao24]
        end = "origin" if ev.event == "takeoff" else "destination"
        if ev.event == "takeoff":
            hit = lg[(lg["first_seen"] <= ev.time + slack) & (lg["last_seen"] >= ev.time)].sort_values("first_seen").tail(1)
        else:
            hit = lg[(lg["last_seen"] >= ev.time - slack) & (lg["first_seen"] <= ev.time)].sort_values("last_seen").head(1)
        if len(hit):
            h = hit.iloc[0]
            rows.append((h[end], h[f"{end}_evidence"], h.get(f"{end}_second"), h.get(f"{end}_second_why")))
        else:
            rows.append((None, "no leg", None, None))
    out = events.copy()
    out[["named", "evidence", "second", "second_why"]] = pd.DataFrame(rows, index=events.index, dtype=object)
    out["agree"] = out["named"].to_numpy(dtype=object) == out["airport"].to_numpy(dtype=object)
    return out


def evaluate(folder: Path, *, as_csv: bool = False) -> pd.DataFrame:
    """Read every sample of the truth table (as shipped, or the state-vector samples ``as_csv``), detect legs and match them."""
    import flighttrace
    from flighttrace.tracks.legs import detect_legs

    t = truth()
    parts = []
    for name, ev in t.groupby("file", sort=True):  # one sample file at a time
        ds = flighttrace.read(sample_path(str(name), folder, as_csv=as_csv))
        parts.append(match(detect_legs(ds.points, geometry=False, lineage=False), ev))
    return pd.concat(parts, ignore_index=True)


def evaluate_variants(folder: Path, variants: list[tuple[dict[str, Any], Callable[[pd.DataFrame], pd.DataFrame]]]) -> pd.DataFrame:
    """:func:`match` of every truth event on altered copies of each sample, read once: ``variants`` are ``(columns, alter)``
    pairs, ``alter`` making the copy of the points and ``columns`` the values that label its rows; ``result`` is right, none or wrong."""
    import numpy as np

    import flighttrace
    from flighttrace.tracks.legs import detect_legs

    parts = []
    for name, ev in truth().groupby("file", sort=True):  # one sample file at a time
        pts = flighttrace.read(sample_path(str(name), folder)).points
        for columns, alter in variants:
            parts.append(match(detect_legs(alter(pts), geometry=False, lineage=False), ev).assign(**columns))
    out = pd.concat(parts, ignore_index=True)
    out["result"] = np.where(out["named"].isna(), "none", np.where(out["agree"], "right", "wrong"))
    return out


def print_results(r: pd.DataFrame, by: str, wrong_columns: list[str]) -> None:
    """The counts of right, none and wrong per value of ``by``, then the wrong rows."""
    pd.set_option("display.width", 250)
    print(r.pivot_table(index=by, columns="result", values="file", aggfunc="count", fill_value=0).to_string())
    wrong = r[r["result"] == "wrong"]
    if len(wrong):
        print(wrong[wrong_columns].to_string())


def summary(res: pd.DataFrame) -> pd.DataFrame:
    """Agreement per file: ends with a truth, agreeing, wrong field named, no field named."""
    named = res["named"].notna()
    g = res.assign(wrong=named & ~res["agree"], missing=~named).groupby("file")
    out = g.agg(ends=("agree", "size"), agree=("agree", "sum"), wrong=("wrong", "sum"), missing=("missing", "sum"))
    out.loc["all"] = out.sum()
    out["agreement"] = (out["agree"] / out["ends"]).round(3)
    return out


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        r = evaluate(Path(tmp), as_csv="--csv" in sys.argv[1:])  # --csv: the state-vector samples written as CSV first
    pd.set_option("display.width", 200)
    print(summary(r).to_string())
    bad = r[~r["agree"]]
    if len(bad):
        print(bad[["file", "icao24", "callsign", "event", "time", "airport", "named", "evidence", "second", "second_why"]].to_string())
    sys.exit(0)
