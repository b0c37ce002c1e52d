"""The shipped simulated world: it regenerates byte for byte, and legs and sorties recover its truth."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow
import pyarrow.parquet as pq
import pytest

import flighttrace
from flighttrace.kinds.sorties.world import build_world, verify_world
from flighttrace.sim.validation import compare_legs, compare_sorties, load_truth
from flighttrace.tracks.legs import GRADES

ROOT = Path(__file__).resolve().parents[1]
WORLD = ROOT / "fixtures" / "ovda"
SEED = ROOT / "seeds" / "azerbaijan-ovda.yaml"


@pytest.fixture(scope="module")
def world():  # type: ignore[no-untyped-def]
    scn = flighttrace.load_scenario(SEED)
    ds = flighttrace.read(WORLD / "data")
    legs = flighttrace.detect_legs(ds.points, scn)
    sorties = flighttrace.find_sorties(legs, scn)
    return scn, ds, legs, sorties, load_truth(WORLD)


def test_committed_world_is_intact() -> None:
    assert verify_world(WORLD) == []


@pytest.mark.slow
def test_world_regenerates_byte_for_byte(tmp_path: Path) -> None:
    doc = json.loads((WORLD / "synthetic.json").read_text())
    build_world(SEED, tmp_path / "ovda")
    new = json.loads((tmp_path / "ovda" / "synthetic.json").read_text())
    assert sorted(new["files"]) == sorted(doc["files"])
    same_arrow = doc["library_versions"]["pyarrow"] == pyarrow.__version__
    for rel, sha in doc["files"].items():
        if rel.endswith(".parquet") and not same_arrow:
            # Parquet bytes carry the writer's version; across versions compare the content
            assert pq.read_table(tmp_path / "ovda" / rel).equals(pq.read_table(WORLD / rel)), rel
        else:
            assert new["files"][rel] == sha, rel


def test_every_input_is_marked_synthetic(world) -> None:  # type: ignore[no-untyped-def]
    _, ds, *_ = world
    data = ds.manifest[ds.manifest["format"] != "skipped"]
    assert len(data) == 257 and data["synthetic"].all() and ds.synthetic
    assert (ds.manifest["error"] == "").all() and len(ds.quarantine) == 0


def test_right_airport_at_99_percent_of_observed_or_inferred_ends(world) -> None:  # type: ignore[no-untyped-def]
    _, _, legs, _, truth = world
    m, s = compare_legs(legs, truth["legs"])
    assert s["unmatched"] == 0 and s["split"] == 0 and s["extra"] == 0  # no leg lost, cut in two or invented
    assert s["strong_ends"] > 800
    assert s["right_airport_rate"] >= 0.99, m[(m["origin_condition"].isin(["observed", "inferred"])) & (m["true_origin"] != m["origin"])]


def test_grades_match_the_truth_coverage_condition(world) -> None:  # type: ignore[no-untyped-def]
    _, _, legs, _, truth = world
    m, s = compare_legs(legs, truth["legs"])
    assert s["grade_match_rate"] >= 0.98, s["grades"]
    # each grade of the truth is present and recovered
    g = s["grades"].reindex(index=list(GRADES), columns=list(GRADES), fill_value=0)
    for grade in GRADES:
        assert g.loc[grade, grade] > 0
    # an end the data cannot place is never given a seen airport, and a seen one is never lost
    assert g.loc["unknown", "observed"] == 0, g
    assert g.loc[["observed", "inferred"], "unknown"].sum() == 0, g
    # the world's conditions stop at inferred_max_agl_ft; an end above it may still be inferred when it is aligned with
    # one of the field's runways (aligned_max_agl_ft): then it names the true field, and says so
    reason = legs.set_index("leg_id")
    for end in ("origin", "destination"):
        extra = m[(m[f"{end}_condition"] == "unknown") & (m[f"{end}_evidence"] == "inferred")]
        assert (extra[end] == extra[f"true_{end}"]).all(), extra
        assert reason.loc[extra["detected_leg"], f"{end}_reason"].str.contains("aligned with runway").all()


def test_takeoff_and_landing_times_are_close_to_the_truth(world) -> None:  # type: ignore[no-untyped-def]
    _, _, legs, _, truth = world
    _, s = compare_legs(legs, truth["legs"])
    assert s["takeoff_error_median_s"] <= 30 and s["landing_error_median_s"] <= 30
    assert s["landing_error_max_s"] <= 300


def test_every_sortie_found_and_none_invented(world) -> None:  # type: ignore[no-untyped-def]
    _, _, _, sorties, truth = world
    m, s = compare_sorties(sorties, truth["sorties"], truth["legs"], far="LLOV")
    assert s["missed"] == 0, m[m["findable"] & (m["n_detected"] == 0)]
    assert s["invented"] == 0 and s["duplicated"] == 0
    assert s["found"] == s["findable"] >= 100


def test_every_sortie_in_every_claim_window_is_found(world) -> None:  # type: ignore[no-untyped-def]
    scn, _, _, sorties, truth = world
    m, _ = compare_sorties(sorties, truth["sorties"], truth["legs"], far="LLOV")
    for c in scn.claims:
        a, b = scn.claim_window(c)
        inside = m[(m["land_far"] >= a) & (m["land_far"] < b) & m["findable"]]
        assert (inside["n_detected"] == 1).all(), (c.id, inside)


def test_distractors_are_not_sorties(world) -> None:  # type: ignore[no-untyped-def]
    _, _, legs, sorties, truth = world
    # the Ukrainian Il-76 at Ovda, the Silk Way flights to Ramon, the airliners: none is a fleet sortie to Ovda
    assert "50826b" not in set(sorties["icao24"])
    ramon = truth["sorties"][truth["sorties"]["role"] == "fleet-ramon"]
    for r in ramon.itertuples():
        hit = legs[(legs["icao24"] == r.icao24) & (legs["first_seen"] <= r.depart_far) & (legs["last_seen"] >= r.land_far - pd.Timedelta(hours=4))]
        assert "LLER" in set(hit["destination"]) and "LLOV" not in set(hit["destination"])
