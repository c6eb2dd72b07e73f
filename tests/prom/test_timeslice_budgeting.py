"""Timeslice budgeting of ratio and latency SLIs, exact on real servers (both engines).

A slice (epoch-aligned, of the spec's length) with events is good when its own good ÷ total
meets the slice target; a slice without events is not counted (slo_cli/sources/slices.py says
why); the budget counts slices. The truth is computed here from the generator's samples: each
sample's increase belongs to the slice holding its time, slices are summed per window by their
end — never from the tool's output.
"""

from __future__ import annotations

import json
import math
import textwrap

import numpy as np
import pytest

from slo_cli.sources.grid import plan_grid
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_specs import load_text
from tests.check.conftest import slo
from tests.datagen import DAY, END, Series, SharedData
from tests.promserver import Server

pytestmark = pytest.mark.prometheus

WINDOWS = [300, 1800, 3600, 7200, 21600, DAY, 3 * DAY, 7 * DAY, 30 * DAY]
#: inside the incident (errors 30×), just after a counter reset
AT = END - 2 * 3600 + 301.0
CHECKOUT = {
    "ratio": {
        "good": 'http_requests_total{service="checkout",code!~"5.."}',
        "total": 'http_requests_total{service="checkout"}',
    }
}
SEARCH = {
    "latency": {
        "histogram": "http_request_duration_seconds",
        "selector": '{service="search"}',
        "threshold": "300ms",
    }
}


def spec(sli: dict, budgeting: str, slice_: str, target: float | None) -> object:
    ts: dict = {"slice": slice_} | ({"target": target} if target is not None else {})
    doc = {
        "version": "slo/v1",
        "service": "svc",
        "slos": [
            {"name": "s", "objective": 95.0, "window": "30d", "budgeting": budgeting,
             "timeslice": ts, "sli": sli}
        ],
    }  # fmt: skip
    return load_text(json.dumps(doc))[0].slos[0]


def per_slice(series: list[Series], slice_s: float, ends: np.ndarray) -> np.ndarray:
    """Events per slice (e − slice_s, e] for each slice end e, from the samples."""
    out = np.zeros(ends.size)
    for s in series:
        t, inc = s.increments()
        k = np.ceil(t / slice_s) * slice_s  # the end of the slice holding each sample
        idx = np.searchsorted(ends, k)
        ok = (idx < ends.size) & (ends[np.minimum(idx, ends.size - 1)] == k)
        np.add.at(out, idx[ok], inc[ok])
    return out


def truth_slices(
    good: list[Series], total: list[Series], slice_s: float, end: float, w: float,
    target: float | None,
) -> tuple[float, float]:  # fmt: skip
    ends = np.arange(math.floor((end - w) / slice_s) * slice_s + slice_s, end + 1e-6, slice_s)
    g, t = per_slice(good, slice_s, ends), per_slice(total, slice_s, ends)
    traffic = t > 0
    ratio = np.where(traffic, g / np.where(traffic, t, 1), 0.0)
    if target is None:
        return float(ratio[traffic].sum()), float(traffic.sum())
    return float((traffic & (ratio >= target)).sum()), float(traffic.sum())


def window_sum(c: SeriesCounts, w: float) -> tuple[float, float]:
    end = c.edges[-1]
    sel = c.edges[:-1] >= end - w
    return float(np.nansum(c.good[sel])), float(np.nansum(c.total[sel]))


def grid(at: float) -> np.ndarray:
    end = np.floor(at / 60) * 60
    return plan_grid(at, 30 * DAY, must_edges=[end - w for w in WINDOWS])


CASES = {
    # the case: 1-minute slices, slice target 98.5 %
    "ratio-1m": (CHECKOUT, "timeslices", "1m", 98.5),
    "latency-5m": (SEARCH, "timeslices", "5m", 97.0),
    "ratio-ratio_timeslices-1m": (CHECKOUT, "ratio_timeslices", "1m", None),
}


@pytest.mark.parametrize("case", list(CASES))
def test_slices_are_exact_in_every_window(
    source: PrometheusSource, shared_data: SharedData, case: str
) -> None:
    sli, budgeting, slice_, target = CASES[case]
    slice_s = {"1m": 60.0, "5m": 300.0}[slice_]
    edges = grid(AT)
    [c] = source.fetch([FetchRequest("s", spec(sli, budgeting, slice_, target), edges)])
    ds = shared_data.dataset
    if "ratio" in sli:
        total = ds.select("http_requests_total", lambda lb: lb["service"] == "checkout")
        good = [s for s in total if not s.labels["code"].startswith("5")]
    else:
        good = [
            s
            for s in ds.select("http_request_duration_seconds_bucket")
            if s.labels["le"] in ("0.3", "0.30")
        ]
        total = ds.select("http_request_duration_seconds_count")
    ratio_target = None if target is None else target / 100
    end = edges[-1]
    bad_seen = False
    for w in WINDOWS:
        want = truth_slices(good, total, slice_s, end, w, ratio_target)
        got = window_sum(c, w)
        if target is None:  # sums of ratios: the order of additions differs
            assert got[1] == want[1] and got[0] == pytest.approx(want[0], rel=1e-12), w
        else:
            assert got == want, w
        bad_seen |= want[0] < want[1]
    assert bad_seen  # the incident makes some slices bad: the test is not trivially all-good


def test_check_counts_slices_not_events(prometheus: Server, shared_data: SharedData, tmp_path):
    # end to end: `slo check` says slices, and the SLI is good slices ÷ slices with events
    path = tmp_path / "s.yaml"
    path.write_text(
        textwrap.dedent(
            """\
            version: slo/v1
            service: checkout
            slos:
              - name: sliced
                objective: 99
                window: 1d
                budgeting: timeslices
                timeslice: {slice: 1m, target: 98.5}
                sli:
                  ratio:
                    good: http_requests_total{service="checkout",code!~"5.."}
                    total: http_requests_total{service="checkout"}
            """
        )
    )
    run = slo("check", str(path), "--prometheus-url", prometheus.url, "--at", str(AT),
              "--format", "json")  # fmt: skip
    [r] = json.loads(run.stdout)["slos"]
    end = r["window_end_epoch_seconds"]
    ds = shared_data.dataset
    total = ds.select("http_requests_total", lambda lb: lb["service"] == "checkout")
    good = [s for s in total if not s.labels["code"].startswith("5")]
    want = truth_slices(good, total, 60.0, end, DAY, 0.985)
    assert r["count_unit"] == "slices"
    assert (r["good_count"], r["total_count"]) == want and want[1] > 1000
    assert r["sli_ratio"] == want[0] / want[1]


def test_slice_budgeting_of_a_raw_sli_is_refused_with_its_location(tmp_path) -> None:
    # a raw template is evaluated per bin, not per slice: accepting the combination would
    # evaluate it as occurrences under a "slices" label (what issue 10 found)
    path = tmp_path / "raw.yaml"
    path.write_text(
        "version: slo/v1\nservice: x\nslos:\n  - name: a\n    objective: 99\n"
        "    window: 30d\n    budgeting: timeslices\n    timeslice: {slice: 1m, target: 99}\n"
        "    sli:\n      raw:\n        error_ratio: 'sum(rate(e[{{window}}]))'\n"
    )
    run = slo("validate", str(path))
    assert run.code == 2
    assert run.stdout.splitlines()[0] == (
        f"{path}:4:5: slos[0]: budgeting: timeslices needs a ratio, latency or timeslices SLI: "
        "a raw SLI's templates are evaluated per bin, not per slice (use occurrences)"
    )
