"""Rule: no value we send that may be secret is ever printed or written — not in stdout, stderr,
any output file, chart or snapshot, with or without --debug, on any error path, even when the
server echoes every header, parameter and body it received.

Secrets: a bearer token, a basic-auth password, a URL password holding `/`, `#` and `?`, a tenant
header and a token parameter in the URL. (One credential source per run: they exclude each
other, which is itself a rule.)
"""

from __future__ import annotations

import base64
import json
import socket
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.check.conftest import Run, slo
from tests.prom.faultserver import Reply, Seen, fault_server
from tests.prom.test_faults import is_raw, matrix, raw_samples

AT = "1767000000"
TOKEN = "tok-S3CRET-bearer"
PASSWORD = "pw-S3CRET-basic"
URL_PASSWORD = "u/p#w?S3CRET-url"
TENANT = "tenant-S3CRET-hdr"
PARAM = "qp-S3CRET-param"
SECRETS = [TOKEN, PASSWORD, URL_PASSWORD, TENANT, PARAM]
#: the forms a secret takes on the wire, which an echo could bring back
WIRE = [
    *SECRETS,
    quote(URL_PASSWORD, safe=""),
    base64.b64encode(f"alice:{PASSWORD}".encode()).decode(),
    base64.b64encode(f"bob:{URL_PASSWORD}".encode()).decode(),
]

SPEC = """version: slo/v1
service: shop
slos:
  - name: avail
    objective: 99
    window: 1d
    sli: {ratio: {good: 'req_total{code="200"}', total: req_total}}
"""


def echo_text(req: Seen) -> str:
    """Everything the request carried, as a server that logs and echoes it would."""
    parts = [f"{k}: {v}" for k, v in req.headers.items()]
    parts += [f"{k}={v}" for k, v in {**req.query, **req.form}.items()]
    return " | ".join(parts)


def error(status: int, kind: str) -> Callable[[Seen, int], Reply]:
    def script(req: Seen, i: int) -> Reply:
        body = {"status": "error", "errorType": kind, "error": echo_text(req)}
        return Reply(status, json.dumps(body))

    return script


def plain(status: int, ctype: str = "text/html") -> Callable[[Seen, int], Reply]:
    return lambda req, i: Reply(status, f"<html>{echo_text(req)}</html>", {"Content-Type": ctype})


def warnings(req: Seen, i: int) -> Reply:
    if is_raw(req.form):
        body = json.loads(raw_samples(req.form))
    else:
        # range answers, and no series for an instant query (a cut bin's pieces)
        body = json.loads(matrix(req.form)) if "query" in req.form else _empty()
    body["warnings"] = [echo_text(req)]
    return Reply(200, json.dumps(body))


def truncated(req: Seen, i: int) -> Reply:
    return Reply(200, '{"status": "success", "data": {"x": "' + echo_text(req))


def malformed(req: Seen, i: int) -> Reply:
    data = {"resultType": "matrix", "result": [{"metric": {}, "values": [[1, echo_text(req)]]}]}
    return Reply(200, json.dumps({"status": "success", "data": data}))


def label_echo(req: Seen, i: int) -> Reply:
    data = {"resultType": echo_text(req), "result": []}
    return Reply(200, json.dumps({"status": "success", "data": data}))


def ok(req: Seen, i: int) -> Reply:
    if is_raw(req.form):
        return Reply(200, raw_samples(req.form))
    return Reply(200, matrix(req.form) if "step" in req.form else json.dumps(_empty()))


def _empty() -> dict:
    return {"status": "success", "data": {"resultType": "matrix", "result": []}}


ERROR_SCRIPTS: dict[str, Callable[[Seen, int], Reply]] = {
    "400": error(400, "bad_data"),
    "401": error(401, "unauthorized"),
    "403": error(403, "forbidden"),
    "404": plain(404),
    "422-limit": error(422, "execution"),
    "429": plain(429, "text/plain"),
    "502-proxy": plain(502),
    "503-timeout": error(503, "timeout"),
    "500": error(500, "internal"),
    "login-page": plain(200),
    "truncated": truncated,
    "malformed": malformed,
    "result-type": label_echo,
    "warnings": warnings,
    "drip": lambda req, i: Reply(200, echo_text(req) * 20, drip=0.3),
    "too-large": lambda req, i: Reply(200, echo_text(req) * 20_000),
}


