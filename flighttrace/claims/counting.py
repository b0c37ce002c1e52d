"""The count rules every kind's count tests share: at least, at most, and how much the uncovered days could hold."""

from __future__ import annotations

from flighttrace.claims.context import Window, fmt_n
from flighttrace.claims.rules import VerdictRules

__all__ = ["room", "uncovered_phrase", "at_least", "at_most"]


def room(win: Window, rules: VerdictRules, seen: int | None = None) -> float:
    """How many events the uncovered days of the window could plausibly hold.

    With ``seen`` events on the window's covered days, the rate's upper
    ``1 - alpha`` bound (Garwood) gives a Poisson mean for the uncovered days;
    the room is the count that such a process reaches with probability at
    least ``alpha``. Without enough covered days to estimate a rate (less than
    half the window), the room is unbounded.
    """
    if win.uncovered <= 0:
        return 0.0
    cap = rules.max_per_uncovered_day * win.uncovered
    covered = win.days - win.uncovered
    if seen is None or covered < max(win.uncovered, 1.0):
        return cap
    from scipy import stats

    if win.rates is not None:  # uncovered days in conflict windows get the surge rate (see UncoveredRates)
        return min(cap, win.rates.room(win, rules, seen))
    a = rules.uncovered_alpha
    rate_hi = stats.chi2.ppf(1.0 - a, 2 * (seen + 1)) / 2.0 / covered
    plausible = float(stats.poisson.isf(a, rate_hi * win.uncovered))
    return min(cap, plausible)


def uncovered_phrase(win: Window) -> str:
    return f"{fmt_n(win.uncovered)} of {fmt_n(win.days)} days in the window are not covered ({win.uncovered_text})"


def at_least(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> tuple[str, str]:
    if s >= n:
        return "supported", f"{s} with observed or inferred evidence ≥ {n}"
    if s + b >= n:
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {n} is reached only with {b} bridged"
    rest = n - s - b - u
    spare = room(win, rules, s + b + u)
    if win.uncovered > 0 and rest <= spare:
        surge = win.rates.text(win) if win.rates is not None else ""
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {uncovered_phrase(win)}, which could hold the rest" + (f" ({surge})" if surge else "")
    if s + b + u >= n:
        return "inconclusive", f"{s} with observed or inferred evidence (< {n}); {u} fleet leg(s) in the window end at no named field and could make up the rest"
    extra = f" ({b} bridged, {u} with no named end)" if b or u else ""
    if win.uncovered <= 0:
        where = "the window is fully covered"
    else:
        where = (f"the {fmt_n(win.uncovered)} uncovered day(s) ({win.uncovered_text}) could plausibly hold at most {spare:g} more "
                 f"at the rate seen on the {fmt_n(win.days - win.uncovered)} covered days (P < {rules.uncovered_alpha:g} for {rest})")
        if win.rates is not None and win.rates.text(win):
            where += f"; {win.rates.text(win)}"
    return "contradicted", f"only {s + b + u} found, fewer than {n}{extra}, and {where}"


def at_most(n: int, s: int, b: int, u: int, win: Window, rules: VerdictRules) -> tuple[str, str]:
    if s > n:
        return "contradicted", f"{s} with observed or inferred evidence > {n}"
    if s + b + u > n:
        return "inconclusive", f"{s} with observed or inferred evidence ≤ {n}, but {s + b + u} counting {b} bridged and {u} with no named end"
    if win.uncovered > 0 and s + b + u + room(win, rules, s + b + u) > n:
        return "inconclusive", f"{s} found ≤ {n}; {uncovered_phrase(win)}, which could hold more"
    return "supported", f"{s + b + u} found ≤ {n}" + (" and the window is fully covered" if win.uncovered <= 0 else "")

