"""Every failure row of docs prometheus.md against a scripted loopback server: the error class,
its message, how many requests were sent (retries) and an upper bound on the time taken."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slo_cli.cli.connection import system_clock
from slo_cli.sources import errors as E
from slo_cli.sources.fetch import Counter, Fetcher
from slo_cli.sources.live import LiveTransport
from slo_cli.sources.model import FetchRequest, SeriesCounts
from slo_cli.sources.prometheus import PrometheusSource
from slo_cli.sources.settings import ConnectionSettings
from slo_specs import load_text
from tests.prom.faultserver import Reply, Seen, fault_server

T0 = 1_767_000_000.0
TOKEN = "tok-SECRET-123"


def _slo_of(metric: str) -> Any:
    """SLO with the SLI `metric` counts (SLOs of one SLI are fetched as one group)."""
    text = f"""
version: slo/v1
service: shop
slos:
  - name: avail
    objective: 99
    window: 30d
    sli: {{ratio: {{good: '{metric}{{code="200"}}', total: {metric}}}}}
"""
    return load_text(text)[0].slos[0]


SLO = _slo_of("req_total")


def matrix(form: dict[str, str], good: Callable[[float], float] = lambda t: 5.0) -> str:
    """A query_range answer for the tagged union: good and total at each step (an instant
    query that is not of raw samples, a cut bin's pieces: no series)."""
    if "start" not in form:
        return json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}})
    start, end, step = float(form["start"]), float(form["end"]), float(form["step"])
    ts = np.arange(start, end + step / 2, step)
    result = [
        {"metric": {"__slo_part": "good"}, "values": [[t, str(good(t))] for t in ts]},
        {"metric": {"__slo_part": "total"}, "values": [[t, str(good(t) + 1)] for t in ts]},
    ]
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


def raw_samples(form: dict[str, str]) -> str:
    """Raw samples for an instant query of a range selector (the fine tier's query):
    req_total{code="200"} counting 5 and {code="500"} 1 a minute, as `matrix` answers per bin."""
    at, reach = float(form["time"]), float(form["query"].rsplit("[", 1)[1].rstrip("s]"))
    ts = np.arange(at - reach + 0.5, at, 60.0).tolist()
    result = [
        {"metric": {"__name__": "req_total", "code": code},
         "values": [[t, str(k * i)] for i, t in enumerate(ts)]}
        for code, k in (("200", 5), ("500", 1))
    ]  # fmt: skip
    return json.dumps({"status": "success", "data": {"resultType": "matrix", "result": result}})


def is_raw(form: dict[str, str]) -> bool:
    """Whether an instant query asks for raw samples (a range selector, `x[10800s]`)."""
    return "step" not in form and form.get("query", "").endswith("s]")


def ok(req: Seen, i: int) -> Reply:
    return Reply(200, matrix(req.form))


def error(status: int, error_type: str, message: str, **headers: str) -> Reply:
    body = json.dumps({"status": "error", "errorType": error_type, "error": message})
    return Reply(status, body, {"Content-Type": "application/json", **headers})


HTML = {"Content-Type": "text/html; charset=utf-8"}


def fetch(
    url: str, *, bins: int = 2, allow_partial: bool = False, **flags: object
) -> tuple[list[SeriesCounts], float]:
    """Fetch one ratio SLO over `bins` one-minute bins; returns (counts, seconds taken)."""
    settings = ConnectionSettings.from_sources(
        {"url": url, "timeout_s": 5, **flags}, {"TOK": TOKEN}
    )
    src = PrometheusSource(
        settings, clock=system_clock(), workers=1, allow_partial=allow_partial, backoff_s=0.05
    )
    edges = T0 + 60.0 * np.arange(bins + 1)
    started = time.monotonic()
    try:
        return src.fetch([FetchRequest("shop/avail", SLO, edges)]), time.monotonic() - started
    finally:
        src.close()


def fails(url: str, **kw: object) -> tuple[E.SourceError, float]:
    """The error of a fetch that fails: raised (the server failed) or, for an error of the
    SLO's own queries (E.PER_SLO_ERRORS), returned as its counts' `error`, never both."""
    started = time.monotonic()
    try:
        [c], _ = fetch(url, **kw)
    except E.SourceError as exc:
        assert not isinstance(exc, E.PER_SLO_ERRORS), f"raised instead of returned: {exc!r}"
        return exc, time.monotonic() - started
    assert isinstance(c.error, E.PER_SLO_ERRORS), "the fetch did not fail"
    assert np.isnan(c.good).all() and np.isnan(c.total).all()
    return c.error, time.monotonic() - started


