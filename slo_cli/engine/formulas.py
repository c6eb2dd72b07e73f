"""The headline formulas, one function each, element-wise over arrays of SLOs (numpy).

Every figure of `slo check` and `slo report` is one of these applied to window sums from
:mod:`slo_cli.engine.kernel` (docs/design.md §2). None of them divides by zero: a window
without traffic gives NaN (unknown, never healthy), an objective of 100 % (no budget) gives
inf when anything was bad and 0 otherwise.
"""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np

from slo_cli.engine.alerting import allowed_share


def equation(function: object) -> str:
    """The equation a formula's docstring states: its first ````name = …```` span (what
    `slo check --explain` prints next to the numbers, so the text cannot drift from the code).

    >>> equation(sli)
    'SLI = good ÷ total'
    """
    doc = getattr(function, "__doc__", None) or ""
    found = re.search(r"``([^`]+ = [^`]+)``", doc)
    if found is None:
        raise ValueError(f"{getattr(function, '__name__', function)!r} states no equation")
    return " ".join(found.group(1).split())


def _a(x: np.ndarray | float) -> np.ndarray:
    return np.asarray(x, dtype=float)


def allowed_fraction(objective: np.ndarray | float) -> np.ndarray:
    """``1 − objective`` element-wise, each exact to the objective's decimal
    (:func:`~slo_cli.engine.alerting.allowed_share`): 1 % bad at 99 % burns exactly 1×.

    >>> allowed_fraction(np.array([0.99, 0.999, 0.99])).tolist()
    [0.01, 0.001, 0.01]
    """
    obj = _a(objective)
    values, inverse = np.unique(obj, return_inverse=True)
    shares = np.array([allowed_share(v) for v in values.tolist()], dtype=float)
    return np.asarray(shares[inverse].reshape(obj.shape))


def sli(good: np.ndarray, total: np.ndarray) -> np.ndarray:
    """Service level indicator: ``SLI = good ÷ total``; NaN when total == 0.

    >>> sli(np.array([999.0, 0.0]), np.array([1000.0, 0.0])).tolist()
    [0.999, nan]
    """
    good, total = _a(good), _a(total)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.asarray(np.where(total > 0, good / np.where(total > 0, total, 1.0), np.nan))


def error_budget(objective: np.ndarray | float, total: np.ndarray) -> np.ndarray:
    """The error budget in events: ``allowed_bad = (1 − objective) × total``.

    >>> error_budget(0.999, np.array([864000.0])).round(9).tolist()
    [864.0]
    """
    return np.asarray(allowed_fraction(objective) * _a(total))


def budget_minutes(objective: np.ndarray | float, window_s: np.ndarray | float) -> np.ndarray:
    """The budget's time equivalent in minutes:
    ``budget_minutes = window_s × (1 − objective) ÷ 60``.

    >>> budget_minutes(0.999, 30 * 86400.0).round(9).tolist()  # 30 days at 99.9 %
    43.2
    """
    return np.asarray(_a(window_s) * allowed_fraction(objective) / 60.0)


def burn_rate(bad: np.ndarray, total: np.ndarray, objective: np.ndarray) -> np.ndarray:
    """Burn rate: the bad fraction over a window ÷ the fraction the objective allows.

    ``burn = (bad ÷ total) ÷ (1 − objective)``; NaN when total == 0 (no traffic: unknown, not
    healthy); with objective 1 (no budget): inf when anything was bad, else 0.
    ``1 − objective`` is :func:`allowed_fraction` (exact to the objective's decimal), so a window
    exactly as bad as the objective allows burns exactly 1×, and reaches a threshold of 1:

    >>> burn_rate(np.array([1.0, 30.0]), np.array([100.0, 3000.0]), np.array([0.99, 0.99])).tolist()
    [1.0, 1.0]

    >>> burn_rate(np.array([3.0, 0.0, 1.0, 0.0]), np.array([1000.0, 0.0, 5.0, 5.0]),
    ...           np.array([0.999, 0.999, 1.0, 1.0])).round(12).tolist()
    [3.0, nan, inf, 0.0]
    """
    bad = _a(bad)
    total = _a(total)
    # 1 − objective as the exact ratio of its decimal, numer ÷ denom (0.99 → 1 ÷ 100), so the
    # rate is one rounding of bad × denom ÷ (total × numer): with whole counts both products are
    # exact, and a window exactly at a threshold reaches it (144 bad of 1,000 at 99 % is 14.4,
    # where (bad ÷ total) ÷ 0.01 gives 14.399999999999999 and misses a 14.4× page)
    numer, denom = _allowed_ratio(objective)
    with np.errstate(divide="ignore", invalid="ignore"):
        rate = np.asarray((bad * denom) / (total * numer), dtype=float)
        no_traffic = ~(total > 0)
        if no_traffic.any():
            rate = np.where(no_traffic, np.nan, rate)
    no_budget = ~(numer > 0)
    if no_budget.any():
        fix = no_budget & ~no_traffic & ~np.isnan(bad)
        rate = np.where(fix, np.where(bad > 0, np.inf, 0.0), rate)
    return rate


