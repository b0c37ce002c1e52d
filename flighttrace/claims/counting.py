"""The count rules every kind's count tests share: at least, at most, and how much the unseen time could hold.

A shortfall ("only 2 found, 6 claimed") or an upper bound ("at most 15, and
15 found") is a verdict drawn from what was *not* seen. It stands only where
the data could have seen the rest: the window's undetectable time (hours in
which the claim's gates were not covered or its fleet not heard; see
:mod:`flighttrace.claims.detection`) must be unable to hold the rest at the
rate seen in the detectable time, and the claim's detection probability must
reach ``VerdictRules.detect_threshold`` with its fleet heard.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

from flighttrace.claims.context import Window, fmt_n
from flighttrace.claims.rules import VerdictRules

__all__ = ["CountVerdict", "room", "room_days", "undetected", "uncovered_phrase", "count_at_least", "count_at_most", "at_least", "at_most"]


class CountVerdict(NamedTuple):
    """A count verdict, its reason, and what it rests on (``basis``).

    ``basis`` is ``seen`` (enough strong items, or too many), ``weak`` (only
    with bridged or unnamed-end items), ``unseen`` (the undetectable time could
    hold the rest), ``undetectable`` (the data could not have seen the rest:
    ``p_detect`` below the threshold or the fleet unheard) or ``absence`` (a
    verdict from what was not seen, where the data would have seen it).
    """

    verdict: str
    reason: str
    basis: str


def room_days(uncovered: float, days: float, rules: VerdictRules, seen: int | None = None, rates: Any = None) -> float:
    """How many events ``uncovered`` days of a ``days``-day window could plausibly hold (see :func:`room`).

    ``rates`` (:attr:`Window.rates`, e.g. :class:`flighttrace.kinds.sorties.bursts.UncoveredRates`)
    models the rate of those days; ``None``: the covered rate alone.
    """
    if uncovered <= 0:
        return 0.0
    cap = rules.max_per_uncovered_day * uncovered
    covered = days - uncovered
    if seen is None or covered < max(uncovered, 1.0):
        return cap
    if rates is not None:  # uncovered days in conflict windows get the surge rate
        return min(cap, rates.room_days(uncovered, days, rules, seen))
    from scipy import stats

    a = rules.uncovered_alpha
    rate_hi = stats.chi2.ppf(1.0 - a, 2 * (seen + 1)) / 2.0 / covered
    plausible = float(stats.poisson.isf(a, rate_hi * uncovered))
    return min(cap, plausible)


def room(win: Window, rules: VerdictRules, seen: int | None = None) -> float:
    """How many events the uncovered days of the window could plausibly hold.

    With ``seen`` events on the window's covered days, the rate's upper
    ``1 - alpha`` bound (Garwood) gives a Poisson mean for the uncovered days;
    the room is the count that such a process reaches with probability at
    least ``alpha``. Without enough covered days to estimate a rate (less than
    half the window), the room is unbounded.
    """
    return room_days(win.uncovered, win.days, rules, seen, win.rates)


def uncovered_phrase(win: Window) -> str:
    return f"{fmt_n(win.uncovered)} of {fmt_n(win.days)} days in the window are not covered ({win.uncovered_text})"


def undetected(win: Window) -> tuple[float, str]:
    """Days of the window in which the claim's events could have gone unseen, and what was missing, in words.

    With a detection (:attr:`Window.detect`): ``days × (1 − p_detect)``, and the
    uncovered days and the missing gates and fleet hours; without one: the
    uncovered days.
    """
    det = win.detect
    parts = [uncovered_phrase(win)] if win.uncovered > 0 else []
    if det is None or math.isnan(det.p):
        return win.uncovered, "; ".join(parts)
    if det.missing:
        parts.append(det.missing)
    return max(win.days * (1.0 - det.p), win.uncovered if det.p < 1.0 else 0.0), "; ".join(parts)


def _absence_ok(win: Window, rules: VerdictRules) -> bool:
    from flighttrace.claims.detection import absence_ok

    return absence_ok(win.detect, rules)


def _surge(win: Window, unseen: float) -> str:
    """The surge model's part of a reason (``""`` when it plays no part)."""
    return win.rates.text_days(unseen) if win.rates is not None and unseen > 0 else ""


