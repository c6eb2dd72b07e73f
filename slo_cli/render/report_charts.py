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


def chart_file_names(slos: list[SLOReport]) -> dict[str, str]:
    """Chart file names per SLO key that never collide: ``service--name.svg``, and for SLOs
    whose readable names clash (``a--b``/``c`` and ``a``/``b--c``, or names differing only in
    case, for case-insensitive file systems) the same with a hash of the exact key added."""
    import hashlib

    plain = {s.key: chart_file_name(s) for s in slos}
    counts: dict[str, int] = {}
    for name in plain.values():
        counts[name.lower()] = counts.get(name.lower(), 0) + 1
    out = {}
    for s in slos:
        name = plain[s.key]
        if counts[name.lower()] > 1:
            digest = hashlib.sha256(f"{s.service}\0{s.name}".encode()).hexdigest()[:10]
            name = f"{name[:-4]}.{digest}.svg"
        out[s.key] = name
    return out


def _day_ticks(lo: float, hi: float, zone: Any) -> tuple[list[float], list[str]]:
    """Tick positions (days since the epoch) at local midnights between lo and hi (epoch s),
    every 1, 2, 4, 7, 14 or 28 days so at most 9 are drawn, with ``20 Nov`` labels."""
    from datetime import datetime, timedelta

    first = datetime.fromtimestamp(lo, zone).date()
    last = datetime.fromtimestamp(hi, zone).date()
    span = (last - first).days + 1
    step = next((k for k in (1, 2, 4, 7, 14, 28) if span / k <= 9), 56)
    ticks, labels = [], []
    day = first
    while day <= last:
        t = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        if lo <= t <= hi:
            ticks.append(t / 86400.0)
            labels.append(f"{day.day} {day.strftime('%b')}")
        day += timedelta(days=step)
    return ticks, labels


class _Canvas:
    """One figure, reused for every chart a process draws: creating axes and their ticks costs
    about as much as drawing them. Everything that depends on the SLO is set again in `draw`,
    so a chart's bytes do not depend on the charts drawn before it (tested)."""

    def __init__(self) -> None:
        plt = _pyplot()
        from matplotlib.patches import Patch

        fig, (top, bottom) = plt.subplots(2, 1, figsize=SIZE_IN, sharex=True, height_ratios=(3, 2))
        # fixed margins: tight_layout measures every label and costs ~3/4 of the drawing time
        fig.subplots_adjust(left=0.09, right=0.985, top=0.925, bottom=0.115, hspace=0.1)
        (self.budget,) = top.plot([], [], color=BUDGET_COLOUR, linewidth=1.6)
        zero = top.axhline(0, color=LINE_COLOUR, linewidth=1.0, linestyle="--")
        (self.rate,) = bottom.plot([], [], drawstyle="steps-pre", color=BURN_COLOUR, linewidth=1.2)
        pace = bottom.axhline(1.0, color=LINE_COLOUR, linewidth=1.0, linestyle=":")
        top.set_ylabel("budget remaining (%)")
        bottom.set_ylabel("burn rate (×, hourly)")
        # an explicit y keeps matplotlib from measuring the axes to place the title
        self.title = top.set_title(" ", y=1.0, pad=6)
        # one legend for both panels: legends are among the costliest artists to lay out
        top.legend(
            [
                Patch(color=PERIOD_SHADE, alpha=0.25, linewidth=0),
                self.budget,
                zero,
                self.rate,
                pace,
            ],
            [
                "report period",
                "budget remaining",
                "exhausted (0 %)",
                "burn rate",
                "1× (budget pace)",
            ],
            loc="lower left",
            fontsize=7,
            framealpha=0.9,
            ncols=2,
        )
        self.fig, self.top, self.bottom = fig, top, bottom
        self.spans: list[Any] = []

    def draw(self, report: Report, slo: SLOReport) -> str:
        from zoneinfo import ZoneInfo

        from matplotlib.ticker import FuncFormatter

        top, bottom, period = self.top, self.bottom, report.period
        zone = ZoneInfo(period.timezone)
        c = slo.chart
        x = [t / 86400.0 for t in c.times]
        for span in self.spans:
            span.remove()
        self.spans = [
            ax.axvspan(
                period.start / 86400.0,
                period.end / 86400.0,
                color=PERIOD_SHADE,
                alpha=0.25,
                linewidth=0,
                zorder=0,
            )
            for ax in (top, bottom)
        ]
        remaining = [r * 100 if math.isfinite(r) else math.nan for r in c.remaining]
        self.budget.set_data(x, remaining)
        finite = [r for r in remaining if math.isfinite(r)]
        low = min([0.0, *finite]) if finite else 0.0
        top.set_ylim(min(low * 1.1, -5.0), 105)
        self.title.set_text(
            f"{slo.key}: objective {slo.objective * 100:g} % over {slo.window} — "
            "error budget burn-down"
        )
        burn = [b if math.isfinite(b) else math.nan for b in c.burn_rate]
        self.rate.set_data(x, burn)
        peak = max([b for b in burn if math.isfinite(b)], default=0.0)
        if peak > 20:
            # linear up to 1×, logarithmic above: a 0.2× week and a 200× hour both stay legible
            bottom.set_yscale("symlog", linthresh=1.0, linscale=1.5)
        else:
            bottom.set_yscale("linear")
        bottom.set_ylim(0, max(2.0, peak * (1.6 if peak > 20 else 1.1)))
        bottom.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:g}×"))
        bottom.set_xlabel(f"time ({period.timezone})")
        ticks, labels = _day_ticks(c.times[0], c.times[-1], zone)
        bottom.set_xticks(ticks, labels)
        bottom.set_xlim(x[0], x[-1])
        buf = io.StringIO()
        self.fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
        return _compact(buf.getvalue())