def _allowed_ratio(objective: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """``1 − objective`` element-wise as numerator and denominator of its exact decimal
    (:func:`allowed_fraction` is numer ÷ denom, rounded once); NaN objectives give NaN.

    >>> [a.tolist() for a in _allowed_ratio(np.array([0.99, 0.9995, 1.0]))]
    [[1.0, 1.0, 0.0], [100.0, 2000.0, 1.0]]
    """
    obj = _a(objective)
    values, inverse = np.unique(obj, return_inverse=True)
    pairs = [_decimal_ratio(v) for v in values.tolist()]
    numer = np.array([p for p, _ in pairs], dtype=float)[inverse].reshape(obj.shape)
    denom = np.array([q for _, q in pairs], dtype=float)[inverse].reshape(obj.shape)
    return np.asarray(numer), np.asarray(denom)


def _decimal_ratio(objective: float) -> tuple[float, float]:
    if objective != objective:  # NaN
        return float("nan"), 1.0
    p, q = (1 - Decimal(repr(float(objective)))).as_integer_ratio()
    return float(p), float(q)


def consumed(bad: np.ndarray, total: np.ndarray, objective: np.ndarray) -> np.ndarray:
    """Share of the error budget spent: ``consumed = bad ÷ allowed_bad``, i.e. the burn rate over
    the whole SLO window (the same guards: NaN without traffic, inf at objective 1).

    117 bad of 864,000 events at 99.9 % (budget 864):

    >>> consumed(np.array([117.0]), np.array([864000.0]), np.array([0.999])).round(9).tolist()
    [0.135416667]
    """
    return burn_rate(bad, total, objective)


def remaining(spent: np.ndarray) -> np.ndarray:
    """Share of the budget left: ``remaining = 1 − consumed`` (negative when overspent).

    >>> remaining(np.array([0.25, 1.5, np.nan])).tolist()
    [0.75, -0.5, nan]
    """
    return np.asarray(1.0 - _a(spent))


def coverage(missing_s: np.ndarray, span_s: np.ndarray | float) -> np.ndarray:
    """Share of a window with data, weighted by bin width: ``coverage = 1 − missing_s ÷ span_s``
    (seconds with data ÷ seconds; bins with data ÷ bins on a uniform grid); NaN for an
    empty window.

    >>> coverage(np.array([0.0, 1800.0, 3600.0]), 3600.0).tolist()
    [1.0, 0.5, 0.0]
    """
    missing_s = _a(missing_s)
    span = np.broadcast_to(_a(span_s), missing_s.shape)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = 1.0 - missing_s / np.where(span > 0, span, 1.0)
    return np.asarray(np.where(span > 0, share, np.nan))


def time_to_exhaustion(remaining: np.ndarray, window_s: np.ndarray, burn: np.ndarray) -> np.ndarray:
    """Seconds until the budget is gone if the burn rate stays ``burn``.

    A burn rate of 1 spends a whole budget in ``window_s`` seconds, so the ``remaining`` share
    lasts ``tte = remaining × window_s ÷ burn``. Infinite when burn is 0 or NaN (no traffic:
    nothing is being spent); 0 when remaining ≤ 0 (already exhausted); NaN when remaining is
    unknown. (``evaluate`` turns the infinity into NaN when the basis window holds no data.)

    >>> time_to_exhaustion(np.array([0.5, 0.5, -0.1, 1.0]), np.full(4, 2592000.0),
    ...                    np.array([14.4, 0.0, 3.0, np.nan])).tolist()
    [90000.0, inf, 0.0, inf]
    """
    remaining = _a(remaining)
    burn = _a(burn)
    with np.errstate(divide="ignore", invalid="ignore"):
        tte = remaining * _a(window_s) / np.where(burn > 0, burn, 1.0)
    tte = np.where(burn > 0, tte, np.inf)
    tte = np.where(remaining <= 0, 0.0, tte)
    return np.asarray(np.where(np.isnan(remaining), np.nan, tte), dtype=float)


# Composite SLOs (slo_cli.engine.composite): how one composite's counts or burn rate come from
# its members' (rows: members, in spec order; `weights` wᵢ, each member's own objective oᵢ).


def weighted_events(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Method `weighted`: each member's events count its weight times, per bin,
    ``total = Σ wᵢ × totalᵢ`` (good likewise); NaN where any member has no data.

    >>> weighted_events(np.array([[10.0, 1.0], [5.0, np.nan]]), np.array([1.0, 2.0])).tolist()
    [20.0, nan]
    """
    counts = _a(counts)
    return np.asarray((counts * _a(weights)[:, None]).sum(axis=0))


def least_healthy_member(bad: np.ndarray, total: np.ndarray) -> int:
    """Method `least_healthy`: over one window the member with the highest error ratio,
    ``pick = argmax badᵢ ÷ totalᵢ`` (the lowest SLI; the first on a tie; a member without
    traffic is skipped); −1 when no member has traffic.

    >>> least_healthy_member(np.array([1.0, 3.0, 0.0]), np.array([100.0, 100.0, 0.0]))
    1
    >>> least_healthy_member(np.array([0.0, 0.0]), np.array([0.0, 0.0]))
    -1
    """
    return int(least_healthy_members(_a(bad)[:, None], _a(total)[:, None])[0])


def least_healthy_members(bad: np.ndarray, total: np.ndarray) -> np.ndarray:
    """:func:`least_healthy_member` of each column of (n_members, k) sums (k windows at once).

    >>> least_healthy_members(np.array([[1.0, 0.0], [3.0, 0.0]]),
    ...                       np.array([[100.0, 0.0], [100.0, 0.0]])).tolist()
    [1, -1]
    """
    bad, total = _a(bad), _a(total)
    ratio = np.where(total > 0, bad / np.where(total > 0, total, 1.0), -1.0)
    i = np.argmax(ratio, axis=0)
    return np.where(np.take_along_axis(ratio, i[None, :], axis=0)[0] >= 0, i, -1)


def weighted_burn_rate(burns: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Method `weighted_burn` (OpenSLO): ``burn = Σ wᵢ × burnᵢ``, each member's burn rate
    against its own objective, 0 for a member without traffic (over the members' axis 0).

    >>> weighted_burn_rate(np.array([2.0, 1.0, np.nan]), np.array([1.0, 3.0, 5.0])).tolist()
    5.0
    """
    return np.asarray(np.sum(_a(weights) * np.nan_to_num(_a(burns), nan=0.0), axis=0))


def equivalent_bad(
    burn: np.ndarray | float, objective: np.ndarray | float, total: np.ndarray | float
) -> np.ndarray:
    """Method `weighted_burn` as events, with total = Σ wᵢ × totalᵢ:
    ``bad = burn × (1 − objective) × total``, so :func:`burn_rate` of (bad, total) gives the
    burn back and SLI = 1 − (1 − objective) × burn; 0 without traffic.

    >>> float(equivalent_bad(5.0, 0.999, 3100.0).round(9))
    15.5
    """
    total = _a(total)
    return np.asarray(np.where(total > 0, _a(burn) * allowed_fraction(objective) * total, 0.0))
