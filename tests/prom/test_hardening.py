"""Issue 16, items 3-10 and 13 (answers), through the real entry point against loopback fault
servers. Each test names the rule it keeps."""

from __future__ import annotations

import gzip
import json
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.check.conftest import Run, slo
from tests.prom.faultserver import Reply, Seen, fault_server
from tests.prom.test_faults import is_raw, matrix, raw_samples

AT = "1767000000"
SPEC = """version: slo/v1
service: shop
slos:
  - name: avail
    objective: 99
    window: 1d
    sli: {ratio: {good: 'req_total{code="200"}', total: req_total}}
"""
EMPTY = json.dumps({"status": "success", "data": {"resultType": "matrix", "result": []}})
#: no series for an instant query of a vector (a cut bin's pieces)
NO_SERIES = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}})


def empty(req: Seen) -> str:
    """No series, in the shape the query asks for."""
    return EMPTY if "step" in req.form or is_raw(req.form) else NO_SERIES


def ok(req: Seen, i: int) -> Reply:
    if "step" in req.form:
        return Reply(200, matrix(req.form))
    return Reply(200, raw_samples(req.form) if is_raw(req.form) else empty(req))


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in (
        "SLO_PROMETHEUS_URL",
        "SLO_BEARER_TOKEN",
        "SLO_BASIC_AUTH_PASSWORD",
        "REQUESTS_CA_BUNDLE",
        "CURL_CA_BUNDLE",
        "HTTP_PROXY",
        "HTTPS_PROXY",
        "http_proxy",
        "https_proxy",
    ):
        monkeypatch.delenv(var, raising=False)


def run_check(spec: Path, url: str, *args: str) -> tuple[Run, float]:
    started = time.monotonic()
    run = slo("check", str(spec), "--prometheus-url", url, "--at", AT, *args)
    return run, time.monotonic() - started


