"""Recognise the PromQL shapes of foreign formats (OpenSLO, Sloth) that are sums of counters.

A query such as ``sum by (host) (rate(a{code=~"(5..|429)"}[{{.window}}])) + sum by (host)
(rate(b[{{.window}}]))`` counts, per group, the events of counters ``a`` and ``b``: slo can count
those exactly (reset-aware increases of each selector) instead of evaluating the query as an
opaque, approximate expression. :func:`counter_form` reads the few constructs this takes:

* vector selectors (parentheses, braces and brackets inside quoted label values are text);
* ``rate``, ``irate`` and ``increase`` of a selector over any range (``[{{.window}}]``, ``[5m]``);
* ``sum(...)``, ``sum by (labels) (...)`` and ``sum(...) by (labels)``, nested in any way;
* ``+`` and ``-`` between terms that have the same grouping, parentheses around anything;
* a trailing ``or vector(0)`` / ``OR on() vector(0)`` (no series means no events).

Anything else (``*``, ``/``, other functions, ``offset``, ``without``, subqueries) answers
``None``, which is always safe: the caller falls back to an approximate raw query.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Literal

from slo_specs.selectors import LABEL_NAME, METRIC_NAME, selector_problem

# Go-template spellings of the Sloth window placeholder: {{.window}}, {{ .window }}, {{- .window -}}
SLOTH_WINDOW = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")

Kind = Literal["value", "rate", "increase"]
"""What a term counts: a counter's value (bare selector), per second (rate, irate), or events."""


@dataclass(frozen=True)
class CounterForm:
    """A query read as ``± selector ± selector ...``, each term of one kind, and its grouping.

    ``by`` is the label names of the result's groups (``()`` for one total), or ``None`` when
    the query was not aggregated at all (each series on its own; callers add the series up).
    """

    terms: tuple[tuple[int, str], ...]
    kind: Kind
    by: tuple[str, ...] | None

    @property
    def expression(self) -> str:
        """The counters as a selector sum, the form ratio SLIs take: ``a{x="1"} - b``."""
        out = ""
        for sign, selector in self.terms:
            if not out:
                out = selector if sign > 0 else f"-{selector}"
            else:
                out += f" {'+' if sign > 0 else '-'} {selector}"
        return out


class _NotCounters(Exception):
    """The query is outside the shapes read here."""


_FUNCS: dict[str, Kind] = {"rate": "rate", "irate": "rate", "increase": "increase"}
_OR_ZERO = re.compile(r"\s+or\s+(?:on\s*\(\s*\)\s*)?vector\s*\(\s*0(?:\.0*)?\s*\)\s*$", re.I)


@dataclass
class _Term:
    terms: list[tuple[int, str]]
    kind: Kind
    by: frozenset[str] | None


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.i = 0

    # ---- tokens ------------------------------------------------------------------------------

    def skip(self) -> None:
        while self.i < len(self.text) and self.text[self.i].isspace():
            self.i += 1

    def peek(self, literal: str) -> bool:
        self.skip()
        return self.text.startswith(literal, self.i)

    def expect(self, literal: str) -> None:
        if not self.peek(literal):
            raise _NotCounters(f"expected {literal!r} at {self.i + 1}")
        self.i += len(literal)

    def word(self) -> str | None:
        self.skip()
        m = METRIC_NAME.match(self.text, self.i)
        return m.group() if m else None

    # ---- grammar -----------------------------------------------------------------------------

    def expr(self) -> _Term:
        left = self.primary()
        while self.peek("+") or self.peek("-"):
            sign = 1 if self.text[self.i] == "+" else -1
            self.i += 1
            right = self.primary()
            if right.kind != left.kind or right.by != left.by:
                raise _NotCounters("terms of different kinds or groupings")
            left.terms += [(sign * s, sel) for s, sel in right.terms]
        return left

    def primary(self) -> _Term:
        if self.peek("("):
            self.i += 1
            inner = self.expr()
            self.expect(")")
            return inner
        name = self.word()
        if name == "sum":
            return self.aggregation()
        if name in _FUNCS:
            save = self.i
            self.i += len(name)
            if self.peek("("):
                return self.call(_FUNCS[name])
            self.i = save
        return _Term([(1, self.selector())], "value", None)

    def labels(self) -> frozenset[str]:
        self.expect("(")
        names: list[str] = []
        while not self.peek(")"):
            m = LABEL_NAME.match(self.text, self.i)
            if not m:
                raise _NotCounters("expected a label name")
            names.append(m.group())
            self.i = m.end()
            if self.peek(","):
                self.i += 1
        self.expect(")")
        return frozenset(names)

    def grouping(self) -> frozenset[str] | None:
        name = self.word()
        if name is None or name.lower() not in ("by", "without"):
            return None
        if name.lower() == "without":
            raise _NotCounters("'without' groups by labels that are not known here")
        self.i += len(name)
        return self.labels()

    def aggregation(self) -> _Term:
        self.i += len("sum")
        by = self.grouping()
        self.expect("(")
        inner = self.expr()
        self.expect(")")
        after = self.grouping()
        if by is not None and after is not None:
            raise _NotCounters("two groupings")
        chosen = by if by is not None else after if after is not None else frozenset()
        inner.by = chosen if inner.by is None else chosen & inner.by
        return inner

    def call(self, kind: Kind) -> _Term:
        self.expect("(")
        selector = self.selector()
        self.expect("[")
        end = self.text.find("]", self.i)
        if end < 0 or ":" in self.text[self.i : end]:  # a subquery is not a counter's range
            raise _NotCounters("expected a range")
        self.i = end + 1
        self.expect(")")
        return _Term([(1, selector)], kind, None)

    def selector(self) -> str:
        """A vector selector: a metric name and/or braces, quoted values skipped as text."""
        self.skip()
        start = self.i
        m = METRIC_NAME.match(self.text, self.i)
        if m:
            if m.group().lower() in ("by", "without", "or", "and", "unless", "offset", "bool"):
                raise _NotCounters("a keyword is not a selector")
            self.i = m.end()
        if self.peek("{"):
            self.i = _braces_end(self.text, self.i)
        elif not m:
            raise _NotCounters(f"expected a selector at {self.i + 1}")
        text = self.text[start : self.i].strip()
        if selector_problem(text) is not None:
            raise _NotCounters("not a selector")
        return text


