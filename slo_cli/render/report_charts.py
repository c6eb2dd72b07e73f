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
from dataclasses import dataclass
from typing import Any

from slo_cli.report.model import Report, SLOReport


@dataclass(frozen=True)
class Layout:
    """One chart shape. The HTML report carries both: `WIDE` for laptops and wider, `NARROW` for
    phones (shown by a CSS media query), each drawn for the width it is shown at, so text stays
    about 11-12 px on screen; `--charts DIR` writes `WIDE`.

    size_in is the figure size in inches (SVG units are points: 72 per inch, shown as 96 CSS px
    per inch at scale 1); margins are figure fractions; max_ticks bounds the date labels."""

    name: str
    size_in: tuple[float, float]
    margins: tuple[float, float, float, float]  # left, right, top, bottom
    max_ticks: int
    legend_cols: int
    title_chars: int


WIDE = Layout("wide", (11.2, 4.4), (0.065, 0.99, 0.925, 0.11), 11, 5, 150)
NARROW = Layout("narrow", (3.9, 5.0), (0.175, 0.965, 0.88, 0.09), 4, 2, 44)
#: the least width of a burn event's mark on the chart, in CSS px at the chart's own size (a
#: 2-hour page in a 30-day window is under 3 px wide; the HTML shows charts at scale ≥ 0.74)
MIN_MARK_PX = 6.0
#: colours readable on the chart's white background and by people with a red-green deficiency
BUDGET_COLOUR = "#1f5fbf"
BURN_COLOUR = "#c2410c"
PERIOD_SHADE = "#f5c542"
LINE_COLOUR = "#444444"
#: burn events: a band and a marker above it, distinct from the burn-rate line by shape too
EVENT_COLOUR = "#a3007d"

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


def _day_ticks(
    lo: float, hi: float, zone: Any, max_ticks: int, edge_s: float
) -> tuple[list[float], list[str]]:
    """Tick positions (days since the epoch) at local midnights between lo and hi (epoch s),
    every 1, 2, 4, 7, 14 or 28 days so at most `max_ticks` are drawn, with ``20 Nov`` labels;
    none within `edge_s` of either end, where its centred label would be cut off."""
    from datetime import datetime, timedelta

    first = datetime.fromtimestamp(lo, zone).date()
    last = datetime.fromtimestamp(hi, zone).date()
    span = (last - first).days + 1
    step = next((k for k in (1, 2, 4, 7, 14, 28) if span / k <= max_ticks), 56)
    ticks, labels = [], []
    day = first
    while day <= last:
        t = datetime(day.year, day.month, day.day, tzinfo=zone).timestamp()
        if lo + edge_s <= t <= hi - edge_s:
            ticks.append(t / 86400.0)
            labels.append(f"{day.day} {day.strftime('%b')}")
        day += timedelta(days=step)
    return ticks, labels


#: the width of a date label (``20 Nov``) in CSS px, with some room
TICK_LABEL_PX = 44.0


def _title(slo: SLOReport, layout: Layout) -> str:
    """The SLO and its objective; on narrow charts on two lines, the key shortened with "…"."""
    objective = f"{slo.objective * 100:g} % over {slo.window}"
    if layout.name == WIDE.name:
        return f"{slo.key}: objective {objective} — error budget burn-down"
    return f"{_shorten(slo.key, layout.title_chars)}\n{_shorten(objective, layout.title_chars)}"


def _shorten(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: chars - 1] + "…"


