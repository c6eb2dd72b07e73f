"""Human formatting of numbers with units. Rendering only: nothing here computes a result."""

from __future__ import annotations

import math

_UNITS = (("y", 365 * 86400), ("d", 86400), ("h", 3600), ("m", 60))


def human_duration(seconds: float, *, parts: int = 3) -> str:
    """A duration for people: at most ``parts`` units, seconds with up to 3 decimals.

    >>> human_duration(2592.0)
    '43m 12s'
    >>> human_duration(86.4)
    '1m 26.4s'
    >>> human_duration(8.64)
    '8.64s'
    >>> human_duration(180000.0)
    '2d 2h'
    >>> human_duration(math.inf), human_duration(0)
    ('∞', '0s')
    """
    if math.isnan(seconds):
        return "—"
    if math.isinf(seconds):
        return "∞" if seconds > 0 else "-∞"
    sign = "-" if seconds < 0 else ""
    # round to the millisecond first so 2591.9999999 reads as 43m 12s
    rest = round(abs(seconds) * 1000) / 1000
    out: list[str] = []
    for name, size in _UNITS:
        if rest >= size and len(out) < parts:
            n = int(rest // size)
            rest = round(rest - n * size, 3)
            out.append(f"{n}{name}")
    if (rest > 0 and len(out) < parts) or not out:
        out.append(f"{rest:.3f}".rstrip("0").rstrip(".") + "s")
    return sign + " ".join(out)


def percent(ratio: float, digits: int = 3) -> str:
    """A ratio as a percentage with up to ``digits`` decimals, trailing zeros dropped.

    >>> percent(0.999), percent(0.0010000000000000009), percent(0.5, 1)
    ('99.9%', '0.1%', '50%')
    """
    if math.isnan(ratio):
        return "—"
    text = f"{ratio * 100:.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}%"


def number(x: float, digits: int = 4) -> str:
    """A plain number with up to ``digits`` decimals, trailing zeros dropped.

    >>> number(14.4), number(6.0), number(2592.0000000000023)
    ('14.4', '6', '2,592')
    """
    if math.isnan(x):
        return "—"
    if math.isinf(x):
        return "∞" if x > 0 else "-∞"
    return f"{x:,.{digits}f}".rstrip("0").rstrip(".")