def test_success_sends_a_form_body_post_with_engine_params() -> None:
    with fault_server(ok) as srv:
        [c], _ = fetch(srv.url, engine="thanos", headers=["X-Scope-OrgID: team-a"])
    [req] = srv.seen
    assert (req.method, req.path) == ("POST", "/api/v1/query_range")
    assert "query" in req.form and req.form["partial_response"] == "false"
    assert req.form["dedup"] == "true" and req.form["timeout"] == "4s"
    assert req.headers["X-Scope-OrgID"] == "team-a"
    assert list(c.good) == [5.0, 5.0] and list(c.total) == [6.0, 6.0]


def test_connection_refused() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens here
    err, took = fails(f"http://127.0.0.1:{port}")
    assert isinstance(err, E.UnreachableError)
    assert str(err) == (
        f"cannot connect to http://127.0.0.1:{port} (hint: is the server up and the port right?)"
    )
    assert took < 5


def test_dns_failure() -> None:
    err, took = fails("http://no-such-host.invalid:9090")
    assert isinstance(err, E.UnreachableError)
    assert str(err).startswith("cannot resolve http://no-such-host.invalid:9090")
    assert took < 30


def test_tls_failure_hints_at_the_ca_bundle() -> None:
    with fault_server(ok) as srv:
        err, took = fails(srv.url.replace("http://", "https://"))
    assert isinstance(err, E.UnreachableError)
    assert "TLS handshake with https://127.0.0.1" in str(err) and "--ca-bundle" in str(err)
    assert took < 10


@pytest.mark.parametrize("status", [401, 403])
def test_auth_errors_name_the_headers_never_their_values(status: int) -> None:
    with fault_server(lambda r, i: error(status, "unauthorized", "no")) as srv:
        err, took = fails(srv.url, headers=[f"X-Scope-OrgID: {TOKEN}"], bearer_token_env="TOK")
        assert len(srv.seen) == 1
        assert srv.seen[0].headers["Authorization"] == f"Bearer {TOKEN}"
    assert isinstance(err, E.AuthError) and err.status == status
    assert "credentials sent: X-Scope-OrgID, Authorization (bearer)" in str(err)
    assert TOKEN not in str(err) and TOKEN not in repr(err.__dict__)
    assert took < 5


def test_404_hints_at_the_path_prefix() -> None:
    with fault_server(
        lambda r, i: Reply(404, "404 page not found", {"Content-Type": "text/plain"})
    ) as srv:
        err, _ = fails(srv.url + "/wrong")
        assert len(srv.seen) == 1
    assert isinstance(err, E.NotFoundError) and err.status == 404
    assert "wrong path prefix?" in str(err) and "/wrong/api/v1" in str(err)


def test_400_bad_query_is_reported_with_the_query_and_not_retried() -> None:
    with fault_server(lambda r, i: error(400, "bad_data", 'parse error: unexpected "}"')) as srv:
        err, _ = fails(srv.url)
        assert len(srv.seen) == 1
    assert isinstance(err, E.BadQueryError)
    assert (err.status, err.error_type) == (400, "bad_data")
    assert str(err).startswith('the server rejected the query: parse error: unexpected "}"')
    assert err.query is not None and 'req_total{code="200"}' in err.query


def test_422_limit_splits_the_range_and_retries_the_pieces() -> None:
    def script(req: Seen, i: int) -> Reply:
        points = (float(req.form["end"]) - float(req.form["start"])) / 60 + 1
        if points > 2:
            return error(422, "execution", "query processing would load too many samples")
        return Reply(200, matrix(req.form, good=lambda t: (t - T0) / 60))

    with fault_server(script) as srv:
        [c], _ = fetch(srv.url, bins=4)
        # 4 points refused, then 2 + 2
        assert [len(srv.seen)] == [3]
    assert list(c.good) == [1.0, 2.0, 3.0, 4.0] and list(c.total) == [2.0, 3.0, 4.0, 5.0]


def test_422_other_execution_error_is_reported() -> None:
    with fault_server(
        lambda r, i: error(422, "execution", "vector cannot contain metrics with the same labelset")
    ) as srv:
        err, _ = fails(srv.url, bins=4)
        assert len(srv.seen) == 1
    assert isinstance(err, E.BadQueryError) and err.error_type == "execution"


def test_503_query_timeout_is_never_replayed_as_is() -> None:
    with fault_server(
        lambda r, i: error(503, "timeout", "query timed out in expression evaluation")
    ) as srv:
        err, took = fails(srv.url, bins=4)
        ranges = [(r.form["start"], r.form["end"]) for r in srv.seen]
    assert isinstance(err, E.QueryTimeoutError) and err.error_type == "timeout"
    assert "raise --timeout" in str(err)
    # 4 points, then its first half (2), then its first point: split, never the same request twice
    assert len(ranges) == 3 and len(set(ranges)) == 3
    assert took < 5


