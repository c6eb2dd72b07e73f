"""`--explain` and `--show-queries` against a real Prometheus holding the examples' generated
history: the queries Prometheus actually received (through a recording proxy in front of it)
are the ones `--show-queries` lists for the same --at (those of SLOs that differ in their
service's name sent batched, slo_cli.sources.batch), plus only the follow-ups an answer asked
for; `--explain` prints the generator's truth and every call it made, for an SLO and a composite.
The Prometheus is the session's `live_prometheus` (tests/check/conftest.py)."""

from __future__ import annotations

import json
import re
import urllib.request
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest

from tests.check.conftest import slo
from tests.check.example_data import AT, ExampleData
from tests.check.test_explain import WINDOWS, payments_expected
from tests.check.test_explain_composite import WINDOW_S, composite, member_counts
from tests.prom.faultserver import FaultServer, Reply, Seen, fault_server
from tests.promserver import Server

pytestmark = pytest.mark.prometheus


@pytest.fixture
def proxy(live_prometheus: Server) -> Iterator[FaultServer]:
    """A recording proxy: every request is kept (`seen`) and forwarded to Prometheus."""

    def forward(req: Seen, index: int) -> Reply:
        data = urllib.parse.urlencode(req.form).encode()
        url = live_prometheus.url + req.path
        if req.method == "GET":
            request = urllib.request.Request(f"{url}?{data.decode()}")
        else:
            request = urllib.request.Request(url, data=data, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=60) as answer:
                return Reply(answer.status, answer.read())
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read())

    with fault_server(forward) as server:
        yield server


def _call(path: str, params: dict[str, str]) -> tuple[str, tuple[tuple[str, str], ...]]:
    # the transport adds the server-side timeout to every query; the fetcher's own parameters
    return path, tuple(sorted((k, v) for k, v in params.items() if k != "timeout"))


#: a batched query's matcher (slo_cli.sources.batch): `label=~"a|b|c"` for SLOs of a, b and c
_VALUE = r"(?:[A-Za-z0-9_:/-]|\\\\\.)+"
_BATCHED = re.compile(rf'([A-Za-z_][A-Za-z0-9_]*)=~"({_VALUE}(?:\|{_VALUE})+)"')


def _unbatched(
    call: tuple[str, tuple[tuple[str, str], ...]], listed: Counter[Any]
) -> list[tuple[str, tuple[tuple[str, str], ...]]]:
    """The SLO calls one received call answered: a call listed as it is is its own; a batched
    one (`service=~"a|b"`) stands for the same call with `service="a"`, and with `service="b"`."""
    path, params = call
    query = dict(params).get("query", "")
    m = None if call in listed else _BATCHED.search(query)
    if m is None:
        return [call]
    label, batched = m.group(1), m.group(0)
    out = []
    for value in m.group(2).replace("\\\\.", ".").split("|"):
        one = query.replace(batched, f'{label}="{value}"')
        out.append((path, tuple((k, one if k == "query" else v) for k, v in params)))
    return out


def test_show_queries_are_the_queries_prometheus_receives(proxy: FaultServer) -> None:
    at = str(int(AT))
    listing = slo("check", "examples/", "--show-queries", "--at", at, "--format", "json")
    assert listing.code == 0, listing.stderr
    listed = Counter(
        _call(q["path"], q["params"])
        for s in json.loads(listing.stdout)["slos"]
        for q in s["queries"]
    )
    run = slo("check", "examples/", "--prometheus-url", proxy.url, "--at", at, "-f", "json")
    assert run.code == 1, run.stderr
    sent = [_call(s.path, s.form) for s in proxy.seen]
    received = Counter(one for call in sent for one in _unbatched(call, listed))
    # the 30-day SLOs of http_requests_total's services were sent batched calls
    assert any(len(_unbatched(call, listed)) > 1 for call in sent)
    # every listed call was sent (on its own, or in a batch), as many times as listed
    assert listed - received == Counter()
    # and what else was sent is only the follow-ups of answers to checkout's counter reset: its
    # flagged daily bin counted again on 6-hour bins, then the flagged one from raw samples
    extra = received - listed
    kinds = {(path, dict(params).get("step")) for path, params in extra}
    assert kinds == {("/api/v1/query", None), ("/api/v1/query_range", "21600")}
    assert all('service="checkout"' in dict(params)["query"] for _, params in extra)


def test_explain_live_prints_the_truth_and_the_calls_it_sent(
    proxy: FaultServer, live_data: ExampleData
) -> None:
    run = slo(
        "check", "examples/", "--prometheus-url", proxy.url, "--at", str(int(AT)),
        "--explain", "payments/availability", "--format", "json",
    )  # fmt: skip
    assert run.code == 1, run.stderr
    doc = json.loads(run.stdout)
    assert doc["origin"] == f"sent to {proxy.url}"
    e = payments_expected(live_data)
    ex = doc["slos"][0]["explain"]
    assert (ex["slo_window"]["bad_count"], ex["slo_window"]["total_count"]) == (
        e["bad"],
        e["total"],
    )
    for w in ex["windows"]:
        if w["name"] in WINDOWS:
            assert w["burn_rate"] == pytest.approx(e[f"burn_{w['name']}"], rel=1e-12), w["name"]
    shown = [_call(q["path"], q["params"]) for q in doc["queries"]["queries"]]
    assert shown == [_call(s.path, s.form) for s in proxy.seen]  # exactly what was sent
    text = slo(
        "check", "examples/", "--prometheus-url", proxy.url, "--at", str(int(AT)),
        "--explain", "payments/availability",
    )  # fmt: skip
    assert f"Queries (4, sent to {proxy.url}):" in text.stdout


def test_explain_composite_live_equals_the_truth(
    proxy: FaultServer, live_data: ExampleData
) -> None:
    """A composite sends no query of its own: the calls are its members', exactly as sent, and
    every member input and composite figure is the generator's truth, window by window."""
    run = slo(
        "check", "examples/", "--prometheus-url", proxy.url, "--at", str(int(AT)),
        "--explain", "journey/weakest-step", "--format", "json",
    )  # fmt: skip
    assert run.code == 0, run.stderr
    doc = json.loads(run.stdout)
    (got,) = doc["slos"]
    ex = got["explain"]
    windows = [(ex["slo_window"], AT - WINDOW_S)]
    windows += [(w, AT - WINDOWS[w["name"]]) for w in ex["windows"] if w["name"] in WINDOWS]
    for w, start in windows:
        counts = member_counts(live_data, start, AT)
        members = {m["slo"]: (m["bad_count"], m["total_count"]) for m in w["members"]}
        assert members == counts, w["name"]
        bad, total, burn = composite("weakest-step", counts)
        assert (w["bad_count"], w["total_count"]) == (bad, total), w["name"]
        assert w["burn_rate"] == pytest.approx(burn, rel=1e-12), w["name"]
    # exactly what was sent (the two members' calls run concurrently: in any order)
    shown = Counter(_call(q["path"], q["params"]) for q in doc["queries"]["queries"])
    assert shown == Counter(_call(s.path, s.form) for s in proxy.seen)
    assert {p for s in proxy.seen for p in ('service="search"', 'service="checkout"')
            if p in s.form["query"]} == {'service="search"', 'service="checkout"'}  # fmt: skip
