"""Draft a scenario from a news article, for a reporter to confirm (``flighttrace draft``).

The article (plain text or saved HTML, in English or Chinese, simplified or
traditional) is read sentence by sentence for the claims flight-tracking data
can test: counts of flights with their qualifier, rates, times on the ground,
destinations, airport closures, diversions and delays, each with its dates,
places, fleet and source, and for the dated events of a timeline. The result
is a scenario :func:`flighttrace.load_scenario` reads, every claim marked
``status: draft`` and pointing at its sentence by character offsets.

Modules: :mod:`~flighttrace.draft.text` (reading, boilerplate, sentences),
:mod:`~flighttrace.draft.lang` (language, matching text),
:mod:`~flighttrace.draft.numbers`, :mod:`~flighttrace.draft.dates`,
:mod:`~flighttrace.draft.places`, :mod:`~flighttrace.draft.entities`
(types, operators, attribution), :mod:`~flighttrace.draft.cues` (the words),
:mod:`~flighttrace.draft.claims` (assembly), :mod:`~flighttrace.draft.diff`
(against an existing scenario), :mod:`~flighttrace.draft.writer` (YAML) and
:mod:`~flighttrace.draft.api` (:func:`draft_article`). Importing this package
loads none of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__all__ = ["DraftResult", "draft_article"]

if TYPE_CHECKING:  # pragma: no cover
    from flighttrace.draft.api import DraftResult, draft_article


def __getattr__(name: str) -> Any:
    if name in __all__:
        from flighttrace.draft import api

        return getattr(api, name)
    raise AttributeError(f"module 'flighttrace.draft' has no attribute {name!r}")
