"""A terminal sparkline of hourly burn rates (`slo check --details`): one block character per
hour, scaled to the highest burn shown, so a 2-hour page stands out among quiet hours."""

from __future__ import annotations

import math
from collections.abc import Sequence

#: the eight block heights, lowest first
BLOCKS = "▁▂▃▄▅▆▇█"
#: an hour without traffic (no burn rate)
NO_DATA = " "


def sparkline(burns: Sequence[float]) -> str:
    """One character per burn rate: ▁ for 0 up to █ for the highest (an hour at the highest
    burn is always █); a space for an hour without traffic. Scaled to max(highest, 1), so a
    series that never reaches the budget rate (burn 1) stays low.

    >>> sparkline([0.0, 0.5, 1.0, 2.0, 4.0, 8.0, float("nan"), 8.0])
    '▁▁▁▂▄█ █'
    >>> sparkline([0.1, 0.2, 0.4])
    '▁▂▄'
    """
    finite = [b for b in burns if math.isfinite(b)]
    top = max([1.0, *finite])
    out = []
    for b in burns:
        if math.isnan(b):
            out.append(NO_DATA)
        elif math.isinf(b):
            out.append(BLOCKS[-1])
        else:
            level = math.ceil(max(b, 0.0) / top * len(BLOCKS)) - 1
            out.append(BLOCKS[min(max(level, 0), len(BLOCKS) - 1)])
    return "".join(out)


def burn_sparkline_line(burns: Sequence[float]) -> str:
    """``burn, last 24 h (hourly): ▁▁▂…█ max 37.7× (scale 0 … 37.7×)``, or "" without hours."""
    if not burns:
        return ""
    finite = [b for b in burns if math.isfinite(b)]
    top = max(finite) if finite else math.nan
    peak = "no traffic" if not finite else f"max {top:.3g}×"
    scale = max([1.0, *finite])
    gaps = " (blank: no traffic)" if any(math.isnan(b) for b in burns) else ""
    return (
        f"burn, last {len(burns)} h (hourly, oldest first): {sparkline(burns)} "
        f"{peak}, █ = {scale:.3g}×{gaps}"
    )
