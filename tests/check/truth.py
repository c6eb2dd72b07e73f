"""What `slo check` must say about the examples, computed from the generator's own increments.

Independent arithmetic only (no slo_cli import): an event count is the sum of the generator's
per-sample increases in (start, end]; SLI = 1 - bad/total; burn rate over w =
(bad_w / total_w) / (1 - objective); remaining = 1 - bad / ((1 - objective) * total); alert
factors from the SRE Workbook (table 5-8) scaled by window / 30 d.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest

from tests.check.example_data import (
    AT,
    CATALOG_MAINTENANCE,
    DAY,
    MONTH_START_BERLIN,
    WEEK_START,
    ExampleData,
    bad_and_total,
)
from tests.datagen import slice_flags

HOUR = 3600.0
WINDOWS = {
    "5m": 300.0,
    "30m": 1800.0,
    "1h": HOUR,
    "2h": 2 * HOUR,
    "6h": 6 * HOUR,
    "1d": DAY,
    "3d": 3 * DAY,
}


@dataclass(frozen=True)
class Truth:
    """Expected figures of one ratio SLO."""

    key: str
    sli: float
    remaining: float
    burn: dict[str, float]
    page: bool
    ticket: bool


def _alerts(burn: dict[str, float], window_s: float) -> tuple[bool, bool]:
    """SRE Workbook multi-window rules; factor = budget share * window / long window."""

    def factor(share: float, long_s: float) -> float:
        return share * window_s / long_s

    page = (burn["1h"] >= factor(0.02, HOUR) and burn["5m"] >= factor(0.02, HOUR)) or (
        burn["6h"] >= factor(0.05, 6 * HOUR) and burn["30m"] >= factor(0.05, 6 * HOUR)
    )
    ticket = (burn["1d"] >= factor(0.1, DAY) and burn["2h"] >= factor(0.1, DAY)) or (
        burn["3d"] >= factor(0.1, 3 * DAY) and burn["6h"] >= factor(0.1, 3 * DAY)
    )
    return page, ticket


def _counts(
    data: ExampleData, service: str, start: float, excluded: list[tuple[float, float]]
) -> tuple[float, float]:
    """(bad, total) of `service` over (start, AT] without the `excluded` intervals."""
    bad, total = bad_and_total(data, service, start, AT)
    for a, b in excluded:
        lo, hi = max(a, start), min(b, AT)
        if lo < hi:
            out_bad, out_total = bad_and_total(data, service, lo, hi)
            bad, total = bad - out_bad, total - out_total
    return bad, total


def ratio_truth(
    data: ExampleData,
    key: str,
    service: str,
    objective: float,
    start: float,
    window_s: float,
    excluded: list[tuple[float, float]] | None = None,
) -> Truth:
    """An availability SLO of `service` (5xx are bad) over (start, AT], without the events of
    the `excluded` intervals (budget adjustments)."""
    budget = 1 - objective
    bad, total = _counts(data, service, start, excluded or [])
    burn = {}
    for name, w in WINDOWS.items():
        b, t = _counts(data, service, AT - w, excluded or [])
        burn[name] = (b / t) / budget
    page, ticket = _alerts(burn, window_s)
    return Truth(key, 1 - bad / total, 1 - bad / (budget * total), burn, page, ticket)


def example_truths(data: ExampleData) -> dict[str, Truth]:
    """The four stories: healthy, slow burn (ticket), fast burn (page), exhausted."""
    month_s = 30 * DAY  # November 2026 has 30 days
    return {
        t.key: t
        for t in (
            ratio_truth(data, "checkout/availability", "checkout", 0.999, AT - 30 * DAY, 30 * DAY),
            ratio_truth(data, "search/availability", "search", 0.995, AT - 30 * DAY, 30 * DAY),
            ratio_truth(
                data, "payments/availability", "payments", 0.9995, MONTH_START_BERLIN, month_s
            ),
            ratio_truth(data, "auth/availability", "auth", 0.999, AT - 7 * DAY, 7 * DAY),
            ratio_truth(
                data,
                "catalog/availability",
                "catalog",
                0.999,
                AT - 30 * DAY,
                30 * DAY,
                CATALOG_MAINTENANCE,
            ),
        )
    }


def auth_probe_slices(data: ExampleData) -> tuple[float, float]:
    """(good slices, slices with data) of auth's probe, one-minute slices from Monday to AT."""
    ends = np.arange(WEEK_START + 60.0, AT + 1.0, 60.0)
    series = data.dataset.select("probe_success", lambda lab: lab["instance"] == "auth")
    good, seen = slice_flags(series, ends, lambda v: v >= 1)
    return float(good.sum()), float(seen.sum())


#: each example service's story (tests/check/example_data.py): key -> (status, alert)
STORIES = {
    "checkout/availability": ("OK", "none"),
    "checkout/latency": ("OK", "none"),
    "search/availability": ("WARNING", "ticket"),
    "payments/availability": ("CRITICAL", "page"),
    "auth/availability": ("CRITICAL", "none"),
    "auth/probe-uptime": ("CRITICAL", "none"),
    "legacy-reports/availability": ("NO_DATA", "none"),
    "catalog/availability": ("OK", "none"),
}


def assert_matches_truth(doc: dict, data: ExampleData) -> None:
    """`slo check --format json` output against the truth: healthy, ticket, page, exhausted."""
    by_key = {s["key"]: s for s in doc["slos"]}
    for key, story in STORIES.items():
        assert (by_key[key]["status"], by_key[key]["alert"]) == story, key
    for key, truth in example_truths(data).items():
        got = by_key[key]
        assert got["sli_ratio"] == pytest.approx(truth.sli, rel=1e-12), key
        assert got["budget_remaining_ratio"] == pytest.approx(truth.remaining, rel=1e-9), key
        for w in WINDOWS:
            assert got["burn_rates"][w] == pytest.approx(truth.burn[w], rel=1e-9), (key, w)
        assert (got["alert"] == "page") == truth.page, key
        assert (got["alert"] in ("page", "ticket")) == (truth.page or truth.ticket), key
    good, seen = auth_probe_slices(data)
    probe = by_key["auth/probe-uptime"]
    assert (probe["good_count"], probe["total_count"]) == (good, seen)
    assert probe["budget_remaining_ratio"] < 0