def test_429_honours_retry_after_then_succeeds() -> None:
    def script(req: Seen, i: int) -> Reply:
        return error(429, "", "too many requests", **{"Retry-After": "1"}) if i == 0 else ok(req, i)

    with fault_server(script) as srv:
        [c], took = fetch(srv.url)
        assert len(srv.seen) == 2
    assert list(c.good) == [5.0, 5.0]
    assert 0.9 <= took < 5


def test_429_forever_gives_up_after_bounded_retries() -> None:
    with fault_server(lambda r, i: Reply(429, "slow down", {"Retry-After": "0.1"})) as srv:
        err, took = fails(srv.url)
        assert len(srv.seen) == 4  # 1 + 3 retries
    assert isinstance(err, E.OverloadedError) and err.status == 429
    assert took < 5


@pytest.mark.parametrize("status", [502, 503, 504])
def test_proxy_errors_are_retried_with_backoff(status: int) -> None:
    with fault_server(lambda r, i: Reply(status, "<html>Bad Gateway</html>", HTML)) as srv:
        err, took = fails(srv.url)
        assert len(srv.seen) == 4
    assert isinstance(err, E.ProxyError) and err.status == status
    assert f"({status})" in str(err) and "after 3 retries" in str(err)
    # backoff 0.05 + 0.1 + 0.2 s
    assert 0.3 <= took < 5


def test_proxy_error_then_success() -> None:
    def script(req: Seen, i: int) -> Reply:
        return Reply(502, "bad gateway", HTML) if i == 0 else ok(req, i)

    with fault_server(script) as srv:
        [c], _ = fetch(srv.url)
        assert len(srv.seen) == 2
    assert list(c.total) == [6.0, 6.0]


def test_200_html_login_page() -> None:
    page = "<!DOCTYPE html><html><title>Sign in – SSO</title></html>"
    with fault_server(lambda r, i: Reply(200, page, HTML)) as srv:
        err, _ = fails(srv.url)
        assert len(srv.seen) == 1
    assert isinstance(err, E.BadResponseError)
    assert "text/html; charset=utf-8, body starts '<!DOCTYPE html><html><title>Sign in" in str(err)
    assert "login page" in str(err)


def test_truncated_json() -> None:
    with fault_server(lambda r, i: Reply(200, matrix(r.form)[:40])) as srv:
        err, _ = fails(srv.url)
        assert len(srv.seen) == 1
    assert isinstance(err, E.BadResponseError) and "truncated or invalid JSON" in str(err)


@pytest.mark.parametrize(
    "extra", [{"warnings": ["store gateway 3 unreachable"]}, {"isPartial": True}]
)
def test_partial_data_is_an_error_unless_allowed(extra: dict) -> None:
    def script(req: Seen, i: int) -> Reply:
        body = json.loads(matrix(req.form))
        body.update(extra)
        return Reply(200, json.dumps(body))

    with fault_server(script) as srv:
        err, _ = fails(srv.url)
        [c], _ = fetch(srv.url, allow_partial=True)
    assert isinstance(err, E.PartialDataError) and "--allow-partial" in str(err)
    assert "partial data" in str(err)
    assert list(c.good) == [5.0, 5.0] and any("partial data" in n for n in c.notes)


def test_a_client_timeout_is_neither_split_nor_replayed() -> None:
    """Rule: --timeout bounds a request in total; a server that does not answer in time is
    reported after one request (splitting the range would only multiply the wait), and the
    message names the bound that was applied."""
    with fault_server(lambda r, i: Reply(200, matrix(r.form), delay=1.5)) as srv:
        err, took = fails(srv.url, timeout_s=0.5)
    assert isinstance(err, E.DeadlineError) and "within 0.5 s" in str(err)
    assert len(srv.seen) == 1
    assert took < 1.2


def test_chunks_stay_under_the_points_limit_and_bins_follow_timestamps() -> None:
    # the server answers the chunk's points out of order: bins must follow the timestamps
    def script(req: Seen, i: int) -> Reply:
        body = json.loads(matrix(req.form, good=lambda t: (t - T0) / 60))
        for s in body["data"]["result"]:
            s["values"].reverse()
        return Reply(200, json.dumps(body))

    with fault_server(script) as srv:
        transport = LiveTransport(
            ConnectionSettings.from_sources({"url": srv.url}, {}), clock=system_clock()
        )
        got = Fetcher(transport, max_points=3).counter_counts(
            [Counter("good", 'req_total{code="200"}'), Counter("total", "req_total")],
            T0 + 60.0 * np.arange(8),
        )
        points = [(float(r.form["end"]) - float(r.form["start"])) / 60 + 1 for r in srv.seen]
        transport.close()
    assert points == [3, 3, 1]
    assert list(got["good"]) == [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0]


