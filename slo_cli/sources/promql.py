"""PromQL text for exact per-bin event counts, reset/new-series flags and histogram buckets.

The exact count of a counter selector X in a bin (t - S, t] is, per series, the difference of
its last values at t and at t - S (each looked back at most `L` seconds, to bridge scrape gaps),
or the last value itself when it went down (a reset) — summed over series *after* the
per-series difference (prometheus.md, "An exact, server-side method"). It is exact except in a
bin where a series resets and then grows past its old value, or holds a reset and its earlier
increase, or appears for the first time; `flag_expr` finds those bins so the source can count
them from raw samples instead.
"""

from __future__ import annotations

import functools
import json
import re


def dur(seconds: float) -> str:
    """PromQL duration for whole milliseconds: 3600 -> '3600s', 0.5 -> '500ms'."""
    ms = round(seconds * 1000)
    return f"{ms // 1000}s" if ms % 1000 == 0 else f"{ms}ms"


def exact_expr(selector: str, step_s: float, lookback_s: float, by: str = "") -> str:
    """Exact events per bin of `step_s` seconds ending at each evaluation instant, from each
    series' last value at the bin end and at its start (looked back `lookback_s`)."""
    now = f"last_over_time({selector}[{dur(lookback_s)}])"
    before = f"last_over_time({selector}[{dur(lookback_s)}] offset {dur(step_s)})"
    return f"sum{by}(({now} - {before}) >= 0 or ({now} and ({now} - {before}) < 0))"


def flag_expr(selector: str, step_s: float, lookback_s: float, by: str = "") -> str:
    """Series per bin whose exact_expr term may be wrong: a reset between the bin's baseline
    and its end (resets over the bin plus the lookback, which holds the baseline), or samples
    in the bin without both last values (a new series, a gap longer than the lookback before
    the bin or at its end). Costs two scans of the bin's samples; absent when nothing is flagged."""
    s, lb = dur(step_s), dur(lookback_s)
    now = f"last_over_time({selector}[{lb}])"
    before = f"last_over_time({selector}[{lb}] offset {s})"
    return (
        f"count{by}((resets({selector}[{dur(step_s + lookback_s)}]) > 0)"
        f" or (last_over_time({selector}[{s}]) unless ({now} and {before})))"
    )


def tag(expr: str, part: str) -> str:
    """Mark an expression's series with __slo_part=<part>, so several parts share one query."""
    return f'label_replace({expr}, "__slo_part", "{part}", "", "")'


def union(parts: dict[str, str]) -> str:
    """One query answering several tagged expressions."""
    return " or ".join(tag(expr, name) for name, expr in parts.items())


_SELECTOR = re.compile(r"^\s*(?P<name>[a-zA-Z_:][a-zA-Z0-9_:]*)?\s*(?:\{(?P<body>.*)\})?\s*$", re.S)


def add_matcher(selector: str, metric: str | None, matcher: str) -> str:
    """`{a="b"}` + name + `le=~"…"` -> `name{a="b",le=~"…"}` (selector may carry its own name)."""
    m = _SELECTOR.match(selector or "")
    if not m:
        raise ValueError(f"not a vector selector: {selector!r}")
    name = metric or m.group("name") or ""
    body = (m.group("body") or "").strip().rstrip(",")
    inner = ",".join(p for p in (body, matcher) if p)
    return f"{name}{{{inner}}}" if inner else name


def le_regex(spellings: list[str]) -> str:
    """Regex matching exactly these `le` label values, escaped for a double-quoted PromQL string."""
    return "|".join(re.escape(s) for s in sorted(spellings)).replace("\\", "\\\\")


def parse_le(value: str) -> float | None:
    """An `le` label value as a float ("+Inf" included), None when it is not a number."""
    try:
        return float(value)
    except ValueError:
        return None


_MATCHER = re.compile(
    r"""\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')\s*(?:,|$)"""
)


@functools.lru_cache(maxsize=4096)
def parse_selector(selector: str) -> tuple[str, tuple[tuple[str, str, str], ...]] | None:
    """`name{a="b", c=~"d"}` -> ("name", (("a", "=", "b"), ("c", "=~", "d"))), or None when it
    is not a plain vector selector (then nothing is shared and the server evaluates it).
    Remembered (the answer is immutable): every SLO's counters ask for the same few pairs."""
    m = _SELECTOR.match(selector or "")
    if not m or not m.group("name"):
        return None
    body = (m.group("body") or "").strip()
    matchers = []
    pos = 0
    while pos < len(body):
        mm = _MATCHER.match(body, pos)
        if not mm:
            return None
        raw = mm.group(3)
        try:
            value = json.loads('"' + raw[1:-1].replace("\\'", "'") + '"')
        except ValueError:
            return None
        matchers.append((mm.group(1), mm.group(2), str(value)))
        pos = mm.end()
    return m.group("name"), tuple(matchers)


@functools.lru_cache(maxsize=4096)
def extra_matchers(sub: str, sup: str) -> tuple[tuple[str, str, str], ...] | None:
    """The matchers `sub` adds to `sup` when `sub` selects a subset of `sup`'s series (same
    metric, all of `sup`'s matchers), else None. Remembered, as parse_selector."""
    a, b = parse_selector(sub), parse_selector(sup)
    if a is None or b is None or a[0] != b[0] or not set(b[1]) <= set(a[1]):
        return None
    extra = tuple(m for m in a[1] if m not in b[1])
    for _, op, value in extra:
        if op in ("=~", "!~"):
            try:
                re.compile(value)
            except re.error:
                return None
    return extra


def matches(labels: dict[str, str], matchers: tuple[tuple[str, str, str], ...]) -> bool:
    """PromQL label matching (regexes fully anchored; a missing label is the empty string)."""
    for name, op, value in matchers:
        have = labels.get(name, "")
        if op == "=" and have != value:
            return False
        if op == "!=" and have == value:
            return False
        if op == "=~" and not re.fullmatch(value, have):
            return False
        if op == "!~" and re.fullmatch(value, have):
            return False
    return True
