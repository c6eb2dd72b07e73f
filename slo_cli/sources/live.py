"""The live transport: one requests.Session per worker, held by a PrometheusConnect.

prometheus-api-client's `PrometheusConnect` is built with our own `requests.Session` (CA bundle,
client certificate, headers, auth) and a urllib3 `Retry` that retries connection failures only.
The session's adapter gives the urllib3 connection pool (TLS, client certificate, proxy) once
per worker; every exchange then goes through `slo_cli.sources.wire` on that pool (total
deadline, size cap, same-origin redirects, keep-alive), not through `Session.request`, whose
per-request preparation cost more client CPU than parsing the answers (issue 12). The session
never reads the environment itself: what it needs (proxies, a CA bundle variable) comes from
the environment mapping the CLI handed down.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from slo_cli.sources import errors as E
from slo_cli.sources.http import (
    BACKOFF_S,
    MAX_RETRIES,
    Clock,
    RawAnswer,
    Recorder,
    Transport,
    _short,
    redact_url,
)
from slo_cli.sources.scrub import scrub
from slo_cli.sources.settings import ConnectionSettings
from slo_cli.sources.wire import Route


class LiveTransport(Transport):
    """A transport over one requests.Session held by a PrometheusConnect (one per worker)."""

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        clock: Clock,
        recorder: Recorder | None = None,
        max_retries: int = MAX_RETRIES,
        backoff_s: float = BACKOFF_S,
        run_deadline: float | None = None,
    ) -> None:
        super().__init__(
            allow_partial=settings.allow_partial,
            auth_headers=settings.auth_header_names(),
            url=redact_url(settings.base_url),
            max_retries=max_retries,
            backoff_s=backoff_s,
            clock=clock,
            timeout_s=settings.timeout_s,
            run_deadline=run_deadline,
            secrets=settings.secret_values(),
        )
        self.settings = settings
        self.recorder = recorder
        #: shared by the transports of one source: at most that many exchanges at once
        self.gate: threading.BoundedSemaphore | None = None
        self.prom = _connect(settings)
        #: the urllib3 pool, retries and headers every exchange uses (set up on first send)
        self._route: Route | None = None

    def _record(self, path: str, params: dict[str, str], answer: RawAnswer) -> None:
        if self.recorder is not None:  # a snapshot never holds what a server echoed of ours
            self.recorder.add(path, params, replace(answer, text=scrub(answer.text, self.secrets)))

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        from slo_cli.sources.wire import Exchange, Expired, exchange

        assert self.clock is not None and self.attempt_deadline is not None
        s = self.settings
        form = {**params, **s.query_params}
        if path in ("/api/v1/query", "/api/v1/query_range"):
            # the server gives up (503 timeout) a little before we stop waiting
            left = self.attempt_deadline - self.clock.monotonic()
            form.setdefault("timeout", f"{max(1, int(min(s.timeout_s, left) * 0.9))}s")
        post = method == "POST"
        ex = Exchange(
            method=method,
            url=self.prom.url + path,
            params=dict(s.url_params) if post else {**dict(s.url_params), **form},
            form=form if post else None,
            connect_timeout_s=s.connect_timeout_s,
        )
        gate = self.gate
        # waiting for the gate counts against this attempt's time, as waiting for the server
        if gate is not None and not gate.acquire(
            timeout=max(0.0, self.attempt_deadline - self.clock.monotonic())
        ):
            raise self._expired(params)
        self.requests_sent += 1
        try:
            if self._route is None:
                self._route = _route(self.prom, s)
            got = exchange(
                self._route,
                ex,
                deadline=self.attempt_deadline,
                monotonic=self.clock.monotonic,
                sleep=self.clock.sleep,
                max_bytes=s.max_answer_bytes,
                shown_url=self.url,
            )
        except Expired:
            raise self._expired(params) from None
        except E.SourceError:
            raise
        except Exception as exc:  # requests/urllib3/ssl failures: no answer at all
            raise self._no_answer(exc, params) from None
        finally:
            if gate is not None:
                gate.release()
        return RawAnswer(got.status, got.content_type, got.text, got.retry_after)

    def _no_answer(self, exc: Exception, params: dict[str, str]) -> E.SourceError:
        """The error for an exchange that got no answer: TLS, DNS, connect, a broken read."""
        import ssl

        import urllib3

        from slo_cli.sources.http11 import Stale

        errors = urllib3.exceptions
        if isinstance(exc, Stale):
            return E.UnreachableError(
                f"cannot connect to {self.url}: it closed the connection without answering",
                hint="is the server up and the port right?",
            )
        if isinstance(exc, ssl.SSLError | errors.SSLError):
            return E.UnreachableError(
                f"TLS handshake with {self.url} failed",
                hint="pass --ca-bundle FILE for a private CA (or --insecure to skip checks)",
            )
        if isinstance(exc, errors.NameResolutionError):
            return E.UnreachableError(
                f"cannot resolve {self.url}", hint="check the host name (DNS)"
            )
        refused = isinstance(exc, errors.NewConnectionError)  # a ConnectTimeoutError too
        if not refused and isinstance(exc, errors.TimeoutError | TimeoutError):
            return self._expired(params)
        if isinstance(exc, ConnectionResetError | BrokenPipeError | ConnectionAbortedError):
            return E.BadResponseError(
                f"the connection to {self.url} broke while reading the answer",
                hint="a proxy cut the answer short; retry, or lower --workers",
            )
        if isinstance(exc, OSError | errors.HTTPError):  # refused, unreachable, proxy failed
            return E.UnreachableError(
                f"cannot connect to {self.url}", hint="is the server up and the port right?"
            )
        return E.UnreachableError(
            f"request to {self.url} failed: {type(exc).__name__}",
            hint="check --prometheus-url and the TLS files",
        )

    def _expired(self, params: dict[str, str]) -> E.DeadlineError:
        t = self.settings.timeout_s
        query = _short(params.get("query", ""), 300) or None
        clock = self.clock
        if (
            self.run_deadline is not None
            and clock is not None
            and clock.monotonic() >= self.run_deadline - 1e-3
        ):
            return E.DeadlineError(
                f"the run's --deadline of {self.settings.deadline_s:g} s passed "
                f"while waiting for {self.url}",
                query=query,
                hint="raise --deadline, or check fewer SLOs per run",
            )
        return E.DeadlineError(
            f"no complete answer from {self.url} within {t:g} s (--timeout bounds each "
            f"request: connecting, waiting and reading; with retries at most "
            f"{t * (self.max_retries + 1):g} s)",
            query=query,
            hint="raise --timeout, or use a shorter window or a recording rule",
        )

    def close(self) -> None:
        self.prom.close()


def _verify(settings: ConnectionSettings) -> bool | str:
    """TLS verification, explicit so the environment never overrides a flag: --insecure, then
    --ca-bundle (SLO_CA_BUNDLE), then REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, then the system."""
    if settings.insecure:
        return False
    if settings.ca_bundle:
        return settings.ca_bundle
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        if settings.env.get(var):
            return settings.env[var]
    return True


def _proxies(settings: ConnectionSettings) -> dict[str, str]:
    """Proxies from the environment the CLI handed down (the session ignores os.environ)."""
    from requests.utils import should_bypass_proxies

    env = settings.env
    out = {}
    for scheme in ("http", "https"):
        value = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY")
        value = value or env.get("all_proxy") or env.get("ALL_PROXY")
        if value:
            out[scheme] = value
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ","
    if out and should_bypass_proxies(settings.base_url, no_proxy=no_proxy):
        return {}
    return out


def _connect(settings: ConnectionSettings) -> Any:
    """A PrometheusConnect over our own session; the client retries connections only.

    The session does not read the environment (`trust_env = False`): TLS verification, proxies
    and credentials are exactly what the settings say (no ~/.netrc, no REQUESTS_CA_BUNDLE
    overriding --insecure or --ca-bundle).
    """
    import requests
    from prometheus_api_client import PrometheusConnect
    from urllib3.util.retry import Retry

    session = requests.Session()
    session.trust_env = False
    if settings.insecure:  # the user chose it: no warning per request on stderr
        import urllib3

        urllib3.disable_warnings(urllib3.exceptions.InsecureRequestWarning)
    session.verify = _verify(settings)
    session.proxies.update(_proxies(settings))
    if settings.client_cert:
        session.cert = (
            (settings.client_cert, settings.client_key)
            if settings.client_key
            else settings.client_cert
        )
    headers = {name: value for name, value in settings.headers}
    token = settings.bearer_token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    auth = settings.basic_auth()
    # connection failures never reached the server, so replaying them (even a POST) is safe;
    # statuses are decided by Transport (a 503 query timeout must not be replayed as-is)
    retry = Retry(
        total=2,
        connect=2,
        read=0,
        status=0,
        other=0,
        redirect=0,
        backoff_factor=0.2,
        allowed_methods=None,
        status_forcelist=(),
        respect_retry_after_header=False,
        raise_on_status=False,
    )
    return PrometheusConnect(
        url=settings.base_url,
        headers=headers,
        session=session,
        retry=retry,
        auth=auth,
        timeout=settings.timeout_s,
    )


def _route(prom: Any, settings: ConnectionSettings) -> Route:
    """The urllib3 pool for the server's origin, from the session's own adapter (the one the
    client library mounted with its connection-only Retry), so TLS verification, the client
    certificate and proxies are exactly what the session was given; and the headers a request
    through the session would carry (its defaults, ours, basic auth), as one header block.
    No cookies are kept: the API needs none."""
    import requests

    session = prom._session
    url = prom.url + "/"
    adapter = session.get_adapter(url)
    prep = requests.PreparedRequest()
    prep.prepare(method="GET", url=url)
    verify, proxies = _verify(settings), session.proxies
    pool = adapter.get_connection_with_tls_context(prep, verify, proxies=proxies, cert=session.cert)
    adapter.cert_verify(pool, url, verify, session.cert)
    merged = requests.structures.CaseInsensitiveDict(session.headers)
    merged["Accept-Encoding"] = "gzip, deflate"  # what wire inflates (a user's header wins)
    merged.update(prom.headers or {})
    if prom.auth:
        prep.prepare_auth(prom.auth)
        merged["Authorization"] = prep.headers["Authorization"]
    absolute = adapter.request_url(prep, proxies) != prep.path_url
    if absolute:  # through an HTTP proxy: the proxy's own credentials
        merged.update(pool.proxy_headers or {})
    parts = urlsplit(url)
    head = _header_block({"Host": parts.netloc, **merged})
    merged.setdefault("Content-Type", "application/x-www-form-urlencoded")
    from urllib3.util.proxy import connection_requires_http_tunnel

    retry = adapter.max_retries
    return Route(
        pool=pool,
        connect_tries=1 + int(retry.connect or 0),
        backoff_s=float(retry.backoff_factor),
        absolute=absolute,
        tunnel=connection_requires_http_tunnel(pool.proxy, pool.proxy_config, pool.scheme),
        headers=head,
        form_headers=_header_block({"Host": parts.netloc, **merged}),
    )


def _header_block(headers: Any) -> str:
    """`Name: value` lines, each ending in CRLF; a line break inside one is refused (it would
    let a value smuggle in headers or a request)."""
    lines = []
    for name, value in headers.items():
        text = f"{name}: {value}"
        if "\r" in text or "\n" in text or not name or ":" in name:
            raise ValueError(f"invalid header {name!r}")
        lines.append(text + "\r\n")
    return "".join(lines)
