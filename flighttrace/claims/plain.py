"""Plain words for every verdict, beside the technical reason.

Four openings, one per kind of answer:

- ``Seen: …`` — the data shows what the claim says (supported on evidence);
- ``Seen otherwise: …`` — the data shows something else (contradicted on evidence);
- ``Not seen, and we would have seen it (probability 0.98): …`` — contradicted
  (or an upper bound supported) from absence, where the data could see;
- ``Not seen, but the data could not have seen it: …`` — inconclusive because
  the receivers or the fleet were not heard;
- ``Not decided: …`` — inconclusive for another reason (weak evidence, too few
  values, a close call).
"""

from __future__ import annotations

import math
from typing import Any

from flighttrace.numfmt import fmt_number

__all__ = ["could_not_see", "count_plain", "seen", "seen_otherwise", "subject_words", "undecided", "would_have_seen"]

_UNIT: dict[str, tuple[str, str]] = {
    "landings": ("landing", "landings"), "departures": ("departure", "departures"), "legs": ("flight", "flights"),
    "sorties": ("round trip", "round trips"), "holdings": ("holding", "holdings"), "diversions": ("diversion", "diversions"),
    "movements": ("movement", "movements"),
}


def _unit(unit: str, n: float) -> str:
    one, many = _UNIT.get(unit, (unit, unit))
    return one if n == 1 else many


def subject_words(claim: Any, n: float = 2) -> str:
    """``landings at LLOV from UBBB``, ``round trips of az-ovda-az``, ``holdings at moscow``."""
    s = claim.subject
    words = _unit(s.unit, n)
    if s.unit == "sorties" and s.route:
        words += f" on {s.route}"
    if s.airport:
        words += f" {'from' if s.unit == 'departures' else 'at'} {s.airport}"
    if s.from_:
        words += f" from {s.from_}"
    if s.to:
        words += f" to {s.to}"
    return words


def seen(text: str) -> str:
    return f"Seen: {text}."


def seen_otherwise(text: str) -> str:
    return f"Seen otherwise: {text}."


def would_have_seen(p: float, text: str) -> str:
    prob = "" if p is None or math.isnan(p) else f" (probability {p:.2f})"
    return f"Not seen, and we would have seen it{prob}: {text}."


def could_not_see(text: str) -> str:
    return f"Not seen, but the data could not have seen it: {text}."


def undecided(text: str) -> str:
    return f"Not decided: {text}."


def _missing(win: Any) -> str:
    det = getattr(win, "detect", None)
    parts = []
    if getattr(win, "uncovered", 0) > 0:
        parts.append(f"{fmt_number(win.uncovered)} of {fmt_number(win.days)} days have no data ({win.uncovered_text})")
    if det is not None and det.missing:
        parts.append(det.missing)
    return "; ".join(parts) or "the window has no data"


def count_plain(basis: str, verdict: str, claim: Any, s: int, b: int, u: int, win: Any, *, need: str) -> str:
    """Plain words of a count verdict (``basis`` from :class:`flighttrace.claims.counting.CountVerdict`).

    ``need`` is the claim's figure in words (``6 needed``, ``at most 15 claimed``).
    """
    det = getattr(win, "detect", None)
    p = det.p if det is not None else math.nan
    what = f"{s} {subject_words(claim, s)}"
    if basis == "seen":
        return seen(f"{what} ({need})") if verdict == "supported" else seen_otherwise(f"{what} ({need})")
    if basis == "weak":
        return undecided(f"{what} seen with good evidence ({need}); {b} more only bridged (next seen at the field) and {u} ending at no named field")
    if basis in ("unseen", "undetectable"):
        return could_not_see(f"{what} found ({need}); {_missing(win)}")
    if verdict == "supported":
        return seen(f"{what} ({need}), and we would have seen more" + ("" if math.isnan(p) else f" (probability {p:.2f})"))
    return would_have_seen(p, f"only {s + b + u} {subject_words(claim, s + b + u)} ({need})")