def test_cli_turns_a_source_error_into_one_line_and_exit_3(tmp_path: Path) -> None:
    from tests.clirun import slo

    spec = tmp_path / "s.yaml"
    spec.write_text(
        "version: slo/v1\nservice: shop\nslos:\n  - name: a\n    objective: 99\n"
        "    window: 1d\n    sli: {ratio: {bad: 'req_total{code=\"500\"}', total: req_total}}\n"
    )
    with fault_server(lambda r, i: error(401, "unauthorized", "bad token")) as srv:
        run = slo(
            "snapshot", str(spec), "--out", str(tmp_path / "o.json"),
            "--prometheus-url", srv.url, "--bearer-token-env", "TOK",
            env={"TOK": TOKEN},
        )  # fmt: skip
    err = run.stderr
    assert run.code == 3 and run.stdout == ""
    assert err.count("\n") == 1 and err.startswith("slo: error: unauthorized at http://127.0.0.1")
    assert TOKEN not in err and "Traceback" not in err and not (tmp_path / "o.json").exists()


def test_user_info_in_the_url_never_appears_in_errors() -> None:
    with fault_server(lambda r, i: error(401, "unauthorized", "no")) as srv:
        url = srv.url.replace("http://", "http://alice:pa55word@")
        err, _ = fails(url)
        assert srv.seen[0].headers["Authorization"].startswith("Basic ")
    assert "pa55word" not in str(err) and "alice" not in str(err)
    assert str(err).startswith("unauthorized at http://127.0.0.1:")


def test_workers_have_one_session_each_and_report_progress() -> None:
    calls: list[tuple[int, int]] = []
    with fault_server(lambda r, i: Reply(200, matrix(r.form), delay=0.05)) as srv:
        settings = ConnectionSettings.from_sources({"url": srv.url}, {})
        src = PrometheusSource(settings, clock=system_clock(), workers=2)
        edges = T0 + 60.0 * np.arange(3)
        reqs = [FetchRequest(f"shop/avail{i}", _slo_of(f"req{i}_total"), edges) for i in range(5)]
        try:
            out = src.fetch(reqs, progress=lambda d, t: calls.append((d, t)))
            sessions = {id(t.prom._session) for t in src._transports}
            sent = src.requests_sent
        finally:
            src.close()
    assert [c.key for c in out] == [r.key for r in reqs]
    assert calls == [(i, 5) for i in range(1, 6)]
    assert len(sessions) == 2 and sent == 5 == len(srv.seen)


@pytest.mark.parametrize(
    ("engine", "fix"),
    [("prometheus", "--engine victoriametrics (sends nocache=1)"), ("thanos", "align-range")],
)
def test_a_range_answer_off_the_requested_grid_fails_with_exit_3(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], engine: str, fix: str
) -> None:
    # a cache or frontend moving a range answer's points (VictoriaMetrics' cache moves them onto
    # multiples of the step when the start is not one; the plan's range queries start on one,
    # but a frontend aligning to another origin, or a cut bin counted on its own, would not):
    # the counts would land in the wrong bins (or be dropped): an error naming the engine and
    # the fix, never a silently wrong number.
    from slo_cli.cli.app import main

    def shifted(req: Seen, i: int) -> Reply:
        body = json.loads(matrix(req.form))
        if "step" in req.form:
            for s in body["data"]["result"]:
                s["values"] = [[t - 30.0, v] for t, v in s["values"]]
        return Reply(200, json.dumps(body))

    spec = tmp_path / "s.yaml"
    spec.write_text(
        "version: slo/v1\nservice: shop\nslos:\n  - name: a\n    objective: 99\n"
        "    window: 1d\n    sli: {ratio: {bad: 'req_total{code=\"500\"}', total: req_total}}\n"
    )
    with fault_server(shifted) as srv, pytest.raises(SystemExit) as code:
        main(
            ["check", str(spec), "--prometheus-url", srv.url, "--engine", engine,
             "--at", str(T0 + 37 * 60 + 11)]
        )  # fmt: skip
    err = capsys.readouterr().err
    assert code.value.code == 3
    assert err.count("\n") == 1 and "Traceback" not in err
    assert f"the server ({engine}) answered a range query with a point at" in err
    assert "off the requested grid" in err and fix in err
