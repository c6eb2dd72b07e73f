"""Per-interval event counts of an SLI as PromQL: what the first two recording rules hold.

For counters the expression is the one `slo check` sends for a bin (`sources.promql.exact_expr`):
per series the difference of its last values at the evaluation instant t and at t − E (each
looked back L seconds, so scrape gaps up to L are bridged), or the last value itself when it
went down (a reset), summed over series after the difference. Evaluated every E seconds, the
series holds the events of (t − E, t]; summed with `sum_over_time` over W ÷ E evaluations it is
the window's count. See docs/rules.md for its error bound.

A grouped SLO (``group_by``) sums the per-series differences ``by (its labels)`` instead, so each
group of label values is its own series (as `slo check` counts each group on its own); a
numerator with no series in a group counts 0 there, "no data" only where the group's total has
none (`sources.fetch._grouped_ratio`'s rule).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from slo_cli.sources import promql

#: the raw-template window is at least this long (the same floor `slo check` uses)
RAW_MIN_WINDOW_S = 300.0


@dataclass(frozen=True)
class SliExprs:
    """PromQL for the events of one evaluation interval: all events, and the bad ones.

    interval_s  the evaluation interval E the expressions are written for.
    exact       False for raw templates (evaluated by Prometheus, approximate).
    note        why it is approximate, or what it counts (shown in docs and annotations).
    """

    total: str
    bad: str
    interval_s: float
    exact: bool = True
    note: str = ""


def threshold_regex(threshold: float) -> str:
    r"""A regex matching the decimal spellings of a bucket bound, escaped for a PromQL string:
    0.3 -> ``0\\.30*`` (0.3, 0.30, 0.300), 1 -> ``1(\\.0*)?`` (1, 1.0).

    >>> print(threshold_regex(0.3), threshold_regex(1.0), threshold_regex(2.5))
    0\\.30* 1(\\.0*)? 2\\.50*
    """
    text = repr(float(threshold))
    if "e" in text or "E" in text:
        text = f"{threshold:.17f}".rstrip("0")
    whole, _, frac = text.partition(".")
    frac = frac.rstrip("0")
    pattern = re.escape(whole) + (re.escape("." + frac) + "0*" if frac else r"(\.0*)?")
    return pattern.replace("\\", "\\\\")


def _or_zero(expr: str, like: str | None = None) -> str:
    """`expr`, or 0 when it has no result (no series of that kind exists yet); for a grouped
    SLO 0 in each group `like` (an expression of the same groups) has."""
    if like is None:
        return f"({expr}) or on() vector(0)"
    return f"({expr}) or (({like}) * 0)"


@dataclass(frozen=True)
class _Count:
    """How one counter term is counted: per interval E, looked back L, summed `by`."""

    interval_s: float
    lookback_s: float
    by: str = ""

    def expr(self, selector: str) -> str:
        return promql.exact_expr(selector, self.interval_s, self.lookback_s, self.by)


def _by(slo: Any) -> str:
    labels = list(getattr(slo, "group_by", None) or ())
    return f" by ({', '.join(labels)})" if labels else ""


def _terms_expr(expr: str, count: _Count) -> str:
    """A ratio part: one counter selector, or a signed sum of them (``a + b - c``, as foreign
    SLIs read), each term counted exactly (a term without series counts 0; grouped: 0 in
    every group some term has)."""
    from slo_specs.promql_forms import selector_terms

    terms = selector_terms(expr) or ((1, expr),)
    if len(terms) == 1:
        return count.expr(terms[0][1])
    like = " or ".join(f"({count.expr(sel)})" for _, sel in terms) if count.by else None
    out = ""
    for sign, selector in terms:
        term = f"({_or_zero(count.expr(selector), like)})"
        if not out:
            out = term if sign > 0 else f"-{term}"
        else:
            out += f" {'+' if sign > 0 else '-'} {term}"
    return out


def _counters(slo: Any, interval_s: float, lookback_s: float) -> tuple[str, str, str]:
    """(good-or-bad, which, total) exact per-interval expressions of a ratio or latency SLI."""
    sli = slo.sli
    count = _Count(interval_s, lookback_s, _by(slo))
    if sli.kind == "ratio":
        r = sli.ratio
        total = _terms_expr(r.total, count)
        if r.bad is not None:
            return _terms_expr(r.bad, count), "bad", total
        return _terms_expr(r.good, count), "good", total
    lat = sli.latency
    bucket = promql.add_matcher(
        lat.selector, f"{lat.histogram}_bucket", f'le=~"{threshold_regex(lat.threshold)}"'
    )
    histogram_count = promql.add_matcher(lat.selector, f"{lat.histogram}_count", "")
    return count.expr(bucket), "good", count.expr(histogram_count)


def _like(slo: Any, total: str) -> str | None:
    """The groups a grouped SLO's zeros take (its total's), None for an ungrouped SLO."""
    return total if _by(slo) else None


def _occurrences(slo: Any, interval_s: float, lookback_s: float) -> SliExprs:
    part, which, total = _counters(slo, interval_s, lookback_s)
    like = _like(slo, total)
    if which == "bad":
        return SliExprs(total=total, bad=_or_zero(part, like), interval_s=interval_s)
    return SliExprs(total=total, bad=f"({total}) - ({_or_zero(part, like)})", interval_s=interval_s)


def _good_expr(slo: Any, interval_s: float, lookback_s: float) -> tuple[str, str]:
    """(good, total) exact per-interval expressions of a ratio or latency SLI."""
    part, which, total = _counters(slo, interval_s, lookback_s)
    like = _like(slo, total)
    if which == "good":
        return _or_zero(part, like), total
    return f"({total}) - ({_or_zero(part, like)})", total


def _slices(slo: Any, interval_s: float, lookback_s: float) -> SliExprs:
    """Timeslice budgeting of a ratio/latency SLI: one slice per interval, good when its
    good/total ratio reaches the target; slices without traffic are not counted."""
    good, total = _good_expr(slo, interval_s, lookback_s)
    target = float(slo.timeslice.target)
    has = f"(({total}) > 0) * 0 + 1"
    ok = f"((({good}) / ({total})) >= {target!r}) * 0 + 1"
    return SliExprs(
        total=has,
        bad=f"({has}) - ({_or_zero(ok, _like(slo, has))})",
        interval_s=interval_s,
        note=f"one slice per {promql.dur(interval_s)}: good when good ÷ total ≥ {target!r}",
    )


def _ratio_slices(slo: Any, interval_s: float, lookback_s: float) -> SliExprs:
    """RatioTimeslices: each interval with traffic weighs its length in seconds; the bad
    seconds are the length times the interval's bad fraction (the engine's convention)."""
    good, total = _good_expr(slo, interval_s, lookback_s)
    e = repr(float(interval_s))
    return SliExprs(
        total=f"(({total}) > 0) * 0 + {e}",
        bad=f"(1 - clamp_max(({good}) / (({total}) > 0), 1)) * {e}",
        interval_s=interval_s,
        note=f"seconds weighted by each {promql.dur(interval_s)} slice's good ratio",
    )


def _gauge_slices(slo: Any, interval_s: float) -> SliExprs:
    ts = slo.sli.timeslices
    cond = f"({ts.query}) {ts.good_when.op} {float(ts.good_when.value)!r}"
    total = f"count({ts.query})"
    return SliExprs(
        total=total,
        bad=f"({total}) - ((count({cond})) or on() vector(0))",
        interval_s=interval_s,
        note=f"one slice per {promql.dur(interval_s)} and series: good when {ts.good_when}",
    )


def _raw(slo: Any, interval_s: float) -> SliExprs:
    """The per-bin quantities `slo check` derives from raw templates (approximate)."""
    raw = slo.sli.raw
    window_s = max(interval_s, RAW_MIN_WINDOW_S)
    window = promql.dur(window_s)
    note = "raw PromQL templates are evaluated by Prometheus and are approximate"
    if raw.error_ratio is not None:
        minutes = repr(interval_s / 60.0)
        ratio = raw.error_ratio.replace("{{window}}", window).strip()
        return SliExprs(
            total=f"({ratio}) * 0 + {minutes}",
            bad=f"({ratio}) * {minutes}",
            interval_s=interval_s,
            exact=False,
            note=note + "; events are minutes weighted by the error ratio",
        )
    # events over the window scaled to the interval, or events per second times it
    scale = repr(interval_s if raw.unit == "per_second" else interval_s / window_s)
    total = f"sum({raw.total.replace('{{window}}', window).strip()}) * {scale}"
    if raw.bad is not None:
        bad = f"sum({raw.bad.replace('{{window}}', window).strip()}) * {scale}"
    else:
        good = f"sum({raw.good.replace('{{window}}', window).strip()}) * {scale}"
        bad = f"({total}) - ({good})"
    return SliExprs(total=total, bad=bad, interval_s=interval_s, exact=False, note=note)


def slice_interval(slo: Any) -> float | None:
    """The interval an SLO's slices impose on its rules (None: any interval will do)."""
    from slo_cli.plan import slice_length

    return slice_length(slo)


def sli_exprs(slo: Any, interval_s: float, lookback_s: float) -> SliExprs:
    """The per-interval total and bad events of `slo` evaluated every `interval_s` seconds."""
    if not (interval_s > 0 and math.isfinite(interval_s)):
        raise ValueError("the interval must be positive")
    kind = slo.sli.kind
    if kind == "timeslices":
        return _gauge_slices(slo, interval_s)
    if kind == "raw":
        return _raw(slo, interval_s)
    if slo.budgeting == "timeslices":
        return _slices(slo, interval_s, lookback_s)
    if slo.budgeting == "ratio_timeslices":
        return _ratio_slices(slo, interval_s, lookback_s)
    return _occurrences(slo, interval_s, lookback_s)
