"""The thresholds of a report in provenance.json: only those changed from the defaults, in JSON, given back equal; the rest refused."""

from __future__ import annotations

import json
import math

import pandas as pd
import pytest

from flighttrace.claims import VerdictRules
from flighttrace.claims.visibility import VisibilityParams
from flighttrace.kinds.disruption.params import DisruptionParams
from flighttrace.report.settings import SettingsError, settings_from_record, settings_lines, settings_record
from flighttrace.tracks.params import LegParams


def test_the_defaults_record_nothing() -> None:
    assert settings_record() == {}
    assert settings_record(LegParams(), VerdictRules()) == {}
    assert settings_record(None, VerdictRules(disruption=DisruptionParams(), visibility=VisibilityParams())) == {}  # the defaults, spelt out
    assert settings_lines({}) == []


def test_changed_thresholds_are_recorded_as_json_and_given_back_equal() -> None:
    legs = LegParams(stop_min_s=900.0, min_air_points=3, gap_max_s=math.inf)  # inf: no gap too long to bridge
    rules = VerdictRules(min_stays=1, lead=pd.Timedelta(days=20), lag="10d",
                         rolling_days=(7, 14), lead_lag_alternatives=(("0d", "0d"), ("5d", "5d")),
                         disruption=DisruptionParams(closure_min_s=1200.0))
    rec = settings_record(legs, rules)
    text = json.dumps(rec, allow_nan=False)  # strict JSON: no Infinity
    assert json.loads(text) == rec
    assert rec["legs"] == {"stop_min_s": 900.0, "min_air_points": 3, "gap_max_s": {"float": "inf"}}
    assert rec["rules"]["lead"] == {"timedelta_ns": 20 * 86_400 * 10**9} and rec["rules"]["lag"] == "10d"
    assert rec["rules"]["disruption"] == {"closure_min_s": 1200.0} and "visibility" not in rec["rules"]
    back_legs, back_rules = settings_from_record(json.loads(text))
    assert back_legs == legs and back_rules == rules
    line = settings_lines(rec)[0]
    assert "legs.stop_min_s = 900.0 (default 300.0)" in line and "rules.min_stays = 1 (default 3)" in line
    assert "rules.disruption.closure_min_s = 1200.0 (default 900.0)" in line


def test_a_threshold_with_no_json_form_is_refused_and_an_unknown_name_too() -> None:
    with pytest.raises(SettingsError, match=r"rules\.lead = <object object"):
        settings_record(None, VerdictRules(lead=object()))
    with pytest.raises(SettingsError, match="must be a VisibilityParams"):
        settings_record(None, VerdictRules(visibility={"gate_fill_h": 6}))
    with pytest.raises(SettingsError, match=r"unknown threshold\(s\) legs\.nope"):
        settings_from_record({"legs": {"nope": 1}})
    assert issubclass(SettingsError, ValueError)
