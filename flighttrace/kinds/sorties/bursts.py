"""Statistics that allow for bursts: overdispersed rate ratios, per-event ratios, and what uncovered days could hold.

Flights come in bursts: a month of war may hold ten, the next none. The exact
Poisson interval of :func:`flighttrace.kinds.sorties.stats.rate_ratio`
assumes every day is an independent draw at one rate, so bursts make it too
narrow. This module adds:

* :func:`rate_cells` — the counts behind a rate ratio split into *blocks*:
  each calendar month of the report zone, inside and outside the event
  windows apart (a block with less than ``min_cell_days`` covered days joins
  the next block of the same side);
* :func:`negative_binomial` — a negative-binomial (NB2) regression of the
  blocks' counts on "inside a window", with the covered days as exposure
  (:class:`statsmodels.discrete.discrete_model.NegativeBinomial`): its rate
  ratio, Wald interval and the dispersion ``alpha`` (variance
  ``μ + alpha·μ²``), and the Pearson variance/mean of the Poisson fit;
* :func:`burst_rate_ratio` — both intervals and the one a verdict uses: the
  hull of the exact Poisson interval and the negative-binomial one (never
  narrower than either);
* :func:`event_rate_ratios` — each event window on its own against the same
  baseline, so a window with no flight shows;
* :class:`UncoveredRates` / :func:`uncovered_rates` — how many events the
  uncovered days of a claim's window could plausibly hold when some of them
  fall in conflict windows, where the scenario says flights surge.
"""

from __future__ import annotations

import functools
import math
import warnings
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from flighttrace.claims.coverage import day_numbers, day_starts, table_days
from flighttrace.claims.daytable import day_table
from flighttrace.kinds.sorties.gaps import day_fractions, table_bounds
from flighttrace.kinds.sorties.stats import (
    RateRatioResult,
    _covered_times,
    _in_intervals,
    _period_keys,
    interval_fractions,
    merge_intervals,
    rate_ratio,
)
from flighttrace.numfmt import fmt_n

__all__ = [
    "BurstRateRatio",
    "NegativeBinomialFit",
    "UncoveredRates",
    "WindowLayout",
    "burst_rate_ratio",
    "conflict_rate_ratio",
    "covered_times",
    "event_rate_ratios",
    "exact_p_value",
    "negative_binomial",
    "rate_cells",
    "uncovered_rates",
    "window_layout",
    "with_uncovered_rates",
]


ALPHA_ZERO = 1e-6
"""A fitted NB2 dispersion below this is the boundary alpha = 0: Poisson counts."""


def _reference(cov: pd.DataFrame, reference: tuple[Any, Any] | None) -> tuple[int, int]:
    if reference is None:
        if len(cov) == 0:
            return 0, 0
        tdays, tz = table_days(cov)
        return int(day_starts(tdays[:1], tz)[0].value), int(day_starts(tdays[-1:] + 1, tz)[0].value)
    return int(pd.Timestamp(reference[0]).value), int(pd.Timestamp(reference[1]).value)


def _ns(times: Any) -> np.ndarray:
    """UTC times (or int64 ns) as int64 nanoseconds, whatever the unit they come in."""
    if isinstance(times, np.ndarray) and times.dtype == np.int64:
        return times
    return np.asarray(pd.DatetimeIndex(times).as_unit("ns").asi8, dtype=np.int64)


def _clipped(starts: Any, ends: Any, r0: int, r1: int) -> tuple[np.ndarray, np.ndarray]:
    s = np.clip(_ns(starts), r0, r1)
    e = np.clip(_ns(ends), r0, r1)
    return merge_intervals(s, e)


def rate_cells(cov: pd.DataFrame, times: Any, starts: Any, ends: Any, *, reference: tuple[Any, Any] | None = None,
               min_cell_days: float = 3.0, layout: WindowLayout | None = None) -> pd.DataFrame:
    """Events and covered days per month, inside and outside the event windows.

    Parameters
    ----------
    cov
        Coverage table (its zone sets the months).
    times
        UTC times of the events; only those on covered days inside the
        reference span count.
    starts, ends
        Event windows (UTC, ends exclusive); overlaps are merged and the
        windows are clipped to the reference span.
    reference
        ``(start, end)`` of the span compared; default the coverage table's.
    min_cell_days
        A block with fewer covered days than this joins the next block of
        the same side (the last one joins the one before), days.
    layout
        :func:`window_layout` of the same table, windows and span, when
        computed already (several counts over the same windows).

    Returns
    -------
    pandas.DataFrame
        ``block`` (local midnight of the block's first month), ``side``
        (``inside`` / ``outside``), ``n`` (events), ``days`` (covered days,
        fractional), in time order, inside blocks first. Summed, ``n`` and
        ``days`` give the ``n1, t1, n0, t0`` of the pooled rate ratio.
    """
    if len(cov) == 0:
        return _cells_frame(*_no_cells(), "UTC")
    lay = layout if layout is not None else window_layout(cov, starts, ends, reference=reference)
    return _cells_frame(*_cell_arrays(cov, times, lay, float(min_cell_days)), lay.tz)


def _no_cells() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=bool), np.zeros(0, dtype=np.int64), np.zeros(0)


def covered_times(cov: pd.DataFrame, times: Any) -> np.ndarray:
    """The events on covered days of a coverage table, as int64 UTC nanoseconds (in the order given).

    Parameters
    ----------
    cov
        Coverage table.
    times
        UTC times of the events (missing ones are left out).

    Returns
    -------
    numpy.ndarray
        int64.
    """
    return _covered_times(cov, times)


def _cells_frame(keys: np.ndarray, inside: np.ndarray, n: np.ndarray, days: np.ndarray, tz: str) -> pd.DataFrame:
    """The :func:`rate_cells` table of :func:`_cell_arrays`."""
    if len(keys) == 0:
        return pd.DataFrame({"block": pd.Series([], dtype=pd.DatetimeTZDtype("ns", "UTC")), "side": pd.Series([], dtype=object),
                             "n": pd.Series([], dtype=np.int64), "days": pd.Series([], dtype=float)})
    return pd.DataFrame({"block": day_starts(keys, tz).tz_convert("UTC"), "side": np.where(inside, "inside", "outside").astype(object),
                         "n": n, "days": days})


def _cell_arrays(cov: pd.DataFrame, times: Any, lay: WindowLayout, min_cell_days: float,
                 covered: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """:func:`rate_cells` as arrays: each block's first month (day number), whether it is inside, its events, its covered days
    (``covered``: :func:`covered_times` of ``times``, when known)."""
    t = covered_times(cov, times) if covered is None else covered
    t = t[(t >= lay.r0) & (t < lay.r1)]
    inside = _in_intervals(t, lay.ms, lay.me)
    day_of = day_numbers(pd.DatetimeIndex(t).tz_localize("UTC") if len(t) else pd.DatetimeIndex([], tz="UTC"), lay.tz)
    ev_block = lay.inv[np.clip(day_of - lay.day0, 0, len(lay.inv) - 1)] if len(t) else np.zeros(0, dtype=np.int64)
    parts: list[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]] = []
    for side, days_w, ev_mask in ((True, lay.days_in, inside), (False, lay.days_out, ~inside)):  # two sides
        n = np.bincount(ev_block[ev_mask], minlength=len(lay.keys)).astype(np.int64)
        keep = days_w > 0
        keys, d, n = lay.keys[keep], days_w[keep], n[keep]
        group = _merge_small(d, min_cell_days)
        if len(group):
            first = np.r_[True, group[1:] != group[:-1]]
            parts.append((keys[first], np.full(int(first.sum()), side), np.bincount(group, weights=n).astype(np.int64), np.bincount(group, weights=d)))
    if not parts:
        return _no_cells()
    return tuple(np.concatenate(x) for x in zip(*parts, strict=True))  # type: ignore[return-value]


@dataclass(frozen=True)
class WindowLayout:
    """What a rate ratio's windows make of a coverage table, whatever the events counted (computed once, used for many).

    Attributes
    ----------
    r0, r1
        The reference span (ns).
    ms, me
        The merged windows clipped to it (ns).
    tz, day0
        The table's zone and first day number.
    keys, inv
        The months (day numbers of their first days) and each table day's month index.
    days_in, days_out
        Covered days per month inside and outside the windows.
    """

    r0: int
    r1: int
    ms: np.ndarray
    me: np.ndarray
    tz: str
    day0: int
    keys: np.ndarray
    inv: np.ndarray
    days_in: np.ndarray
    days_out: np.ndarray


def window_layout(cov: pd.DataFrame, starts: Any, ends: Any, *, reference: tuple[Any, Any] | None = None,
                  bounds: tuple[np.ndarray, np.ndarray] | None = None) -> WindowLayout:
    """The :class:`WindowLayout` of some windows over a (non-empty) coverage table (``bounds``: its
    :func:`~flighttrace.kinds.sorties.gaps.table_bounds`, when known)."""
    r0, r1 = _reference(cov, reference)
    ms, me = _clipped(starts, ends, r0, r1)
    tdays, tz = table_days(cov)
    covered = cov["covered"].to_numpy(dtype=bool)
    bounds = table_bounds(cov) if bounds is None else bounds  # the days' bounds, once for both sides
    f_in = (day_fractions(bounds, ms, me) if len(ms) else np.zeros(len(cov))) * covered
    rs, re_ = merge_intervals(np.array([r0]), np.array([r1]))
    f_ref = (day_fractions(bounds, rs, re_) if len(rs) else np.zeros(len(cov))) * covered
    keys, inv = np.unique(_period_keys(tdays, "month"), return_inverse=True)
    return WindowLayout(r0, r1, ms, me, tz, int(tdays[0]), keys, inv, np.bincount(inv, weights=f_in, minlength=len(keys)),
                        np.bincount(inv, weights=(f_ref - f_in).clip(0), minlength=len(keys)))


def _merge_small(days: np.ndarray, min_days: float) -> np.ndarray:
    """Group ids joining each block short of ``min_days`` to the next one (the last group to the one before)."""
    group = np.zeros(len(days), dtype=np.int64)
    g, acc = 0, 0.0
    for i, d in enumerate(days):  # one step per block (a few hundred at most)
        group[i] = g
        acc += d
        if acc >= min_days:
            g, acc = g + 1, 0.0
    if 0 < acc < min_days and group[-1] > 0:  # the last group fell short: it joins the one before
        group[group == group[-1]] = group[-1] - 1
    return group


@dataclass(frozen=True)
class NegativeBinomialFit:
    """A negative-binomial rate ratio over monthly blocks.

    Attributes
    ----------
    fitted
        Whether the model was fitted (see ``note`` when not).
    ratio, ci_low, ci_high
        ``exp(b)`` of the "inside" coefficient and its Wald interval.
    p_value
        Two-sided Wald test of ratio = ``null_ratio``.
    alpha
        The dispersion of NB2: the variance of a block's count is
        ``μ + alpha·μ²`` (0 = Poisson).
    phi
        Pearson variance/mean of the Poisson fit: ``Σ (n − μ)² / μ``
        over the blocks divided by (blocks − 2); 1 for Poisson counts.
    n_blocks
        Blocks used.
    note
        Why the model was not fitted, or ``""``.
    """

    fitted: bool
    ratio: float
    ci_low: float
    ci_high: float
    p_value: float
    alpha: float
    phi: float
    n_blocks: int
    note: str = ""


def _pearson_phi(n: np.ndarray, days: np.ndarray, inside: np.ndarray) -> float:
    if len(n) <= 2:
        return math.nan
    mu = np.zeros(len(n))
    for side in (True, False):
        m = inside == side
        if days[m].sum() > 0:
            mu[m] = days[m] * n[m].sum() / days[m].sum()
    ok = mu > 0
    return float(((n[ok] - mu[ok]) ** 2 / mu[ok]).sum() / (len(n) - 2))


def negative_binomial(cells: pd.DataFrame, *, conf: float = 0.95, null_ratio: float = 1.0, min_blocks: int = 5) -> NegativeBinomialFit:
    """Fit ``log E[n] = log(days) + b0 + b·inside`` with negative-binomial (NB2) counts.

    Parameters
    ----------
    cells
        :func:`rate_cells` output.
    conf
        Level of the Wald interval of ``exp(b)``.
    null_ratio
        The ratio the p-value tests.
    min_blocks
        Fewer blocks than this leave the dispersion unknown: not fitted.

    Returns
    -------
    NegativeBinomialFit
    """
    n = cells["n"].to_numpy(dtype=float)
    days = cells["days"].to_numpy(dtype=float)
    inside = cells["side"].to_numpy(dtype=object) == "inside"
    return _negative_binomial(n, days, inside, conf=conf, null_ratio=null_ratio, min_blocks=min_blocks)


def _negative_binomial(n: np.ndarray, days: np.ndarray, inside: np.ndarray, *, conf: float, null_ratio: float, min_blocks: int,
                       p_value: bool = True) -> NegativeBinomialFit:
    """:func:`negative_binomial` of the blocks' events (float), covered days and sides (``p_value``: whether to test the ratio)."""
    from scipy import stats

    phi = _pearson_phi(n, days, inside)
    nan = math.nan

    def no(note: str) -> NegativeBinomialFit:
        return NegativeBinomialFit(False, nan, nan, nan, nan, nan, phi, len(n), note)

    if len(n) < min_blocks:
        return no(f"{fmt_n(len(n), 'monthly block')}, fewer than the {min_blocks} needed to estimate the dispersion")
    if n[inside].sum() == 0 or n[~inside].sum() == 0 or not inside.any() or inside.all():
        return no("no event on one side: the ratio's log is unbounded")
    fit = _nb_fit(n.tobytes(), days.tobytes(), inside.tobytes())
    if isinstance(fit, str):
        return no(fit)
    b, se, alpha = fit
    z = float(stats.norm.ppf(0.5 + conf / 2.0))
    p = (float(2.0 * stats.norm.sf(abs(b - math.log(null_ratio)) / se)) if null_ratio > 0 else 0.0) if p_value else nan
    return NegativeBinomialFit(True, math.exp(b), math.exp(b - z * se), math.exp(b + z * se), p, max(alpha, 0.0), phi, len(n))


@functools.lru_cache(maxsize=256)
def _nb_fit(n_bytes: bytes, days_bytes: bytes, inside_bytes: bytes) -> tuple[float, float, float] | str:
    """The NB2 fit of :func:`negative_binomial`: ``(b, se, alpha)`` of the "inside" coefficient, or why it failed.

    The fit depends on the blocks alone (not on the level or the ratio tested),
    so the same blocks, met again in one evaluation (a claim re-run with a band
    edge moved), are fitted once.
    """
    from statsmodels.discrete.discrete_model import NegativeBinomial

    n = np.frombuffer(n_bytes, dtype=float).copy()
    days = np.frombuffer(days_bytes, dtype=float).copy()
    inside = np.frombuffer(inside_bytes, dtype=bool).copy()
    X = np.column_stack([np.ones(len(n)), inside.astype(float)])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            n1, n0 = n[inside].sum(), n[~inside].sum()
            b0 = math.log(n0 / days[~inside].sum())  # the Poisson fit in closed form starts the search
            start = [b0, math.log(n1 / days[inside].sum()) - b0, 0.1]
            res = NegativeBinomial(n, X, exposure=days, loglike_method="nb2").fit(start_params=start, disp=0, maxiter=300)
        except (ValueError, np.linalg.LinAlgError) as exc:  # a singular Hessian on degenerate counts
            return f"the fit failed ({type(exc).__name__})"
    b, se, alpha = float(res.params[1]), float(res.bse[1]), float(res.params[2])
    if alpha < ALPHA_ZERO:  # the likelihood peaks at the boundary: no overdispersion, the model is Poisson (closed form)
        n1, n0 = n[inside].sum(), n[~inside].sum()
        b = math.log(n1 / days[inside].sum()) - math.log(n0 / days[~inside].sum())
        se, alpha = math.sqrt(1.0 / n1 + 1.0 / n0), 0.0
    elif not res.mle_retvals.get("converged", False) or not np.isfinite(se) or se <= 0:
        return "the fit did not converge"
    return b, se, alpha


def exact_p_value(n1: int, t1: float, n0: int, t0: float, null_ratio: float = 1.0) -> float:
    """Two-sided exact test of ratio = ``null_ratio``: ``n1 | n1 + n0`` binomial with ``p0 = r·t1 / (r·t1 + t0)``."""
    from scipy import stats

    n = int(n1) + int(n0)
    if n == 0 or t1 <= 0 or t0 <= 0:
        return math.nan if (t1 <= 0 or t0 <= 0) else 1.0
    p0 = null_ratio * t1 / (null_ratio * t1 + t0)
    return float(stats.binomtest(int(n1), n, p0).pvalue)


@dataclass(frozen=True)
class BurstRateRatio:
    """A rate ratio with its exact Poisson interval, its negative-binomial one, and the interval a verdict uses.

    Attributes
    ----------
    exact
        The exact conditional (Poisson) result.
    nb
        The negative-binomial fit over monthly blocks.
    null_ratio
        The ratio the p-values test.
    exact_p
        Exact two-sided p-value of ratio = ``null_ratio``.
    blocks
        The monthly blocks as arrays (:func:`_cell_arrays`) and the zone; :attr:`cells` is their table.
    """

    exact: RateRatioResult
    nb: NegativeBinomialFit
    null_ratio: float
    exact_p: float
    blocks: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str] = field(repr=False, compare=False)

    @functools.cached_property
    def cells(self) -> pd.DataFrame:
        """The monthly blocks (:func:`rate_cells`), made into a table when first asked for."""
        return _cells_frame(*self.blocks)

    @property
    def ratio(self) -> float:
        """The pooled rate ratio ``(n1 / t1) / (n0 / t0)``."""
        return self.exact.ratio

    @property
    def ci_low(self) -> float:
        """Low end of the interval used: the lower of the exact and the negative-binomial ones."""
        return self.exact.ci_low if not self.nb.fitted else min(self.exact.ci_low, self.nb.ci_low)

    @property
    def ci_high(self) -> float:
        """High end of the interval used: the higher of the two."""
        return self.exact.ci_high if not self.nb.fitted else max(self.exact.ci_high, self.nb.ci_high)

    @property
    def p_value(self) -> float:
        """The p-value used: the larger of the exact and the negative-binomial ones."""
        return self.exact_p if not self.nb.fitted else max(self.exact_p, self.nb.p_value)

    def text(self) -> str:
        """The interval in words: the one used, and where it comes from."""
        e = self.exact
        if not self.nb.fitted:
            return f"exact Poisson interval {e.ci_low:.2f}–{e.ci_high:.2f}; overdispersion not estimated: {self.nb.note}"
        return (f"exact Poisson {e.ci_low:.2f}–{e.ci_high:.2f}, negative binomial over {self.nb.n_blocks} monthly blocks "
                f"{self.nb.ci_low:.2f}–{self.nb.ci_high:.2f} (dispersion alpha {self.nb.alpha:.2f}; variance/mean {self.nb.phi:.1f})")


def burst_rate_ratio(cov: pd.DataFrame, times: Any, starts: Any, ends: Any, *, reference: tuple[Any, Any] | None = None,
                     conf: float = 0.95, null_ratio: float = 1.0, min_cell_days: float = 3.0, min_blocks: int = 5,
                     layout: WindowLayout | None = None, covered: np.ndarray | None = None, p_values: bool = True) -> BurstRateRatio:
    """The rate ratio of events inside the windows against the rest of the reference span, allowing for bursts.

    Parameters
    ----------
    cov, times, starts, ends, reference
        As for :func:`flighttrace.kinds.sorties.stats.window_rate_ratio`.
    conf
        Confidence level of both intervals.
    null_ratio
        The ratio the p-values test (a claim's ``min_ratio``).
    min_cell_days, min_blocks, layout
        See :func:`rate_cells` and :func:`negative_binomial`.
    covered
        :func:`covered_times` of ``times``, when computed already (one set of events against several windows).
    p_values
        Whether to test the ratio (else the p-values are NaN: a verdict drawn from the intervals does not need them).

    Returns
    -------
    BurstRateRatio
    """
    if len(cov) == 0:
        keys, ins, n, days = _no_cells()
        tz = "UTC"
    else:
        lay = layout if layout is not None else window_layout(cov, starts, ends, reference=reference)
        keys, ins, n, days = _cell_arrays(cov, times, lay, float(min_cell_days), covered=covered)
        tz = lay.tz
    n1, t1 = int(n[ins].sum()), float(days[ins].sum())
    n0, t0 = int(n[~ins].sum()), float(days[~ins].sum())
    exact = rate_ratio(n1, t1, n0, t0, conf=conf, p_value=p_values)
    nb = _negative_binomial(n.astype(float), days, ins, conf=conf, null_ratio=null_ratio, min_blocks=min_blocks, p_value=p_values)
    p = exact.p_value if null_ratio == 1.0 or not p_values else exact_p_value(n1, t1, n0, t0, null_ratio)
    return BurstRateRatio(exact, nb, float(null_ratio), p, (keys, ins, n, days, tz))