def _p_text(win: Window) -> str:
    det = win.detect
    return "" if det is None or math.isnan(det.p) else f"p_detect {det.p:.2f}"


def count_at_least(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> CountVerdict:
    """The ``count_at_least`` rule (``docs/verdicts.md``): ``s`` strong, ``b`` bridged, ``u`` unnamed-end items found."""
    if s >= n:
        return CountVerdict("supported", f"{s} with observed or inferred evidence ≥ {n}", "seen")
    if s + b >= n:
        return CountVerdict("inconclusive", f"{s} with observed or inferred evidence (< {n}); {n} is reached only with {b} bridged", "weak")
    if s + b + u >= n:
        return CountVerdict("inconclusive", f"{s} with observed or inferred evidence (< {n}); {u} fleet {'leg' if u == 1 else 'legs'} in the window "
                             f"{'ends' if u == 1 else 'end'} at no named field and could make up the rest", "weak")
    rest = n - s - b - u
    unseen, missing = undetected(win)
    spare = room_days(unseen, win.days, rules, s + b + u, win.rates)
    surge = _surge(win, unseen)
    if unseen > 0 and rest <= spare:
        return CountVerdict("inconclusive", f"{s} with observed or inferred evidence (< {n}); {missing}, which could hold the rest"
                            + (f" ({surge})" if surge else ""), "unseen")
    extra = f" ({b} bridged, {u} with no named end)" if b or u else ""
    if not _absence_ok(win, rules):
        return CountVerdict("inconclusive", f"only {s + b + u} found, fewer than {n}{extra}, but the data could not have seen the rest "
                            f"({_p_text(win)} < {rules.detect_threshold:g}): {missing}", "undetectable")
    if unseen <= 0:
        where = "the window is fully covered"
    else:
        where = (f"the {fmt_n(unseen)} undetectable day(s) ({missing}) could plausibly hold at most {spare:g} more "
                 f"at the rate seen in the {fmt_n(win.days - unseen)} detectable days (P < {rules.uncovered_alpha:g} for {rest})")
        if surge:
            where += f"; {surge}"
    p = _p_text(win)
    return CountVerdict("contradicted", f"only {s + b + u} found, fewer than {n}{extra}, and {where}" + (f" ({p}; the fleet was heard)" if p and win.detect.fleet else f" ({p})" if p else ""), "absence")


def count_at_most(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> CountVerdict:
    """The ``count_at_most`` rule (``docs/verdicts.md``)."""
    if s > n:
        return CountVerdict("contradicted", f"{s} with observed or inferred evidence > {n}", "seen")
    if s + b + u > n:
        return CountVerdict("inconclusive", f"{s} with observed or inferred evidence ≤ {n}, but {s + b + u} counting {b} bridged and {u} with no named end", "weak")
    unseen, missing = undetected(win)
    if unseen > 0 and s + b + u + room_days(unseen, win.days, rules, s + b + u, win.rates) > n:
        return CountVerdict("inconclusive", f"{s} found ≤ {n}; {missing}, which could hold more", "unseen")
    if not _absence_ok(win, rules):
        return CountVerdict("inconclusive", f"{s + b + u} found ≤ {n}, but the data could not have seen more ({_p_text(win)} < {rules.detect_threshold:g}): {missing}", "undetectable")
    p = _p_text(win)
    return CountVerdict("supported", f"{s + b + u} found ≤ {n}" + (" and the window is fully covered" if unseen <= 0 else "") + (f" ({p})" if p else ""), "absence")


def at_least(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> tuple[str, str]:
    """:func:`count_at_least` as (verdict, reason)."""
    v = count_at_least(n, s, b, u, win, rules)
    return v.verdict, v.reason


def at_most(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> tuple[str, str]:
    """:func:`count_at_most` as (verdict, reason)."""
    v = count_at_most(n, s, b, u, win, rules)
    return v.verdict, v.reason
