"""Tracks → legs: segmentation, take-off and landing airports with their evidence grades, ground stays, airport events.

:func:`detect_legs` cuts each aircraft's points into legs and decides where
each one took off and landed, and how sure that is (``observed``,
``inferred``, ``bridged``, ``unknown``); every threshold is a field of
:class:`LegParams`, with its unit. :func:`ground_stays` and
:func:`airport_events` are views of the legs table.
"""

from __future__ import annotations

from flighttrace.tracks.legs import GRADES, LEGS_COLUMNS, LegParams, airport_events, detect_legs, ground_stays

__all__ = ["GRADES", "LEGS_COLUMNS", "LegParams", "detect_legs", "ground_stays", "airport_events"]