@pytest.fixture
def spec(tmp_path: Path) -> Path:
    path = tmp_path / "shop.yaml"
    path.write_text(SPEC, encoding="utf-8")
    return path


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("SLO_PROMETHEUS_URL", "SLO_BEARER_TOKEN", "REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("SLO_BASIC_AUTH_PASSWORD", PASSWORD)
    monkeypatch.setenv("MY_TOKEN", TOKEN)


def credentials(kind: str, base: str) -> tuple[str, list[str]]:
    """(URL, flags) for one credential source, with the tenant header and the URL token."""
    host = base.split("://", 1)[1]
    scheme = base.split("://", 1)[0]
    url = f"{base}/prom?token={PARAM}"
    flags = ["--header", f"X-Scope-OrgID: {TENANT}", "--timeout", "2", "--max-answer-size", "64KiB"]
    if kind == "bearer":
        flags += ["--bearer-token-env", "MY_TOKEN"]
    elif kind == "basic":
        flags += ["--basic-auth-user", "alice"]
    else:
        url = f"{scheme}://bob:{quote(URL_PASSWORD, safe='')}@{host}/prom?token={PARAM}"
    return url, flags


def assert_clean(run: Run, files: list[Path] = ()) -> None:  # type: ignore[assignment]
    texts = {"stdout": run.stdout, "stderr": run.stderr}
    for f in files:
        for path in [f] if f.is_file() else sorted(p for p in f.rglob("*") if p.is_file()):
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    leaks = [(where, s) for where, text in texts.items() for s in WIRE if s in text]
    assert leaks == [], leaks


CREDENTIALS = ["bearer", "basic", "url"]


@pytest.mark.parametrize("cred", CREDENTIALS)
@pytest.mark.parametrize("case", sorted(ERROR_SCRIPTS))
def test_no_secret_on_any_error_path(spec: Path, cred: str, case: str) -> None:
    with fault_server(ERROR_SCRIPTS[case]) as srv:
        url, flags = credentials(cred, srv.url)
        for debug in ([], ["--debug"]):
            run = slo(*debug, "check", str(spec), "--prometheus-url", url, "--at", AT, *flags)
            assert run.code == 3, (case, run.code, run.stderr)
            assert_clean(run)
    assert srv.seen  # the secrets were really sent


@pytest.mark.parametrize("cred", CREDENTIALS)
def test_no_secret_when_the_server_is_gone_or_redirects(spec: Path, cred: str) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    with fault_server(ok) as other:

        def bounce(req: Seen, i: int) -> Reply:
            return Reply(302, "", {"Location": f"{other.url}/x?echo={quote(echo_text(req))}"})

        with fault_server(bounce) as srv:
            for base in (f"http://127.0.0.1:{port}", srv.url, srv.url.replace("http", "https")):
                url, flags = credentials(cred, base)
                for debug in ([], ["--debug"]):
                    run = slo(
                        *debug, "check", str(spec), "--prometheus-url", url, "--at", AT, *flags
                    )
                    assert run.code == 3, run.stderr
                    assert_clean(run)
    assert other.seen == []


def test_no_secret_in_usage_errors(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLO_BEARER_TOKEN", TOKEN)
    for debug in ([], ["--debug"]):
        runs = [
            slo(
                *debug,
                "check",
                str(spec),
                "--prometheus-url",
                f"http://bob:{URL_PASSWORD}@127.0.0.1:9/?token={PARAM}",
            ),
            slo(
                *debug,
                "check",
                str(spec),
                "--prometheus-url",
                f"http://bob:{quote(URL_PASSWORD, safe='')}@127.0.0.1:9",
            ),
            slo(
                *debug,
                "check",
                str(spec),
                "--prometheus-url",
                "http://127.0.0.1:9",
                "--header",
                f"{TENANT}",
            ),
            slo(
                *debug,
                "check",
                str(spec),
                "--prometheus-url",
                "http://127.0.0.1:9",
                "--param",
                f"{PARAM}",
            ),
            slo(
                *debug,
                "check",
                str(spec),
                "--prometheus-url",
                "http://127.0.0.1:9",
                "--header",
                f"X-Scope-OrgID: {TENANT}\u20ac",
            ),
        ]
        for run in runs:
            assert run.code == 2, run.stderr
            assert_clean(run)


@pytest.mark.parametrize("cred", CREDENTIALS)
def test_no_secret_in_any_output_format_or_file(spec: Path, tmp_path: Path, cred: str) -> None:
    with fault_server(warnings) as srv:
        url, flags = credentials(cred, srv.url)
        flags += ["--allow-partial", "--max-answer-size", "64MiB"]
        for debug in ([], ["--debug"]):
            for fmt in ("table", "json", "markdown", "csv", "junit"):
                out = tmp_path / f"check.{fmt}"
                for extra in ([], ["--output", str(out)]):
                    run = slo(
                        *debug,
                        "check",
                        str(spec),
                        "--prometheus-url",
                        url,
                        "--at",
                        AT,
                        "--format",
                        fmt,
                        "--details",
                        *flags,
                        *extra,
                    )
                    assert run.code == 1, (fmt, run.stderr)
                    assert_clean(run, [out] if extra else [])
            for fmt in ("markdown", "html", "json", "csv"):
                out, charts = tmp_path / f"report.{fmt}", tmp_path / "charts"
                run = slo(
                    *debug,
                    "report",
                    str(spec),
                    "--prometheus-url",
                    url,
                    "--at",
                    AT,
                    "--period",
                    "1d",
                    "--format",
                    fmt,
                    "--output",
                    str(out),
                    "--charts",
                    str(charts),
                    *flags,
                )
                assert run.code == 0, (fmt, run.stderr)
                assert_clean(run, [out, charts])
            snap = tmp_path / "snap.json"
            run = slo(
                *debug,
                "snapshot",
                str(spec),
                "--prometheus-url",
                url,
                "--at",
                AT,
                "--out",
                str(snap),
                *flags,
            )
            assert run.code == 0, run.stderr
            assert_clean(run, [snap])
            replay = slo(*debug, "check", str(spec), "--from", str(snap), "--format", "json")
            assert_clean(replay)
    assert any(r.headers.get("X-Scope-OrgID") == TENANT for r in srv.seen)
