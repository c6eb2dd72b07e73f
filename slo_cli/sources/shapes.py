"""The shape of a successful answer's `data`, checked before anything reads it.

A server (or a proxy, or a fuzzer) can answer `status: success` with anything inside. Every
shape the readers rely on is checked here, so a malformed answer is a source error (exit 3)
naming what is wrong, never a crash deeper down (exit 70).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from slo_cli.sources import errors as E

#: more than this many characters in one sample value or timestamp is not a number we read
_MAX_NUMBER_CHARS = 64
#: where a checked series keeps its samples as arrays (set on every checked series, so a key
#: of that name sent by a server is overwritten before anything reads it)
ARRAYS = "__slo_arrays"
_NUMBER_TYPES = frozenset((int, float))


def check_data(data: Any, query: str | None, url: str) -> None:
    """Raise BadResponseError unless `data` is a well-formed vector, matrix, scalar, string
    or list of label values."""
    problem = _problem(data)
    if problem:
        raise E.BadResponseError(
            f"malformed answer from {url}: {problem}",
            status=200,
            query=query,
            hint="the server or a proxy in between sent an answer Prometheus never sends",
        )


def _problem(data: Any) -> str | None:
    if isinstance(data, list):  # label values, series
        return (
            None if all(isinstance(v, str | dict) for v in data) else "a list entry is not a string"
        )
    if data is None:
        return "no `data`"
    if not isinstance(data, dict):
        return "`data` is not an object"
    kind = data.get("resultType")
    result = data.get("result")
    if kind == "matrix":
        if not isinstance(result, list):
            return "`result` is not a list"
        return next((p for s in result if (p := _series(s, "values"))), None)
    if kind == "vector":
        if not isinstance(result, list):
            return "`result` is not a list"
        return next((p for s in result if (p := _series(s, "value"))), None)
    if kind in ("scalar", "string"):
        return _sample(result)
    return f"unknown resultType {str(kind)[:40]!r}"


def _series(series: Any, key: str) -> str | None:
    if not isinstance(series, dict):
        return "a series is not an object"
    if "metric" not in series:
        return "a series has no `metric`"
    if key not in series and "histograms" not in series and "histogram" not in series:
        return f"a series has no `{key}`"
    metric = series["metric"]
    if not isinstance(metric, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in metric.items()
    ):
        return "a series' labels are not strings"
    if key == "value":
        return _sample(series.get("value"))
    values = series.get("values", [])
    if "histograms" in series and "values" not in series:
        return "native histogram samples where float samples were expected"
    if not isinstance(values, list):
        return "a series' `values` is not a list"
    got = _arrays(values)
    if isinstance(got, str):
        return got
    series[ARRAYS] = got
    return None


def arrays(series: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """(times, values) of a checked matrix series as float arrays, in the answer's order."""
    got = series.get(ARRAYS)
    if got is None:  # not checked (an empty `values`, or a caller that skipped check_data)
        got = _arrays(series.get("values") or [])
        if isinstance(got, str):
            raise E.BadResponseError(f"malformed answer: {got}")
    return got


def _arrays(rows: list[Any]) -> tuple[np.ndarray, np.ndarray] | str:
    """The samples as whole arrays, checked without a Python loop per point (type and length
    sets are built in C), or the problem; the per-point check only words an error."""
    if not rows:
        return np.empty(0), np.empty(0)
    if set(map(type, rows)) != {list}:
        return next(p for r in rows if (p := _sample(r)))
    try:
        ts, vs = zip(*rows, strict=True)
    except ValueError:  # not every row a pair
        return next(p for r in rows if (p := _sample(r)))
    if not set(map(type, ts)) <= _NUMBER_TYPES:
        return next(p for r in rows if (p := _sample(r)))
    if set(map(type, vs)) != {str} or max(map(len, vs)) > _MAX_NUMBER_CHARS:
        return next(p for r in rows if (p := _sample(r)))
    got = sample_arrays(ts, vs)
    if got is None:  # a value that is not a number, or a time that is not finite: which one
        return next((p for r in rows if (p := _sample(r))), "a sample is not a number")
    return got


def sample_arrays(ts: Sequence[float], vs: Sequence[str]) -> tuple[np.ndarray, np.ndarray] | None:
    """Times and value texts of type-checked samples as float arrays; None when a value is not
    a number or a time is not finite (also slo_cli.sources.fastjson's conversion)."""
    try:
        t = np.array(ts, dtype=np.float64)
        # float() per text, as numpy's own conversion of a text does, without its overhead
        v = np.fromiter(map(float, vs), np.float64, len(vs))
    except (ValueError, OverflowError):
        return None
    return (t, v) if np.isfinite(t).all() else None


def _sample(sample: Any) -> str | None:
    if not isinstance(sample, list) or len(sample) != 2:
        return "a sample is not a [time, value] pair"
    t, v = sample
    try:
        finite = math.isfinite(t)
    except (TypeError, OverflowError):
        finite = False
    if isinstance(t, bool) or not isinstance(t, int | float) or not finite:
        return "a sample's time is not a finite number"
    if not isinstance(v, str) or len(v) > _MAX_NUMBER_CHARS:
        return "a sample's value is not a number in a string"
    try:
        float(v)
    except ValueError:
        return f"a sample's value {v[:20]!r} is not a number"
    return None


def vector_of(data: Any, query: str) -> list[tuple[Mapping[str, str], float]]:
    """(labels, value) of each series of a checked instant-vector answer. The labels are the
    answer's own (read-only: an answer may be shared by several SLOs, share.py)."""
    if not isinstance(data, dict) or data.get("resultType") != "vector":
        raise E.BadResponseError("expected an instant vector", query=query[:300])
    return [
        (series.get("metric") or {}, float(value[1]))
        for series in data.get("result") or []
        if (value := series.get("value")) is not None
    ]
