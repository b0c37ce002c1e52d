"""The thresholds a report was built with, in a form ``provenance.json`` can hold and ``flighttrace verify`` can rebuild from.

A report built with flighttrace's default thresholds records nothing here
(its ``provenance.json`` is the same as ever). A report built with other
leg thresholds (:class:`~flighttrace.tracks.params.LegParams`) or verdict
thresholds (:class:`~flighttrace.claims.VerdictRules`) records, under
``arguments.settings``, only the fields that differ from the defaults::

    {"legs": {"stop_min_s": 900.0},
     "rules": {"detect_threshold": 0.99, "disruption": {"closure_min_s": 1200.0}}}

Values are JSON numbers, strings, booleans, ``null`` and lists (tuples);
an infinite or missing float is ``{"float": "inf"}`` (``"-inf"``,
``"nan"``), a duration ``{"timedelta_ns": 2592000000000000}``. A value of
any other type cannot be recorded, and :func:`settings_record` refuses it
(:class:`SettingsError`) rather than let the rebuild use something else.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any

__all__ = ["SettingsError", "default_changes", "defaults_record", "settings_from_record", "settings_lines", "settings_record"]


class SettingsError(ValueError):
    """A threshold cannot be written into ``provenance.json`` in a form a rebuild reproduces."""


def _nested() -> dict[str, type]:
    """The fields of :class:`~flighttrace.claims.VerdictRules` that hold a dataclass of their own (default ``None``)."""
    from flighttrace.claims.visibility import VisibilityParams
    from flighttrace.kinds.disruption.params import DisruptionParams

    return {"disruption": DisruptionParams, "visibility": VisibilityParams}


def _encode(value: Any, where: str) -> Any:
    """One value as JSON (see the module's docstring); :class:`SettingsError` for a type that has no such form."""
    import numpy as np
    import pandas as pd

    if isinstance(value, np.generic):
        value = value.item()
    if value is None or isinstance(value, (bool, str, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else {"float": str(value)}
    if isinstance(value, (pd.Timedelta, dt.timedelta)):
        return {"timedelta_ns": int(pd.Timedelta(value).value)}
    if isinstance(value, (tuple, list)):
        return [_encode(v, where) for v in value]
    raise SettingsError(f"the threshold {where} = {value!r} ({type(value).__name__}) cannot be recorded in provenance.json, "
                        "so a report could not be verified with it; give it as a number, a string, a duration or a tuple of these")


def _decode(value: Any) -> Any:
    import pandas as pd

    if isinstance(value, dict) and set(value) == {"float"}:
        return float(value["float"])
    if isinstance(value, dict) and set(value) == {"timedelta_ns"}:
        return pd.Timedelta(int(value["timedelta_ns"]), unit="ns")
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    return value


def _same(a: Any, b: Any) -> bool:
    try:
        return bool(a == b) or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b))
    except (TypeError, ValueError):
        return False


def _changed(obj: Any, default: Any, prefix: str, nested: dict[str, type]) -> dict[str, Any]:
    """The fields of the dataclass ``obj`` that differ from ``default``'s, encoded; nested dataclasses by their own changes."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value, base = getattr(obj, f.name), getattr(default, f.name)
        if f.name in nested:
            kind = nested[f.name]
            if value is None:
                continue
            if not isinstance(value, kind):
                raise SettingsError(f"the threshold {prefix}.{f.name} must be a {kind.__name__} or None to be recorded, not {type(value).__name__}")
            sub = _changed(value, kind(), f"{prefix}.{f.name}", {})
            if sub:
                out[f.name] = sub
        elif not _same(value, base):
            out[f.name] = _encode(value, f"{prefix}.{f.name}")
    return out


def settings_record(legs: Any = None, rules: Any = None) -> dict[str, Any]:
    """What ``provenance.json`` records of the thresholds: the fields that differ from the defaults; empty for the defaults.

    Parameters
    ----------
    legs
        Leg thresholds (:class:`~flighttrace.tracks.params.LegParams`) or ``None``.
    rules
        Verdict thresholds (:class:`~flighttrace.claims.VerdictRules`) or ``None``.

    Returns
    -------
    dict
        ``{"legs": {...}, "rules": {...}}``, each only when it has a changed field.

    Raises
    ------
    SettingsError
        A value has no JSON form a rebuild gives back equal (see the module's docstring).
    """
    out = _record(legs, rules)
    if out and _record(*settings_from_record(out)) != out:  # what a rebuild would use is what was asked for
        raise SettingsError("the thresholds cannot be recorded in provenance.json in a form a rebuild gives back unchanged")
    return out


def _record(legs: Any, rules: Any) -> dict[str, Any]:
    from flighttrace.claims.rules import VerdictRules
    from flighttrace.tracks.params import LegParams

    out: dict[str, Any] = {}
    if legs is not None:
        if not isinstance(legs, LegParams):
            raise SettingsError(f"legs must be a LegParams, not {type(legs).__name__}")
        changed = _changed(legs, LegParams(), "legs", {})
        if changed:
            out["legs"] = changed
    if rules is not None:
        if not isinstance(rules, VerdictRules):
            raise SettingsError(f"rules must be a VerdictRules, not {type(rules).__name__}")
        changed = _changed(rules, VerdictRules(), "rules", _nested())
        if changed:
            out["rules"] = changed
    return out


def _build(kind: type, changes: dict[str, Any], prefix: str, nested: dict[str, type]) -> Any:
    known = {f.name for f in dataclasses.fields(kind)}
    bad = sorted(set(changes) - known)
    if bad:
        raise SettingsError(f"unknown threshold(s) {', '.join(f'{prefix}.{b}' for b in bad)} in provenance.json")
    values = {k: (_build(nested[k], v, f"{prefix}.{k}", {}) if k in nested else _decode(v)) for k, v in changes.items()}
    return kind(**values)


def settings_from_record(record: dict[str, Any] | None) -> tuple[Any, Any]:
    """The :class:`~flighttrace.tracks.params.LegParams` and :class:`~flighttrace.claims.VerdictRules` of a record (``None`` for each absent).

    Raises
    ------
    SettingsError
        The record names a threshold this flighttrace does not have.
    """
    from flighttrace.claims.rules import VerdictRules
    from flighttrace.tracks.params import LegParams

    record = record or {}
    bad = sorted(set(record) - {"legs", "rules"})
    if bad:
        raise SettingsError(f"unknown settings {', '.join(bad)} in provenance.json")
    legs = _build(LegParams, record["legs"], "legs", {}) if record.get("legs") else None
    rules = _build(VerdictRules, record["rules"], "rules", _nested()) if record.get("rules") else None
    return legs, rules


def settings_lines(record: dict[str, Any]) -> list[str]:
    """The Method section's sentence on thresholds changed from the defaults (none for a default report)."""
    if not record:
        return []
    from flighttrace.claims.rules import VerdictRules
    from flighttrace.tracks.params import LegParams

    defaults = {"legs": LegParams(), "rules": VerdictRules()}
    nested = _nested()
    parts = []
    for group in ("legs", "rules"):
        for name, value in record.get(group, {}).items():
            if group == "rules" and name in nested:
                base = nested[name]()
                parts += [f"rules.{name}.{k} = {_decode(v)!s} (default {getattr(base, k)!s})" for k, v in value.items()]
            else:
                parts.append(f"{group}.{name} = {_decode(value)!s} (default {getattr(defaults[group], name)!s})")
    return ["This report was built with thresholds changed from flighttrace's defaults: " + "; ".join(parts)
            + ". They are recorded in provenance.json, and flighttrace verify rebuilds the report with them."]


def defaults_record() -> dict[str, Any]:
    """Every default threshold of this flighttrace, encoded as :func:`settings_record` encodes a change.

    ``provenance.json`` keeps it under ``default_thresholds``: when a later
    flighttrace rebuilds the report with other defaults (a rule refined
    since), :func:`default_changes` names them, so that ``flighttrace
    verify`` says why the rebuild differs. A nested dataclass left ``None``
    (the kind's own defaults) is recorded as those defaults.
    """
    from flighttrace.claims.rules import VerdictRules
    from flighttrace.tracks.params import LegParams

    return {"legs": _every(LegParams(), "legs", {}), "rules": _every(VerdictRules(), "rules", _nested())}


def _every(obj: Any, prefix: str, nested: dict[str, type]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        value = getattr(obj, f.name)
        if f.name in nested:
            out[f.name] = _every(value if value is not None else nested[f.name](), f"{prefix}.{f.name}", {})
        else:
            out[f.name] = _encode(value, f"{prefix}.{f.name}")
    return out


def default_changes(recorded: dict[str, Any]) -> list[str]:
    """The default thresholds that differ between ``recorded`` (:func:`defaults_record` of the flighttrace that made a report) and
    this flighttrace's, one phrase each (``"legs.inferred_max_agl_ft 6000.0 then, 3000.0 now"``), in name order."""
    return _diff(recorded, defaults_record(), "")


def _is_value(v: Any) -> bool:
    return not isinstance(v, dict) or set(v) in ({"float"}, {"timedelta_ns"})


def _diff(then: dict[str, Any], now: dict[str, Any], prefix: str) -> list[str]:
    out: list[str] = []
    for k in sorted(set(then) | set(now)):
        name = f"{prefix}.{k}" if prefix else k
        if k not in now:
            out.append(f"{name} {_decode(then[k])!s} then, no such threshold now")
        elif k not in then:
            out.append(f"{name} none then, {_decode(now[k])!s} now")
        elif not _is_value(then[k]) and not _is_value(now[k]):
            out.extend(_diff(then[k], now[k], name))
        elif then[k] != now[k]:
            out.append(f"{name} {_decode(then[k])!s} then, {_decode(now[k])!s} now")
    return out