def one_line_error(run: Run, code: int) -> str:
    assert run.code == code, (run.code, run.stdout, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in run.stderr, run.stderr
    return lines[0]


# ------------------------------------------------------------------ 3: selection


def test_a_service_typo_is_an_error_not_ignored(spec: Path) -> None:
    """Rule: every --service (and --select) given must match; a typo is exit 2 naming it."""
    run = slo(
        "check", str(spec), "--from", "/nonexistent", "--service", "shop", "--service", "typo"
    )
    line = one_line_error(run, 2)
    assert "--service typo" in line and "shop" in line


def test_the_summary_never_says_pass_next_to_slos_without_data(spec: Path) -> None:
    """Rule: the summary line agrees with the exit code: no-data SLOs (exit 4) are no pass."""
    with fault_server(lambda r, i: Reply(200, empty(r))) as srv:
        run, _ = run_check(spec, srv.url)
    assert run.code == 4, run.stderr
    assert "gate: 1 without data" in run.stdout and "pass" not in run.stdout


# ------------------------------------------------------------------ 4, 5, 8: credentials


@pytest.mark.parametrize("password", ["p/ss", "p#ss", "p?ss", "a/b#c?d"])
def test_an_unencoded_url_password_is_refused_and_never_printed(spec: Path, password: str) -> None:
    """Rule: user info in the URL is percent-decoded or refused, never printed."""
    run, _ = run_check(spec, f"http://user:{password}SECRETPW@127.0.0.1:9/")
    line = one_line_error(run, 2)
    assert "SECRETPW" not in run.stderr + run.stdout and "percent-encode" in line


def test_url_user_info_is_percent_decoded_and_sent_as_basic_auth(spec: Path) -> None:
    with fault_server(ok) as srv:
        url = srv.url.replace("http://", "http://us%40er:p%2Fs%23s%3Fw@")
        run, _ = run_check(spec, url)
    assert run.code == 1, run.stderr
    import base64

    sent = {r.headers.get("Authorization") for r in srv.seen}
    assert sent == {"Basic " + base64.b64encode(b"us@er:p/s#s?w").decode()}


def test_basic_auth_is_actually_sent(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Rule: the credentials a 401 hint names are the ones sent."""
    monkeypatch.setenv("SLO_BASIC_AUTH_PASSWORD", "hunter2-basic")
    with fault_server(ok) as srv:
        run, _ = run_check(spec, srv.url, "--basic-auth-user", "alice")
    assert run.code == 1, run.stderr
    import base64

    expected = "Basic " + base64.b64encode(b"alice:hunter2-basic").decode()
    assert {r.headers.get("Authorization") for r in srv.seen} == {expected}


def test_url_user_info_and_a_bearer_token_conflict_explicitly(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule: one source of credentials; URL user info never silently replaces a token."""
    monkeypatch.setenv("SLO_BEARER_TOKEN", "tok-from-env-XYZ")
    run, _ = run_check(spec, "http://bob:pw-XYZ@127.0.0.1:9")
    line = one_line_error(run, 2)
    assert "more than one source of credentials" in line and "SLO_BEARER_TOKEN" in line
    assert "XYZ" not in run.stderr


def test_a_query_string_in_the_base_url_stays_a_query_parameter(spec: Path) -> None:
    """Rule: `?token=…` in the base URL is sent as a query parameter; the API path goes first."""
    with fault_server(ok) as srv:
        run, _ = run_check(spec, srv.url + "/prefix?token=qp-SECRET-1")
    assert run.code == 1, run.stderr
    assert {r.path for r in srv.seen} == {"/prefix/api/v1/query_range", "/prefix/api/v1/query"}
    assert all(r.query == {"token": "qp-SECRET-1"} for r in srv.seen)


def test_echoed_secrets_are_scrubbed_from_server_errors_and_warnings(
    spec: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rule: every value we send that may be secret is scrubbed from anything we print."""
    monkeypatch.setenv("SLO_BEARER_TOKEN", "tok-ECHO-777")

    def echo(req: Seen, i: int) -> Reply:
        text = " ".join(f"{k}={v}" for k, v in req.headers.items())
        text += " " + " ".join(f"{k}={v}" for k, v in req.form.items())
        body = {"status": "error", "errorType": "bad_data", "error": text}
        return Reply(400, json.dumps(body))

    def warn(req: Seen, i: int) -> Reply:
        body = json.loads(matrix(req.form))
        body["warnings"] = [" ".join(f"{k}={v}" for k, v in req.headers.items())]
        return Reply(200, json.dumps(body))

    flags = ("--header", "X-Scope-OrgID: tenant-ECHO-1", "--param", "api_key=key-ECHO-2")
    for script, code in ((echo, 3), (warn, 3)):
        with fault_server(script) as srv:
            for debug in ((), ("--debug",)):
                run = slo(
                    *debug, "check", str(spec), "--prometheus-url", srv.url, "--at", AT, *flags
                )
                assert run.code == code, run.stderr
                for secret in ("tok-ECHO-777", "tenant-ECHO-1", "key-ECHO-2"):
                    assert secret not in run.stderr + run.stdout


# ------------------------------------------------------------------ 6: TLS


@pytest.fixture(scope="module")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, str]:
    d = tmp_path_factory.mktemp("tls")
    cert, key = str(d / "cert.pem"), str(d / "key.pem")
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            key,
            "-out",
            cert,
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.mark.parametrize("var", ["REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"])
def test_insecure_and_ca_bundle_win_over_the_environment(
    spec: Path, tls_files: tuple[str, str], monkeypatch: pytest.MonkeyPatch, var: str
) -> None:
    """Rule: TLS flags beat REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE (the session ignores them)."""
    monkeypatch.setenv(var, "/etc/ssl/certs/ca-certificates.crt")
    with fault_server(ok, tls=tls_files) as srv:
        plain, _ = run_check(spec, srv.url)
        insecure, _ = run_check(spec, srv.url, "--insecure")
        bundle, _ = run_check(spec, srv.url, "--ca-bundle", tls_files[0])
    assert plain.code == 3 and "TLS handshake" in plain.stderr
    assert insecure.code == 1, insecure.stderr
    assert bundle.code == 1, bundle.stderr


# ------------------------------------------------------------------ 7: redirects


def test_redirects_to_another_origin_are_not_followed(spec: Path) -> None:
    """Rule: redirects only within the same origin; nothing of ours is sent elsewhere."""
    with fault_server(ok) as other:

        def bounce(req: Seen, i: int) -> Reply:
            return Reply(307, "", {"Location": other.url + req.path})

        with fault_server(bounce) as srv:
            run, _ = run_check(spec, srv.url, "--header", "X-Key: hdr-REDIRECT", "--param", "k=v1")
    line = one_line_error(run, 3)
    assert "another origin" in line and other.seen == []


def test_redirects_within_the_origin_are_followed(spec: Path) -> None:
    def script(req: Seen, i: int) -> Reply:
        if not req.path.startswith("/moved"):
            return Reply(308, "", {"Location": "/moved" + req.path})
        return ok(req, i)

    with fault_server(script) as srv:
        run, _ = run_check(spec, srv.url, "--header", "X-Key: same-origin")
    assert run.code == 1, run.stderr
    moved = [r for r in srv.seen if r.path.startswith("/moved")]
    assert moved and all(r.headers.get("X-Key") == "same-origin" for r in moved)


# ------------------------------------------------------------------ 9: time bounds


def test_a_dripping_server_is_cut_off_at_the_timeout(spec: Path) -> None:
    """Rule: --timeout bounds a whole request, body included: a server dripping a byte a second
    ends within timeout × (retries + 1) plus start-up, and the message says the bound."""
    with fault_server(
        lambda r, i: Reply(200, matrix(r.form) if "step" in r.form else empty(r), drip=0.5)
    ) as srv:
        run, took = run_check(spec, srv.url, "--timeout", "3")
    line = one_line_error(run, 3)
    assert "within 3 s" in line and "at most 12 s" in line
    assert took < 3 * 4 + 2
    assert took < 5  # in fact one attempt: a timeout is not replayed


def test_a_hung_server_takes_the_timeout_not_a_multiple(spec: Path) -> None:
    with fault_server(lambda r, i: Reply(200, EMPTY, delay=6)) as srv:
        run, took = run_check(spec, srv.url, "--timeout", "1")
    assert "within 1 s" in one_line_error(run, 3)
    assert took < 3


def test_retry_after_is_capped_within_the_deadline(spec: Path) -> None:
    """Rule: a Retry-After that does not fit in the request's deadline is not waited for."""
    with fault_server(lambda r, i: Reply(429, "slow down", {"Retry-After": "60"})) as srv:
        run, took = run_check(spec, srv.url, "--timeout", "5")
    assert "overloaded" in one_line_error(run, 3)
    assert took < 5 and len(srv.seen) == 1


def test_deadline_bounds_the_whole_run(spec: Path) -> None:
    with fault_server(lambda r, i: Reply(200, EMPTY, delay=5)) as srv:
        run, took = run_check(spec, srv.url, "--timeout", "30", "--deadline", "1")
    assert "--deadline of 1 s" in one_line_error(run, 3)
    assert took < 3


# ------------------------------------------------------------------ 10: size


def test_an_answer_larger_than_the_cap_fails(spec: Path) -> None:
    """Rule: answers above --max-answer-size (after decompression) are exit 3, read no further."""
    big = json.dumps(
        {
            "status": "success",
            "data": {"resultType": "matrix", "result": []},
            "pad": "x" * 3_000_000,
        }
    )
    with fault_server(lambda r, i: Reply(200, big)) as srv:
        run, _ = run_check(spec, srv.url, "--max-answer-size", "1MiB")
    assert "exceeds --max-answer-size 1MiB" in one_line_error(run, 3)


def test_a_gzip_bomb_is_stopped_while_it_inflates(spec: Path) -> None:
    inflated = b'{"status":"success","data":{"resultType":"matrix","result":[]},"pad":"'
    bomb = gzip.compress(inflated + b" " * 200_000_000 + b'"}', compresslevel=9)
    assert len(bomb) < 1_000_000
    headers = {"Content-Type": "application/json", "Content-Encoding": "gzip"}
    with fault_server(lambda r, i: Reply(200, bomb, headers)) as srv:
        run, took = run_check(spec, srv.url)
    assert "exceeds --max-answer-size 64MiB" in one_line_error(run, 3)
    assert took < 10


# ------------------------------------------------------------------ 13: malformed answers


def _answer(data: object, **extra: object) -> Callable[[Seen, int], Reply]:
    body = json.dumps({"status": "success", "data": data, **extra})
    return lambda r, i: Reply(200, body)


@pytest.mark.parametrize(
    "script",
    [
        _answer({"resultType": "matrix", "result": 5}),
        _answer({"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "x"]]}]}),
        _answer({"resultType": "matrix", "result": [{"metric": {}, "values": [[1]]}]}),
        _answer({"resultType": "matrix", "result": [{"metric": {}, "values": [[None, None]]}]}),
        _answer({"resultType": "matrix", "result": []}, warnings=5),
        _answer({"resultType": "matrix", "result": [{"metric": {"le": 42}, "values": []}]}),
        _answer({"resultType": "matrix", "result": [{"metric": {}, "values": [[1, "+Inf"]]}]}),
        _answer({"resultType": "banana", "result": []}),
        _answer("data"),
    ],
    ids=["result-5", "value-x", "short-pair", "nulls", "warnings-5", "le-42", "inf", "type", "str"],
)
def test_a_malformed_success_answer_is_a_source_error(
    spec: Path, script: Callable[[Seen, int], Reply]
) -> None:
    """Rule: a malformed answer is the server's fault: exit 3 with one line, never exit 70."""
    with fault_server(script) as srv:
        run, _ = run_check(spec, srv.url)
    assert run.code in (3, 4), run.stderr  # +Inf may read as a counter reset: no data
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr
