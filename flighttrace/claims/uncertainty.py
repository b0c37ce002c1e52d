"""How sure a mean or a median of a few intervals is: intervals on both, and the verdict they allow.

"A flight every two days" is a statement about the *typical* interval; ten
intervals seen are a sample of it. This module gives

* :func:`mean_interval_ci` — the interval of the mean: the hull of the exact
  interval for exponential gaps (events at a constant rate: ``2·S / θ`` is
  chi-square with ``2n`` degrees of freedom, ``S`` the sum of the ``n``
  gaps) and a seeded percentile bootstrap of the mean (which widens with
  bursty, irregular gaps);
* :func:`median_ci` — the distribution-free interval of the median from
  order statistics: ``[x(j), x(n − j + 1)]`` with the largest ``j`` whose
  binomial coverage ``1 − 2·P(Bin(n, ½) ≤ j − 1)`` is at least the level;
  with too few values for that (5 or fewer at 95 %) it is unbounded;
* :func:`band_verdict` — ``supported`` when the whole interval lies in the
  band, ``contradicted`` when it lies wholly outside, else ``inconclusive``.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["StatInterval", "band_verdict", "mean_interval_ci", "median_ci"]


@dataclass(frozen=True)
class StatInterval:
    """A statistic with its interval.

    Attributes
    ----------
    statistic
        ``"mean"`` or ``"median"``.
    value
        The statistic of the values.
    low, high
        The interval (``0`` / ``inf`` when unbounded).
    n
        How many values.
    conf
        Its level (0–1); for the median, the coverage actually reached.
    method
        How it was made, in words.
    """

    statistic: str
    value: float
    low: float
    high: float
    n: int
    conf: float
    method: str

    def text(self, unit: str = "d") -> str:
        """``mean 3.98 d (95% interval 2.33–8.30 d)``."""
        hi = "∞" if math.isinf(self.high) else f"{self.high:.2f}"
        return f"{self.statistic} {self.value:.2f} {unit} ({self.conf:.0%} interval {self.low:.2f}–{hi} {unit})"


def mean_interval_ci(values: Any, *, conf: float = 0.95, n_boot: int = 2000, seed: int = 0) -> StatInterval:
    """The mean of positive gaps with the hull of its exact (exponential) and bootstrap intervals.

    Parameters
    ----------
    values
        The gaps (any unit; positive).
    conf
        Level (0–1).
    n_boot
        Bootstrap resamples.
    seed
        Seed of :func:`numpy.random.default_rng` for the resamples.

    Returns
    -------
    StatInterval
        ``NaN`` everywhere when there is no value.
    """
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return StatInterval("mean", math.nan, math.nan, math.nan, 0, conf, "no value")
    fn = _mean_interval if seed is not None else _mean_interval.__wrapped__  # fresh resamples (no seed) are never reused
    return fn(x.tobytes(), conf, int(n_boot), seed)


@functools.lru_cache(maxsize=256)
def _mean_interval(x_bytes: bytes, conf: float, n_boot: int, seed: int) -> StatInterval:
    """:func:`mean_interval_ci` of finite gaps given as bytes (the same gaps, met again in one evaluation, are resampled once)."""
    from scipy import stats

    x = np.frombuffer(x_bytes, dtype=float).copy()
    n = len(x)
    a = 1.0 - conf
    s = float(x.sum())
    lo_e = 2.0 * s / float(stats.chi2.ppf(1.0 - a / 2.0, 2 * n))
    hi_e = 2.0 * s / float(stats.chi2.ppf(a / 2.0, 2 * n))
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, n, size=(int(n_boot), n))].mean(axis=1)
    lo_b, hi_b = (float(v) for v in np.quantile(means, [a / 2.0, 1.0 - a / 2.0]))
    method = (f"hull of the exact interval for exponential gaps ({lo_e:.2f}–{hi_e:.2f}) and a percentile bootstrap "
              f"({int(n_boot)} resamples, seed {seed}: {lo_b:.2f}–{hi_b:.2f})")
    return StatInterval("mean", s / n, min(lo_e, lo_b), max(hi_e, hi_b), n, conf, method)


def median_ci(values: Any, *, conf: float = 0.95) -> StatInterval:
    """The median with its distribution-free order-statistic interval.

    Parameters
    ----------
    values
        The values.
    conf
        Level sought (0–1).

    Returns
    -------
    StatInterval
        ``low = 0``, ``high = inf`` when no pair of order statistics reaches
        the level; ``conf`` is the coverage reached.
    """
    from scipy import stats

    x = np.sort(np.asarray(values, dtype=float))
    x = x[np.isfinite(x)]
    n = len(x)
    if n == 0:
        return StatInterval("median", math.nan, math.nan, math.nan, 0, conf, "no value")
    med = float(np.median(x))
    j = np.arange(1, n // 2 + 1)
    cover = 1.0 - 2.0 * stats.binom.cdf(j - 1, n, 0.5)
    ok = j[cover >= conf]
    if len(ok) == 0:
        return StatInterval("median", med, 0.0, math.inf, n, conf, f"too few values ({n}) for a {conf:.0%} interval from order statistics")
    k = int(ok.max())
    reached = float(1.0 - 2.0 * stats.binom.cdf(k - 1, n, 0.5))
    return StatInterval("median", med, float(x[k - 1]), float(x[n - k]), n, reached, f"order statistics {k} and {n - k + 1} of {n}")


def band_verdict(interval: StatInterval, lo: float, hi: float) -> str:
    """``supported`` when ``[low, high]`` lies inside ``[lo, hi]``, ``contradicted`` when wholly outside, else ``inconclusive``."""
    if math.isnan(interval.low) or math.isnan(interval.high):
        return "inconclusive"
    if lo <= interval.low and interval.high <= hi:
        return "supported"
    if interval.high < lo or interval.low > hi:
        return "contradicted"
    return "inconclusive"