def _braces_end(text: str, i: int) -> int:
    """Index after the ``}`` that closes the ``{`` at ``text[i]``, skipping quoted strings."""
    i += 1
    while i < len(text):
        c = text[i]
        if c in "\"'`":
            j = i + 1
            while j < len(text) and text[j] != c:
                j += 2 if text[j] == "\\" and c != "`" else 1
            i = j + 1
            continue
        if c == "}":
            return i + 1
        i += 1
    raise _NotCounters("unclosed '{'")


def counter_form(query: str) -> CounterForm | None:
    """The counters a query sums, or ``None`` when it is anything else.

    >>> f = counter_form('sum(rate(a{code=~"(5..|429)"}[{{.window}}])) + sum(rate(b[{{.window}}]))')
    >>> f.expression, f.kind, f.by
    ('a{code=~"(5..|429)"} + b', 'rate', ())
    >>> counter_form('sum by (host) (increase(x[5m]))').by
    ('host',)
    >>> counter_form('sum(rate(a[5m])) / 2') is None
    True
    """
    text = SLOTH_WINDOW.sub("{{window}}", query).strip()
    text = _OR_ZERO.sub("", text)
    parser = _Parser(text)
    try:
        term = parser.expr()
        parser.skip()
        if parser.i != len(text):
            return None
    except _NotCounters:
        return None
    if not any(sign > 0 for sign, _ in term.terms):
        return None
    by = None if term.by is None else tuple(sorted(term.by))
    return CounterForm(tuple(term.terms), term.kind, by)


def plain_selector(query: str) -> str | None:
    """The query itself (trimmed) when it is exactly one vector selector, else ``None``.

    >>> plain_selector(' http_requests_total{code=~"5..", service="checkout"} ')
    'http_requests_total{code=~"5..", service="checkout"}'
    >>> plain_selector('sum(http_requests_total)') is None
    True
    """
    text = query.strip()
    return text if selector_problem(text) is None else None


_PER_SECOND = re.compile(r"\b(?:i?rate|deriv)\s*\(")
_PER_WINDOW = re.compile(r"\b(?:increase|\w+_over_time|changes|resets|delta)\s*\(")


def per_second(query: str) -> bool:
    """Whether a query that is not a counter form counts per second (its rates) rather than
    over the window (``increase``, ``*_over_time``): when it holds both, or neither, events
    over the window are assumed. Used only for approximate evaluation.

    >>> per_second('1 - sum(rate(a[{{window}}])) / sum(rate(b[{{window}}]))')
    True
    >>> per_second('sum_over_time((count(x < 0.5))[{{window}}:]) or on() vector(0)')
    False
    """
    return bool(_PER_SECOND.search(query)) and not _PER_WINDOW.search(query)


@functools.lru_cache(maxsize=4096)
def selector_terms(text: str) -> tuple[tuple[int, str], ...] | None:
    """The signed selectors of a counter sum as ratio SLIs write it (``a{x="1"} + b - c``),
    or ``None`` when ``text`` is not one. Remembered (the answer is immutable): specs and
    every count of an SLO ask again for the same texts.

    >>> selector_terms('a{code=~"(5..|429)"} + b - c')
    ((1, 'a{code=~"(5..|429)"}'), (1, 'b'), (-1, 'c'))
    >>> selector_terms('sum(a)') is None
    True
    """
    form = counter_form(text)
    if form is None or form.kind != "value" or form.by is not None:
        return None
    return form.terms
