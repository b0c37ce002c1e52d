"""flighttrace.lineage: the raw rows behind a leg, a sortie or a claim's evidence, as a table (file, row, SHA-256, values)."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

import flighttrace
from flighttrace.tracks.lineage import LINEAGE_COLUMNS
from tests.flights import LLOV, UBBB, flight


@pytest.fixture(scope="module")
def two_legs(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """Two legs (UBBB → LLOV → UBBB) written to two trace files and read back."""
    from flighttrace.sim.writers import write_trace

    root = tmp_path_factory.mktemp("lineage")
    a = flight(UBBB, LLOV, "2023-09-05T22:00Z")
    b = flight(LLOV, UBBB, "2023-09-06T04:30Z")
    write_trace(a, root / "a" / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76")
    write_trace(b, root / "b" / "trace_full_600864.json", registration="4K-AZ100", typecode="IL76")
    ds = flighttrace.read([root / "a", root / "b"])
    scn = flighttrace.load_scenario(Path(__file__).resolve().parents[1] / "seeds" / "azerbaijan-ovda.yaml")
    legs = flighttrace.detect_legs(ds.points, scn)
    return root, ds, legs, scn


def test_a_legs_rows_are_its_positions_with_file_row_and_hash(two_legs) -> None:  # type: ignore[no-untyped-def]
    root, ds, legs, _ = two_legs
    assert len(legs) == 2
    leg = legs.iloc[0]
    rows = flighttrace.lineage(leg["leg_id"], legs, ds)
    assert list(rows.columns) == [c for c in LINEAGE_COLUMNS if c in rows.columns] and {"src_file", "src_row", "sha256", "lat"} <= set(rows.columns)
    assert len(rows) == int(leg["point_end"]) - int(leg["point_start"]) == int(leg["n_points"])
    # each row names a file of the first leg, with that file's SHA-256 as stored on disk
    files = set(rows["src_file"].astype(str))
    assert len(files) == 1
    f = Path(files.pop())
    assert rows["sha256"].eq(hashlib.sha256(f.read_bytes()).hexdigest()).all()
    # the rows are the positions of the sorted Points table, in time order, and match the legs' lineage text
    assert rows["time"].is_monotonic_increasing
    first, last = str(leg["lineage"]).rsplit(":", 1)[1].split("-")
    assert (int(rows["src_row"].min()), int(rows["src_row"].max())) == (int(first), int(last))
    assert rows["lat"].iloc[0] == pytest.approx(float(ds.points.sort_values("time")["lat"].iloc[0]))


def test_a_sortie_and_a_claims_evidence_give_the_rows_of_their_legs(two_legs) -> None:  # type: ignore[no-untyped-def]
    _, ds, legs, scn = two_legs
    sorties = flighttrace.find_sorties(legs, scn)
    assert len(sorties) == 1
    by_sortie = flighttrace.lineage(sorties["sortie_id"].iloc[0], legs, ds, sorties=sorties)
    assert list(dict.fromkeys(by_sortie["leg_id"])) == [sorties["in_leg"].iloc[0], sorties["out_leg"].iloc[0]]
    assert len(by_sortie) == int(legs["n_points"].sum())
    # an evidence table names its legs as "a;b": the claim's rows are the union of its items' rows
    evidence = pd.DataFrame({"claim_id": ["c1", "c1"], "item_id": ["x", "y"], "legs": [legs["leg_id"].iloc[1], ";".join(legs["leg_id"])]})
    by_claim = flighttrace.lineage("c1", legs, ds, evidence=evidence)
    assert list(dict.fromkeys(by_claim["leg_id"])) == [legs["leg_id"].iloc[1], legs["leg_id"].iloc[0]]
    assert len(flighttrace.lineage("x", legs, ds, evidence=evidence)) == int(legs["n_points"].iloc[1])
    with pytest.raises(KeyError, match="not a leg id"):
        flighttrace.lineage("nope", legs, ds)


def test_rows_with_their_own_ranges_trace_only_that_part(two_legs) -> None:  # type: ignore[no-untyped-def]
    _, ds, legs, _ = two_legs
    part = legs.iloc[[0]][["leg_id", "point_start", "point_end"]].assign(point_end=lambda d: d["point_start"] + 5)
    rows = flighttrace.lineage(part, legs, ds)
    assert len(rows) == 5 and rows["point"].tolist() == list(range(int(part["point_start"].iloc[0]), int(part["point_start"].iloc[0]) + 5))