_PATH_DATA = re.compile(r' d="([^"]*)"')
_NUMBER = re.compile(r"-?\d+\.\d+")


def _compact(svg: str) -> str:
    """Path coordinates rounded to 0.1 px (matplotlib writes six decimals): a 200-SLO report
    shrinks by about half and nothing visible changes."""

    def short(m: re.Match[str]) -> str:
        text = f"{float(m.group(0)):.1f}"
        return text[:-2] if text.endswith(".0") else text

    return _PATH_DATA.sub(lambda m: f' d="{_NUMBER.sub(short, m.group(1))}"', svg)


_canvas: _Canvas | None = None


def chart_svg(report: Report, slo: SLOReport) -> str:
    """The SVG text of one SLO's chart (burn-down above, burn rate below).

    x is in days since the epoch (cheaper than matplotlib's date machinery), with ticks at the
    report zone's midnights."""
    global _canvas
    if _canvas is None:
        _canvas = _Canvas()
    return _canvas.draw(report, slo)


#: below this many charts a worker pool costs more than it saves
PARALLEL_MIN_CHARTS = 8


def _chart_batch(args: tuple[Report, list[SLOReport]]) -> list[str]:
    report, slos = args
    return [chart_svg(report, s) for s in slos]


def chart_svgs(report: Report, slos: list[SLOReport]) -> dict[str, str]:
    """SVG text per SLO key. Many charts are drawn by one worker process per CPU (forked, so
    nothing is re-imported): drawing is CPU-bound Python and each chart is independent, so the
    output is the same bytes as drawing them one by one."""
    import os
    import sys

    workers = min(os.cpu_count() or 1, 8)
    if len(slos) < PARALLEL_MIN_CHARTS or workers < 2 or not sys.platform.startswith("linux"):
        return {s.key: chart_svg(report, s) for s in slos}
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    _pyplot()  # import and configure once, before forking
    batches = [slos[i::workers] for i in range(workers)]
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork")) as pool:
        drawn = list(pool.map(_chart_batch, [(report, b) for b in batches]))
    return {
        s.key: svg
        for batch, svgs in zip(batches, drawn, strict=True)
        for s, svg in zip(batch, svgs, strict=True)
    }
