"""Charts for `slo report`: one SVG per SLO with the budget burn-down and the burn rate.

matplotlib is imported only here, and this module only when charts are drawn (HTML reports and
`--charts DIR`). Output is deterministic: the Agg-free SVG backend, a fixed hash salt for clip
ids, no date/creator metadata, text kept as text with a fixed font family. Charts have their own
white background, so they read the same in light and dark viewers.
"""

from __future__ import annotations

import io
import math
import re
from typing import Any

from slo_cli.report.model import Report, SLOReport

#: chart size in inches (at 100 dpi: 760 × 420 px)
SIZE_IN = (7.6, 4.2)
#: colours readable on the chart's white background and by people with a red-green deficiency
BUDGET_COLOUR = "#1f5fbf"
BURN_COLOUR = "#c2410c"
PERIOD_SHADE = "#f5c542"
LINE_COLOUR = "#444444"

_matplotlib: Any = None


def _pyplot() -> Any:
    """matplotlib.pyplot with the SVG backend and deterministic settings (imported once)."""
    global _matplotlib
    if _matplotlib is None:
        import matplotlib

        matplotlib.use("svg", force=True)
        import matplotlib.pyplot as plt

        plt.rcParams.update(
            {
                "svg.hashsalt": "slo-report",
                "svg.fonttype": "none",
                "font.family": "DejaVu Sans",
                "font.size": 9,
                "axes.titlesize": 10,
                "figure.facecolor": "white",
                "axes.facecolor": "white",
                "savefig.facecolor": "white",
                "axes.grid": True,
                "grid.color": "#dddddd",
                "grid.linewidth": 0.6,
            }
        )
        _matplotlib = plt
    return _matplotlib


def chart_file_name(slo: SLOReport) -> str:
    """A file name for the SLO's chart: ``service--name.svg`` with unsafe characters replaced."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "_", f"{slo.service}--{slo.name}")
    return f"{safe}.svg"


def chart_svg(report: Report, slo: SLOReport) -> str:
    """The SVG text of one SLO's chart (burn-down above, burn rate below)."""
    plt = _pyplot()
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import matplotlib.dates as mdates
    from matplotlib.ticker import FuncFormatter

    zone = ZoneInfo(report.period.timezone)
    c = slo.chart
    x = [datetime.fromtimestamp(t, zone) for t in c.times]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=SIZE_IN, sharex=True, height_ratios=(3, 2))
    try:
        period = report.period
        for ax in (top, bottom):
            ax.axvspan(
                datetime.fromtimestamp(period.start, zone),
                datetime.fromtimestamp(period.end, zone),
                color=PERIOD_SHADE,
                alpha=0.25,
                linewidth=0,
                label="report period",
            )
        remaining = [r * 100 if math.isfinite(r) else math.nan for r in c.remaining]
        top.plot(x, remaining, color=BUDGET_COLOUR, linewidth=1.6, label="budget remaining")
        top.axhline(0, color=LINE_COLOUR, linewidth=1.0, linestyle="--", label="exhausted (0 %)")
        top.set_ylabel("budget remaining (%)")
        finite = [r for r in remaining if math.isfinite(r)]
        low = min([0.0, *finite]) if finite else 0.0
        top.set_ylim(min(low * 1.1, -5.0), 105)
        top.set_title(
            f"{slo.key}: objective {slo.objective * 100:g} % over {slo.window} — "
            "error budget burn-down"
        )
        top.legend(loc="lower left", fontsize=7, framealpha=0.9)

        burn = [b if math.isfinite(b) else math.nan for b in c.burn_rate]
        bottom.step(x, burn, where="pre", color=BURN_COLOUR, linewidth=1.2, label="burn rate")
        bottom.axhline(
            1.0, color=LINE_COLOUR, linewidth=1.0, linestyle="--", label="1× (budget pace)"
        )
        finite_burn = [b for b in burn if math.isfinite(b)]
        peak = max(finite_burn, default=0.0)
        if peak > 20:
            # linear up to 1×, logarithmic above: a 0.2× week and a 200× hour both stay legible
            bottom.set_yscale("symlog", linthresh=1.0, linscale=1.5)
        bottom.set_ylim(0, max(2.0, peak * (1.6 if peak > 20 else 1.1)))
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}×"))
        bottom.set_ylabel("burn rate (×, per hour)")
        bottom.set_xlabel(f"time ({report.period.timezone})")
        bottom.legend(loc="upper left", fontsize=7, framealpha=0.9)
        bottom.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=zone))
        bottom.xaxis.set_major_locator(mdates.AutoDateLocator(tz=zone, maxticks=10))
        # fixed margins: tight_layout measures every label and costs ~3/4 of the drawing time
        fig.subplots_adjust(left=0.09, right=0.985, top=0.925, bottom=0.115, hspace=0.1)
        buf = io.StringIO()
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    finally:
        plt.close(fig)
    return buf.getvalue()
