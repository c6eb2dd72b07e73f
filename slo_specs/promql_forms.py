"""Recognise the few PromQL shapes of foreign formats (OpenSLO, Sloth) that are exact counters.

Only three shapes matter: a plain vector selector (``metric{label="v"}``), its ``sum(...)``, and a
sum of its rate or increase over the templated window (``sum(rate(metric{...}[{{.window}}]))``).
When a query has one of these shapes, the SLI can be computed from exact counter increases instead
of evaluating the foreign query as an opaque, approximate expression. Everything else stays a raw
query. Each function answers ``None`` unless it is sure, which is always safe: the caller falls
back to a raw SLI.
"""

from __future__ import annotations

import re

from slo_specs.selectors import selector_problem

# Go-template spellings of the Sloth window placeholder: {{.window}}, {{ .window }}, {{- .window -}}
SLOTH_WINDOW = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")


def plain_selector(query: str) -> str | None:
    """The query itself (trimmed) when it is exactly one vector selector, else ``None``.

    >>> plain_selector(' http_requests_total{code=~"5..", service="checkout"} ')
    'http_requests_total{code=~"5..", service="checkout"}'
    >>> plain_selector('sum(http_requests_total)') is None
    True
    """
    text = query.strip()
    return text if selector_problem(text) is None else None


# `.*` is greedy, so the range is the last `[...]`: label values such as code=~"[45].." stay
# inside the selector.
_SUM_RATE = re.compile(
    r"\s*sum\s*\(\s*(?:rate|increase)\s*\((?P<sel>.*)\[(?P<win>[^\[\]]*)\]\s*\)\s*\)\s*",
    re.DOTALL,
)


def sum_rate_selector(query: str, window: re.Pattern[str] = SLOTH_WINDOW) -> str | None:
    """The selector inside ``sum(rate(SEL[WINDOW]))`` (or ``increase``), else ``None``.

    ``window`` must match the whole range inside the brackets: the templated window placeholder.
    Grouping (``sum by (...)``) is refused on purpose: a grouped sum is not one number.

    >>> sum_rate_selector('sum(rate(http_requests_total{code=~"[45].."}[{{.window}}]))')
    'http_requests_total{code=~"[45].."}'
    >>> sum_rate_selector('sum(rate(a[5m])) / 2') is None
    True
    """
    m = _SUM_RATE.fullmatch(query)
    if not m or not window.fullmatch(m.group("win").strip()):
        return None
    return plain_selector(m.group("sel"))


_SUM_OF = re.compile(r"\s*sum\s*\((?P<inner>.*)\)\s*", re.DOTALL)


def summed_selector(query: str) -> str | None:
    """The selector when the query is a selector or ``sum(selector)``, else ``None``.

    Summing counters before taking their increase hides resets, so the caller counts the
    selector's series one by one and adds them up instead; the grand total is the same number.

    >>> summed_selector('sum(http_requests_total{service="checkout"})')
    'http_requests_total{service="checkout"}'
    >>> summed_selector('http_requests_total')
    'http_requests_total'
    """
    direct = plain_selector(query)
    if direct is not None:
        return direct
    m = _SUM_OF.fullmatch(query)
    return plain_selector(m.group("inner")) if m else None


# rate(<selector>[{{window}}]) with a selector free of brackets and parentheses
_RATE_OVER_WINDOW = re.compile(r"\brate(\s*\(\s*[^()\[\]]*?\[\s*\{\{window\}\}\s*\]\s*\))")


def rates_to_increases(template: str) -> str:
    """``rate(x[{{window}}])`` → ``increase(x[{{window}}])`` in an events template.

    Sloth's events queries count per second (``rate``), but bad/total templates must give event
    counts: bins of different widths are added up, and a per-second rate would weigh a one-hour
    bin like a one-minute one. In PromQL ``increase`` is exactly ``rate`` times the range, so
    this changes the unit and nothing else. Rates over other ranges are left alone.

    >>> rates_to_increases("sum(rate(a_total[{{window}}])) - sum(irate(b[5m]))")
    'sum(increase(a_total[{{window}}])) - sum(irate(b[5m]))'
    """
    return _RATE_OVER_WINDOW.sub(r"increase\1", template)