def _exact_ci(n1: np.ndarray, t1: np.ndarray, n0: int, t0: float, conf: float) -> tuple[np.ndarray, np.ndarray]:
    """The exact conditional interval of :func:`~flighttrace.kinds.sorties.stats.rate_ratio`, for many ``(n1, t1)`` against one baseline."""
    from scipy import stats

    n = n1 + n0
    a = 1.0 - conf
    ok = (t1 > 0) & (t0 > 0) & (n > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        p_lo = np.where(n1 == 0, 0.0, stats.beta.ppf(a / 2, np.maximum(n1, 1), n - n1 + 1))
        p_hi = np.where(n1 == n, 1.0, stats.beta.ppf(1 - a / 2, n1 + 1, np.maximum(n - n1, 1)))
        k = t0 / np.where(t1 > 0, t1, 1.0)
        lo = np.where(p_lo >= 1.0, np.inf, p_lo / (1.0 - p_lo) * k)
        hi = np.where(p_hi >= 1.0, np.inf, p_hi / (1.0 - p_hi) * k)
    none = (n == 0) & (t1 > 0) & (t0 > 0)  # no event at all: any ratio fits
    return np.where(ok, lo, np.where(none, 0.0, np.nan)), np.where(ok, hi, np.where(none, np.inf, np.nan))


def event_rate_ratios(cov: pd.DataFrame, times: Any, events: pd.DataFrame, *, reference: tuple[Any, Any] | None = None,
                      conf: float = 0.95) -> pd.DataFrame:
    """Each event window on its own against the pooled baseline (the covered days outside every window).

    Parameters
    ----------
    cov
        Coverage table.
    times
        UTC times of the events counted.
    events
        ``event_id``, ``window_start``, ``window_end`` (UTC, end exclusive).
    reference
        The span compared; windows are clipped to it.
    conf
        Level of the exact interval of each ratio.

    Returns
    -------
    pandas.DataFrame
        ``event_id``, ``window_start``, ``window_end`` (clipped), ``n``,
        ``days_covered``, ``rate`` (per covered day), ``n0``, ``t0``,
        ``baseline_rate``, ``ratio``, ``ci_low``, ``ci_high`` (the exact
        conditional interval of :func:`~flighttrace.kinds.sorties.stats.rate_ratio`;
        no p-value: an event's ratio is an estimate, part of the pooled
        test). A window whose days are all uncovered has ``days_covered`` 0
        and no ratio; a window outside the reference span has no dates.
        Windows may overlap: an event may count in two of them.
    """
    r0, r1 = _reference(cov, reference)
    ms, me = _clipped(events["window_start"], events["window_end"], r0, r1)
    covered = cov["covered"].to_numpy(dtype=bool) if len(cov) else np.zeros(0, dtype=bool)
    f_in = interval_fractions(cov, ms, me) * covered
    f_ref = interval_fractions(cov, np.array([r0]), np.array([r1])) * covered
    t = _covered_times(cov, times)
    t = t[(t >= r0) & (t < r1)]
    n0, t0 = int((~_in_intervals(t, ms, me)).sum()), float((f_ref - f_in).clip(0).sum())
    a = np.clip(_ns(events["window_start"]), r0, r1)
    b = np.clip(_ns(events["window_end"]), r0, r1)
    d = np.zeros(len(a))
    if len(cov) and len(a):
        tdays, tz = table_days(cov)
        b0, b1 = day_starts(tdays, tz).asi8, day_starts(tdays + 1, tz).asi8
        overlap = (np.minimum(b1[:, None], b[None, :]) - np.maximum(b0[:, None], a[None, :])).clip(0) / (b1 - b0)[:, None]
        d = (overlap * covered[:, None]).sum(axis=0)
    ts = np.sort(t)
    n = (np.searchsorted(ts, b, side="left") - np.searchsorted(ts, a, side="left")).astype(np.int64)
    lo, hi = _exact_ci(n, d, n0, t0, conf)
    base = n0 / t0 if t0 > 0 else math.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.where(d > 0, n / np.where(d > 0, d, 1.0), np.nan)
        if n0 > 0:
            ratio = np.where(d > 0, rate / base, np.nan)
        else:  # no baseline event: infinite where the window has some, undefined elsewhere (as rate_ratio)
            ratio = np.where((d > 0) & (n > 0) & (t0 > 0), np.inf, np.nan)
    empty = b <= a
    out = pd.DataFrame({
        "event_id": events["event_id"].to_numpy(dtype=object),
        "window_start": pd.Series(pd.to_datetime(a, utc=True)).where(~empty), "window_end": pd.Series(pd.to_datetime(b, utc=True)).where(~empty),
        "n": n, "days_covered": d, "rate": rate, "n0": np.full(len(n), n0, dtype=np.int64), "t0": np.full(len(n), t0),
        "baseline_rate": np.full(len(n), base), "ratio": ratio, "ci_low": lo, "ci_high": hi,
    })
    for c in ("window_start", "window_end"):
        out[c] = pd.to_datetime(out[c], utc=True).astype("datetime64[ns, UTC]")
    return out


# ---------------------------------------------------------------------------------------
# what the uncovered days of a window could hold


@dataclass(frozen=True)
class UncoveredRates:
    """The rate model of a window's uncovered days: a quiet rate, and a surge in conflict windows.

    The window's ``seen`` events on its ``C`` covered days give the quiet
    rate's upper bound ``λ = χ²(1 − α; 2·seen + 2) / (2·C)`` (Garwood, all
    covered days taken as quiet: an over-estimate when some lie in conflict
    windows). An uncovered day in a conflict window is given
    ``rr_high × λ``, where ``rr_high`` is the upper end of the scenario-wide
    rate ratio of the conflict windows (at least 1). The uncovered days could
    hold ``m`` more when a Poisson count of mean
    ``λ·(U − U_conflict) + rr_high·λ·U_conflict`` reaches ``m`` with
    probability at least ``α``.

    Attributes
    ----------
    conflict_days
        Uncovered days of the window inside conflict windows (fractional).
    rr_high
        The surge factor (``inf`` when it cannot be estimated).
    source
        Where ``rr_high`` comes from, in words.
    """

    conflict_days: float
    rr_high: float
    source: str

    def room_days(self, unseen: float, days: float, rules: Any, seen: int) -> float:
        """How many events ``unseen`` days of a ``days``-day window could plausibly hold (see the class notes).

        The days the data could not see are the uncovered ones, or more when
        the claim's gates were unheard (:mod:`flighttrace.claims.detection`);
        at most :attr:`conflict_days` of them get the surge rate.
        """
        from scipy import stats

        covered = days - unseen
        a = rules.uncovered_alpha
        lam = stats.chi2.ppf(1.0 - a, 2 * (int(seen) + 1)) / 2.0 / covered
        u_c = min(self.conflict_days, unseen)
        if u_c > 0 and not math.isfinite(self.rr_high):
            return math.inf
        mean = lam * (unseen - u_c) + (max(self.rr_high, 1.0) * lam * u_c if u_c > 0 else 0.0)
        return float(stats.poisson.isf(a, mean))

    def room(self, win: Any, rules: Any, seen: int) -> float:
        """How many events the window's uncovered days could plausibly hold."""
        return self.room_days(win.uncovered, win.days, rules, seen)

    def text_days(self, unseen: float) -> str:
        """The surge part in words (``""`` when none of the ``unseen`` days is in a conflict window)."""
        u_c = min(self.conflict_days, unseen)
        if u_c <= 0:
            return ""
        f = "an unknown factor" if not math.isfinite(self.rr_high) else f"{max(self.rr_high, 1.0):.1f} ×"
        return f"{u_c:.0f} of the uncovered days fall in conflict windows and are given {f} the covered rate ({self.source})"

    def text(self, win: Any) -> str:
        """The surge part for the window's uncovered days, in words."""
        return self.text_days(win.uncovered)


def conflict_rate_ratio(ctx: Any) -> tuple[BurstRateRatio | None, pd.DataFrame]:
    """The scenario-wide rate ratio of all sorties in the conflict windows, and those windows (computed once per evaluation).

    The windows are the events of ``rules.conflict_kinds`` widened by the
    scenario's lead and lag (or the ones ``rules`` sets,
    :func:`flighttrace.claims.prereg.resolve_lead_lag`); the sorties are
    the series' (:func:`flighttrace.kinds.sorties.claims.main_sorties`).
    The result is ``None`` when there is no conflict event.
    """
    key = ("bursts", "conflict_rate_ratio")
    if key not in ctx.cache:
        from flighttrace.claims.prereg import resolve_lead_lag
        from flighttrace.kinds.sorties.series import main_sorties, sortie_times
        from flighttrace.kinds.sorties.stats import event_windows

        rules = ctx.rules
        lead, lag, _ = resolve_lead_lag(ctx.scenario, rules.lead, rules.lag)
        ev = ctx.scenario.events_frame()
        win = event_windows(ev[ev["kind"].isin(rules.conflict_kinds)], lead=lead, lag=lag)
        r = None
        if len(win):
            r = burst_rate_ratio(ctx.cov, sortie_times(main_sorties(ctx)), win["window_start"], win["window_end"], conf=rules.conf,
                                 min_cell_days=rules.min_cell_days, min_blocks=rules.min_blocks)
        ctx.cache[key] = (r, win)
    return ctx.cache[key]


def _surge(ctx: Any) -> tuple[float, str, pd.DataFrame]:
    """The surge factor of conflict windows: the upper end of the scenario-wide rate ratio (``inf`` when unknown)."""
    from flighttrace.claims.prereg import days_text, resolve_lead_lag

    r, win = conflict_rate_ratio(ctx)
    if r is None:
        return math.inf, "no conflict event", win
    lead, lag, _ = resolve_lead_lag(ctx.scenario, ctx.rules.lead, ctx.rules.lag)
    e = r.exact
    hi = r.ci_high if e.t1 > 0 and e.t0 > 0 and e.n1 + e.n0 > 0 and math.isfinite(r.ci_high) else math.inf
    return hi, f"the upper end of the rate ratio of all sorties in the conflict windows, start − {days_text(lead)} … end + {days_text(lag)}", win


def uncovered_rates(ctx: Any, start: pd.Timestamp, end: pd.Timestamp) -> UncoveredRates | None:
    """The rate model of the uncovered days of ``[start, end)`` (``None`` when the scenario has no route or no conflict event)."""
    if not getattr(ctx.scenario, "routes", None) or len(ctx.cov) == 0:
        return None
    rr_hi, source, win = _surge(ctx)
    if len(win) == 0:
        return None
    b0, b1, covered = day_table(ctx).bounds(start, end)  # window_day_bounds, the table read once per evaluation
    if len(b0) == 0:
        return UncoveredRates(0.0, rr_hi, source)
    ms, me = _clipped(win["window_start"], win["window_end"], pd.Timestamp(start).value, pd.Timestamp(end).value)
    if len(ms) == 0:
        return UncoveredRates(0.0, rr_hi, source)
    overlap = (np.minimum(b1[:, None], me[None, :]) - np.maximum(b0[:, None], ms[None, :])).clip(0).sum(axis=1) / (b1 - b0)
    u_c = float((overlap * ~covered).sum())
    return UncoveredRates(u_c, rr_hi, source)


def with_uncovered_rates(ctx: Any, win: Any) -> Any:
    """The claim's window with its uncovered-day rate model attached (unchanged when there is nothing to attach)."""
    if win.uncovered <= 0 or not hasattr(win, "rates"):
        return win
    return replace(win, rates=uncovered_rates(ctx, win.start, win.end))