class _Canvas:
    """One figure per layout, reused for every chart a process draws: creating axes and their
    ticks costs about as much as drawing them. Everything that depends on the SLO is set again
    in `draw`, so a chart's bytes do not depend on the charts drawn before it (tested)."""

    def __init__(self, layout: Layout) -> None:
        plt = _pyplot()
        from matplotlib.lines import Line2D
        from matplotlib.patches import Patch

        self.layout = layout
        fig, (top, bottom) = plt.subplots(
            2, 1, figsize=layout.size_in, sharex=True, height_ratios=(3, 2)
        )
        left, right, top_m, bottom_m = layout.margins
        # fixed margins: tight_layout measures every label and costs ~3/4 of the drawing time
        fig.subplots_adjust(left=left, right=right, top=top_m, bottom=bottom_m, hspace=0.1)
        (self.budget,) = top.plot([], [], color=BUDGET_COLOUR, linewidth=1.6)
        zero = top.axhline(0, color=LINE_COLOUR, linewidth=1.0, linestyle="--")
        (self.rate,) = bottom.plot([], [], drawstyle="steps-pre", color=BURN_COLOUR, linewidth=1.2)
        pace = bottom.axhline(1.0, color=LINE_COLOUR, linewidth=1.0, linestyle=":")
        top.set_ylabel("budget remaining (%)")
        bottom.set_ylabel("burn rate (×, hourly)")
        # centred on the figure (not the axes, which sit right of the y labels), in figure
        # coordinates: nothing is measured to place it
        self.title = fig.text(0.5, 0.99, " ", ha="center", va="top", fontsize=10)
        event = Line2D([], [], color=EVENT_COLOUR, marker="v", linestyle="none", markersize=6)
        # one legend for both panels: legends are among the costliest artists to lay out
        top.legend(
            [
                Patch(color=PERIOD_SHADE, alpha=0.25, linewidth=0),
                self.budget,
                zero,
                self.rate,
                pace,
                event,
            ],
            [
                "report period",
                "budget remaining",
                "exhausted (0 %)",
                "burn rate",
                "1× (budget pace)",
                "burn event",
            ],
            loc="lower left",
            fontsize=7,
            framealpha=0.9,
            ncols=layout.legend_cols,
        )
        self.fig, self.top, self.bottom = fig, top, bottom
        self.spans: list[Any] = []

    def _axes_px(self) -> float:
        """The plot area's width in CSS px at the chart's own size."""
        left, right, _, _ = self.layout.margins
        return self.layout.size_in[0] * 96.0 * (right - left)

    def _shade(self, report: Report, slo: SLOReport, lo: float, hi: float) -> None:
        """The report period's band, then one mark per burn event: a band at least MIN_MARK_PX
        wide (kept inside the plot) in both panels and a marker above it (SVG id
        ``burn-event-N``, N in the report's order of events)."""
        for span in self.spans:
            span.remove()
        period = report.period
        self.spans = [
            ax.axvspan(
                period.start / 86400.0,
                period.end / 86400.0,
                color=PERIOD_SHADE,
                alpha=0.25,
                linewidth=0,
                zorder=0,
            )
            for ax in (self.top, self.bottom)
        ]
        min_days = MIN_MARK_PX * (hi - lo) / self._axes_px()
        for i, event in enumerate(slo.events):
            start, end = event.start / 86400.0, event.end / 86400.0
            if end - start < min_days:
                middle = (start + end) / 2
                start, end = middle - min_days / 2, middle + min_days / 2
            shift = max(0.0, lo - start) - max(0.0, end - hi)
            start, end = start + shift, end + shift
            for ax in (self.top, self.bottom):
                band = ax.axvspan(start, end, color=EVENT_COLOUR, alpha=0.28, linewidth=0, zorder=1)
                band.set_gid(f"burn-event-{i}" if ax is self.bottom else f"burn-event-{i}-top")
                self.spans.append(band)
            (marker,) = self.bottom.plot(
                [(start + end) / 2],
                [1.0],
                transform=self.bottom.get_xaxis_transform(),
                color=EVENT_COLOUR,
                marker="v",
                markersize=6,
                linestyle="none",
                clip_on=False,
                zorder=5,
            )
            self.spans.append(marker)

    def draw(self, report: Report, slo: SLOReport) -> str:
        from zoneinfo import ZoneInfo

        from matplotlib.ticker import FuncFormatter

        top, bottom, period = self.top, self.bottom, report.period
        zone = ZoneInfo(period.timezone)
        c = slo.chart
        x = [t / 86400.0 for t in c.times]
        # a little room right of the last bin, so a drop at the very end is not under the frame
        lo, hi = x[0], x[-1] + (x[-1] - x[0]) * 0.006
        self._shade(report, slo, lo, hi)
        remaining = [r * 100 if math.isfinite(r) else math.nan for r in c.remaining]
        self.budget.set_data(x, remaining)
        finite = [r for r in remaining if math.isfinite(r)]
        low = min([0.0, *finite]) if finite else 0.0
        top.set_ylim(min(low * 1.1, -5.0), 105)
        self.title.set_text(_title(slo, self.layout))
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
        edge_s = (TICK_LABEL_PX / 2) * (hi - lo) * 86400.0 / self._axes_px()
        ticks, labels = _day_ticks(c.times[0], c.times[-1], zone, self.layout.max_ticks, edge_s)
        bottom.set_xticks(ticks, labels)
        bottom.set_xlim(lo, hi)
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


_canvases: dict[str, _Canvas] = {}


def chart_svg(report: Report, slo: SLOReport, layout: Layout = WIDE) -> str:
    """The SVG text of one SLO's chart (burn-down above, burn rate below) in `layout`.

    x is in days since the epoch (cheaper than matplotlib's date machinery), with ticks at the
    report zone's midnights."""
    canvas = _canvases.get(layout.name)
    if canvas is None:
        canvas = _canvases[layout.name] = _Canvas(layout)
    return canvas.draw(report, slo)


#: below this many charts a worker pool costs more than it saves
PARALLEL_MIN_CHARTS = 8


def _chart_batch(args: tuple[Report, list[tuple[SLOReport, Layout]]]) -> list[str]:
    report, jobs = args
    return [chart_svg(report, s, layout) for s, layout in jobs]


def chart_sets(
    report: Report, slos: list[SLOReport], layouts: tuple[Layout, ...]
) -> dict[str, dict[str, str]]:
    """SVG text per layout name, per SLO key. Many charts are drawn by one worker process per
    CPU (forked, so nothing is re-imported): drawing is CPU-bound Python and each chart is
    independent, so the output is the same bytes as drawing them one by one."""
    import os
    import sys

    jobs = [(s, layout) for layout in layouts for s in slos]
    workers = min(os.cpu_count() or 1, 8)
    if len(jobs) < PARALLEL_MIN_CHARTS or workers < 2 or not sys.platform.startswith("linux"):
        drawn = [chart_svg(report, s, layout) for s, layout in jobs]
    else:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _pyplot()  # import and configure once, before forking
        batches = [jobs[i::workers] for i in range(workers)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(workers, mp_context=context) as pool:
            parts = list(pool.map(_chart_batch, [(report, b) for b in batches]))
        by_job = {
            id(job): svg
            for batch, svgs in zip(batches, parts, strict=True)
            for job, svg in zip(batch, svgs, strict=True)
        }
        drawn = [by_job[id(job)] for job in jobs]
    out: dict[str, dict[str, str]] = {layout.name: {} for layout in layouts}
    for (s, layout), svg in zip(jobs, drawn, strict=True):
        out[layout.name][s.key] = svg
    return out


def chart_svgs(report: Report, slos: list[SLOReport], layout: Layout = WIDE) -> dict[str, str]:
    """SVG text per SLO key in one layout (see `chart_sets`)."""
    return chart_sets(report, slos, (layout,))[layout.name]
