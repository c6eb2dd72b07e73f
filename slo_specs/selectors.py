"""A light syntax check of PromQL vector selectors, for the counter selectors in specs.

Accepts ``metric``, ``metric{label op "value", ...}`` and ``{label op "value", ...}`` with ops
``=``, ``!=``, ``=~``, ``!~``, values quoted with ``"``, ``'`` or backticks, and a trailing comma.
It checks shape, not semantics (regex syntax and label existence are Prometheus' business), and
answers with a short message naming the first thing that is wrong.
"""

from __future__ import annotations

import functools
import re

METRIC_NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_OPS = ("=~", "!~", "!=", "=")


def _skip_space(text: str, i: int) -> int:
    while i < len(text) and text[i].isspace():
        i += 1
    return i


def _string_end(text: str, i: int) -> int:
    """Index after the quoted string at ``text[i]``, or -1 when unterminated."""
    quote = text[i]
    i += 1
    while i < len(text):
        if text[i] == "\\" and quote != "`":
            i += 2
            continue
        if text[i] == quote:
            return i + 1
        if text[i] == "\n" and quote != "`":
            return -1
        i += 1
    return -1


def _matchers(text: str, i: int) -> tuple[int, str | None]:
    """Parse ``{...}`` starting at ``text[i] == "{"``; returns (index after it, error or None)."""
    i = _skip_space(text, i + 1)
    while True:
        if i >= len(text):
            return i, "unclosed '{'"
        if text[i] == "}":
            return i + 1, None
        name = LABEL_NAME.match(text, i)
        if not name:
            return i, f"expected a label name at position {i + 1}"
        i = _skip_space(text, name.end())
        op = next((o for o in _OPS if text.startswith(o, i)), None)
        if op is None:
            return i, f"expected one of = != =~ !~ after label {name.group()!r}"
        i = _skip_space(text, i + len(op))
        if i >= len(text) or text[i] not in "\"'`":
            return i, f"expected a quoted value after {name.group()}{op}"
        end = _string_end(text, i)
        if end < 0:
            return i, f"unterminated string for label {name.group()!r}"
        i = _skip_space(text, end)
        if i < len(text) and text[i] == ",":
            i = _skip_space(text, i + 1)
        elif i < len(text) and text[i] != "}":
            return i, f"expected ',' or '}}' at position {i + 1}"


@functools.lru_cache(maxsize=4096)
def selector_problem(
    text: str, *, allow_metric: bool = True, require_metric: bool = False
) -> str | None:
    """Why ``text`` is not a vector selector, or None when it is one (remembered per text).

    >>> selector_problem('http_requests_total{code=~"5..", service="checkout"}') is None
    True
    >>> selector_problem('rate(http_requests_total[5m])')
    "not a vector selector: unexpected '(' at position 5"
    """
    stripped = text.strip()
    if not stripped:
        return "must not be empty"
    i = 0
    metric = METRIC_NAME.match(stripped)
    if metric:
        if not allow_metric:
            return 'write only the label matchers here, like {service="x"} (no metric name)'
        i = metric.end()
    elif require_metric:
        return "must start with a metric name"
    i = _skip_space(stripped, i)
    if i < len(stripped) and stripped[i] == "{":
        i, error = _matchers(stripped, i)
        if error:
            return f"not a vector selector: {error}"
        i = _skip_space(stripped, i)
    elif not metric:
        return f"not a vector selector: unexpected {stripped[0]!r} at position 1"
    if i < len(stripped):
        return f"not a vector selector: unexpected {stripped[i]!r} at position {i + 1}"
    return None


def metric_name_problem(text: str) -> str | None:
    """Why ``text`` is not a bare metric name, or None.

    >>> metric_name_problem("http_request_duration_seconds") is None
    True
    """
    if METRIC_NAME.fullmatch(text.strip()):
        return None
    return f"not a metric name: {text!r} (letters, digits, '_' and ':', no selector)"
