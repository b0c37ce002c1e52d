"""The pre-registration stamp: what the analysis was fixed to before any data was seen.

A test whose windows can be chosen after looking at the data can be tuned
until it says what one hopes. The scenario file fixes every window: each
claim's dates (or event ± lead/lag), the lead and lag of each rate-ratio
test, and, from those, the windows of the scenario-wide statistics
(:func:`scenario_lead_lag`). :func:`preregister` records the scenario's
SHA-256, its windows and the UTC time, and must be called *before* any data
file is opened (``flighttrace report`` and ``flighttrace analyze`` do so);
:meth:`Preregistration.deviations` names every way an analysis left them.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from flighttrace.hashing import sha256_file

__all__ = ["Preregistration", "days_text", "preregister", "resolve_lead_lag", "scenario_lead_lag", "utc_now"]


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second with a ``Z`` (the stamp's clock)."""
    return _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def days_text(td: Any) -> str:
    """A duration as days, e.g. ``30d`` or ``1.5d``."""
    d = pd.Timedelta(td if td is not None else 0).total_seconds() / 86400.0
    return f"{d:g}d"


def scenario_lead_lag(scenario: Any) -> tuple[pd.Timedelta, pd.Timedelta]:
    """The lead and lag of the scenario-wide event windows, as the scenario fixes them.

    They are those of the scenario's ``rate_ratio`` claims (the only windows
    the scenario widens around events); when those claims disagree, the most
    common pair (ties: the first claim's); with no such claim, no widening
    (0 d, 0 d).

    Parameters
    ----------
    scenario
        A :class:`~flighttrace.scenario.Scenario`.

    Returns
    -------
    tuple of pandas.Timedelta
        ``(lead, lag)``.
    """
    pairs = [(pd.Timedelta(c.test.lead), pd.Timedelta(c.test.lag)) for c in scenario.claims if c.test.kind == "rate_ratio"]
    if not pairs:
        return pd.Timedelta(0), pd.Timedelta(0)
    counts = Counter(pairs)
    best = max(counts.values())
    return next(p for p in pairs if counts[p] == best)


def resolve_lead_lag(scenario: Any, lead: Any, lag: Any) -> tuple[pd.Timedelta, pd.Timedelta, str]:
    """The lead and lag an analysis uses, and how they depart from the scenario's.

    Parameters
    ----------
    scenario
        The scenario.
    lead, lag
        The analysis' choice (a Timedelta, ``"30d"``, days) or ``None`` for
        the scenario's.

    Returns
    -------
    tuple
        ``(lead, lag, deviation)``; ``deviation`` is ``""`` when they are
        the scenario's, else one sentence naming both.
    """
    from flighttrace.scenario import parse_duration

    def as_td(v: Any, default: pd.Timedelta) -> pd.Timedelta:
        if v is None:
            return default
        if isinstance(v, str):
            return parse_duration(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return pd.Timedelta(days=float(v))
        return pd.Timedelta(v)

    s_lead, s_lag = scenario_lead_lag(scenario)
    a_lead, a_lag = as_td(lead, s_lead), as_td(lag, s_lag)
    if (a_lead, a_lag) == (s_lead, s_lag):
        return a_lead, a_lag, ""
    return a_lead, a_lag, (f"the analysis deviated from the pre-registered windows: event windows widened by lead {days_text(a_lead)} / "
                           f"lag {days_text(a_lag)}, where the scenario fixes lead {days_text(s_lead)} / lag {days_text(s_lag)}")


@dataclass(frozen=True)
class Preregistration:
    """The stamp: the scenario's hash, its windows and the time they were fixed.

    Attributes
    ----------
    scenario
        The scenario file as given.
    sha256
        Its SHA-256 (hex).
    time_utc
        When the stamp was made (ISO 8601, UTC, ``Z``), before any data
        file was opened.
    lead, lag
        The scenario-wide event windows' widening (``"30d"``).
    windows
        One entry per claim: ``claim_id``, ``start`` and ``end`` (UTC, end
        exclusive, ISO 8601) and, for a rate-ratio test, its ``lead`` and
        ``lag``.
    deviations
        How the analysis departed from these windows (empty when it did not).
    """

    scenario: str
    sha256: str
    time_utc: str
    lead: str
    lag: str
    windows: tuple[dict[str, str], ...] = ()
    deviations: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (the ``preregistration`` entry of ``provenance.json``)."""
        return {"scenario": self.scenario, "sha256": self.sha256, "time_utc": self.time_utc, "lead": self.lead, "lag": self.lag,
                "windows": [dict(w) for w in self.windows], "deviations": list(self.deviations)}

    @classmethod
    def from_dict(cls, doc: dict[str, Any]) -> Preregistration:
        """The stamp back from :meth:`to_dict`."""
        return cls(str(doc["scenario"]), str(doc["sha256"]), str(doc["time_utc"]), str(doc["lead"]), str(doc["lag"]),
                   tuple(dict(w) for w in doc.get("windows", ())), tuple(doc.get("deviations", ())))

    def with_deviations(self, *notes: str) -> Preregistration:
        """The same stamp with deviations added (empty notes are dropped)."""
        extra = tuple(n for n in notes if n and n not in self.deviations)
        return Preregistration(self.scenario, self.sha256, self.time_utc, self.lead, self.lag, self.windows, self.deviations + extra)

    def text(self) -> str:
        """One paragraph for a page or a terminal."""
        head = (f"Pre-registration: scenario {Path(self.scenario).name} (SHA-256 {self.sha256}) fixed at {self.time_utc}, before any data "
                f"file was opened; claim windows as the scenario gives them; scenario-wide event windows widened by lead {self.lead} / "
                f"lag {self.lag}.")
        if not self.deviations:
            return head + " The analysis kept to these windows."
        return head + " " + "; ".join(d[0].upper() + d[1:] for d in self.deviations) + "."


def preregister(path: str | os.PathLike[str], scenario: Any, *, clock: Any = None) -> Preregistration:
    """Stamp the scenario before any data is opened.

    Parameters
    ----------
    path
        The scenario file (its bytes are hashed).
    scenario
        The scenario parsed from it (for its windows).
    clock
        A callable giving the UTC time as text; default :func:`utc_now`.

    Returns
    -------
    Preregistration
    """
    now = (clock or utc_now)()
    sha = sha256_file(Path(path))
    lead, lag = scenario_lead_lag(scenario)
    wins = []
    for c in scenario.claims:  # one entry per claim
        a, b = scenario.claim_window(c)
        w = {"claim_id": c.id, "start": pd.Timestamp(a).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ"),
             "end": pd.Timestamp(b).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%SZ")}
        if c.test.kind == "rate_ratio":
            w.update(lead=days_text(c.test.lead), lag=days_text(c.test.lag))
        wins.append(w)
    return Preregistration(Path(path).as_posix(), sha, now, days_text(lead), days_text(lag), tuple(wins))
