"""How to reach a Prometheus-compatible server: URL, auth, TLS, timeouts, engine presets.

Stdlib only, so the CLI can build settings without loading the HTTP client. Settings hold the
*names* of secrets (an environment variable, a file path), never their values: the values are
read when a session is made (`slo_cli.sources.http`), so a settings object can be printed,
logged or recorded safely.
"""

from __future__ import annotations

import math
import os
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import quote, quote_plus

from slo_cli.errors import UsageError
from slo_cli.sources.urls import split_url

ENGINES = ("prometheus", "thanos", "mimir", "cortex", "victoriametrics")

#: Extra query parameters each engine needs for exact, complete answers (prometheus.md,
#: "When one Prometheus is not enough"). User-given parameters override these.
ENGINE_PARAMS: dict[str, dict[str, str]] = {
    "prometheus": {},
    # partial answers must fail, replicas must be deduplicated, raw (not downsampled) data
    "thanos": {"partial_response": "false", "dedup": "true", "max_source_resolution": "0s"},
    "mimir": {},
    "cortex": {},
    # its response cache moves range-query points onto multiples of the step (50+ points,
    # unaligned start; measured on 1.79): nocache=1 answers on the requested grid
    "victoriametrics": {"deny_partial_response": "1", "nocache": "1"},
}

#: Most points one query_range may return (Prometheus: 11,000; VictoriaMetrics: 30,000).
ENGINE_MAX_POINTS: dict[str, int] = {
    "prometheus": 11_000,
    "thanos": 11_000,
    "mimir": 11_000,
    "cortex": 11_000,
    "victoriametrics": 30_000,
}

#: Seconds the newest data may be missing on each engine (VictoriaMetrics hides the newest 30 s).
ENGINE_LAG_S: dict[str, float] = {"victoriametrics": 30.0}

DEFAULT_TIMEOUT_S = 60.0
#: longest --timeout / --deadline accepted (a day): longer is a typo, not a plan
MAX_SECONDS = 86_400.0
#: the largest answer body read (after decompression) unless --max-answer-size says otherwise
DEFAULT_MAX_ANSWER_BYTES = 64 * 2**20
DEFAULT_WORKERS = 4
DEFAULT_TOKEN_ENV = "SLO_BEARER_TOKEN"
DEFAULT_PASSWORD_ENV = "SLO_BASIC_AUTH_PASSWORD"

#: environment variable -> settings field (values are strings; converted like flags)
ENV_VARS: dict[str, str] = {
    "SLO_PROMETHEUS_URL": "url",
    "SLO_ENGINE": "engine",
    "SLO_HEADERS": "headers",  # "Name: value" pairs separated by newlines or ";"
    "SLO_BEARER_TOKEN_FILE": "bearer_token_file",
    "SLO_BASIC_AUTH_USER": "basic_auth_user",
    "SLO_CA_BUNDLE": "ca_bundle",
    "SLO_CLIENT_CERT": "client_cert",
    "SLO_CLIENT_KEY": "client_key",
    "SLO_INSECURE": "insecure",
    "SLO_TIMEOUT": "timeout_s",
    "SLO_DEADLINE": "deadline_s",
    "SLO_MAX_ANSWER_SIZE": "max_answer_bytes",
    "SLO_WORKERS": "workers",
    "SLO_ALLOW_PARTIAL": "allow_partial",
}

#: config-file key -> settings field: the flags' names (`prometheus-url` for
#: --prometheus-url), then the older spellings, still accepted (the file may hold these under
#: a `prometheus:` key)
CONFIG_KEYS: dict[str, str] = {
    "prometheus-url": "url",
    "header": "headers",
    "param": "extra_params",
    "bearer-token-env": "bearer_token_env",
    "bearer-token-file": "bearer_token_file",
    "basic-auth-user": "basic_auth_user",
    "basic-auth-password-env": "basic_auth_password_env",
    "ca-bundle": "ca_bundle",
    "client-cert": "client_cert",
    "client-key": "client_key",
    "max-answer-size": "max_answer_bytes",
    "allow-partial": "allow_partial",
    "url": "url",
    "engine": "engine",
    "headers": "headers",
    "bearer_token_env": "bearer_token_env",
    "bearer_token_file": "bearer_token_file",
    "basic_auth_user": "basic_auth_user",
    "basic_auth_password_env": "basic_auth_password_env",
    "ca_bundle": "ca_bundle",
    "client_cert": "client_cert",
    "client_key": "client_key",
    "insecure": "insecure",
    "timeout": "timeout_s",
    "deadline": "deadline_s",
    "max_answer_size": "max_answer_bytes",
    "workers": "workers",
    "allow_partial": "allow_partial",
    "params": "extra_params",
}


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to open sessions to one server. Safe to print: no secret values.

    `timeout_s` bounds each request in total (connecting, waiting, reading the whole answer,
    retries included); the server-side `timeout` query parameter is set a little below it so
    the server gives up (with a clean 503) before the client does. `deadline_s` bounds the
    whole run. `url` never holds user info or a query string: those are `url_user`/
    `url_password` (basic auth) and `url_params` (sent with every request), never shown.
    """

    url: str | None = None
    engine: str = "prometheus"
    headers: tuple[tuple[str, str], ...] = ()
    bearer_token_env: str | None = None
    bearer_token_file: str | None = None
    basic_auth_user: str | None = None
    basic_auth_password_env: str = DEFAULT_PASSWORD_ENV
    ca_bundle: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    insecure: bool = False
    timeout_s: float = DEFAULT_TIMEOUT_S
    connect_timeout_s: float = 10.0
    workers: int = DEFAULT_WORKERS
    allow_partial: bool = False
    extra_params: tuple[tuple[str, str], ...] = ()
    deadline_s: float | None = None
    max_answer_bytes: int = DEFAULT_MAX_ANSWER_BYTES
    url_user: str | None = field(default=None, repr=False)
    url_password: str | None = field(default=None, repr=False)
    url_params: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    from_file: str | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False, compare=False)

    @property
    def query_params(self) -> dict[str, str]:
        """Engine presets overridden by the user's own extra parameters."""
        params = dict(ENGINE_PARAMS.get(self.engine, {}))
        params.update(dict(self.extra_params))
        return params

    @property
    def max_points(self) -> int:
        """Most points one range query may ask for on this engine."""
        return ENGINE_MAX_POINTS.get(self.engine, 11_000)

    @property
    def lag_s(self) -> float:
        """Seconds of newest data this engine may not show yet."""
        return ENGINE_LAG_S.get(self.engine, 0.0)

    @property
    def base_url(self) -> str:
        """The URL without a trailing slash (a trailing slash turns POST into GET via a 301)."""
        if not self.url:
            raise UsageError(
                "no Prometheus URL: pass --prometheus-url or set SLO_PROMETHEUS_URL "
                "(or read a recorded snapshot with --from FILE)"
            )
        return self.url.rstrip("/")

    def auth_header_names(self) -> list[str]:
        """Names (never values) of the headers that carry credentials, for error hints."""
        names = [name for name, _ in self.headers]
        if self.bearer_token_env or self.bearer_token_file or self._env_token_name():
            names.append("Authorization (bearer)")
        elif self.basic_auth_user:
            names.append("Authorization (basic)")
        elif self.url_user is not None:
            names.append("Authorization (basic, from the URL's user info)")
        names += [f"URL parameter {k}" for k, _ in self.url_params]
        return names

    def check_files(self) -> None:
        """Raise a usage error unless every file named (CA bundle, client certificate and key,
        token file) is a readable regular file: before any request, not as a TLS failure."""
        for option, path in (
            ("--ca-bundle", self.ca_bundle),
            ("--client-cert", self.client_cert),
            ("--client-key", self.client_key),
            ("--bearer-token-file", self.bearer_token_file),
        ):
            if path is not None:
                _readable_file(option, path)

    def secret_values(self) -> list[str]:
        """Every value we send that may be secret, longest first, for scrubbing what we print:
        header values, the bearer token, passwords, URL user info and query values, --param
        values (engine presets are public and left out)."""
        values = [v for _, v in self.headers] + [v for _, v in self.url_params]
        values += [v for _, v in self.extra_params]
        values += [self.url_user or "", self.url_password or ""]
        try:
            values.append(self.bearer_token() or "")
            auth = self.basic_auth()
        except UsageError:
            auth = None
        if auth:
            import base64

            values += [*auth, base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode()]
        out = {v for v in values if v.strip()}
        for v in list(out):
            out.add(quote(v, safe=""))
            out.add(quote_plus(v, safe=""))
        return sorted(out, key=lambda v: (-len(v), v))

    def _env_token_name(self) -> str | None:
        if self.bearer_token_env:
            return self.bearer_token_env
        if not self.bearer_token_file and self.env.get(DEFAULT_TOKEN_ENV):
            return DEFAULT_TOKEN_ENV
        return None

    def bearer_token(self) -> str | None:
        """Read the bearer token now, from its environment variable or file (or None)."""
        name = self._env_token_name()
        if name:
            token = self.env.get(name)
            if not token:
                raise UsageError(f"--bearer-token-env {name}: the variable is not set or empty")
            return token.strip()
        if self.bearer_token_file:
            try:
                with open(self.bearer_token_file, encoding="utf-8") as fh:
                    token = fh.read().strip()
            except OSError as exc:
                raise UsageError(
                    f"--bearer-token-file {self.bearer_token_file}: {exc.strerror}"
                ) from None
            if not token:
                raise UsageError(f"--bearer-token-file {self.bearer_token_file}: the file is empty")
            return token
        return None

    def basic_auth(self) -> tuple[str, str] | None:
        """(user, password) with the password read now from its environment variable."""
        if self.url_user is not None:
            return self.url_user, self.url_password or ""
        if not self.basic_auth_user:
            return None
        password = self.env.get(self.basic_auth_password_env)
        if password is None:
            raise UsageError(
                f"--basic-auth-user needs the password in ${self.basic_auth_password_env}"
            )
        return self.basic_auth_user, password

    @classmethod
    def from_sources(
        cls,
        flags: Mapping[str, Any],
        env: Mapping[str, str],
        config: Mapping[str, Any] | None = None,
    ) -> ConnectionSettings:
        """Merge settings: flags over environment variables over the config file over defaults.

        `flags` maps field names to values (None = not given); `env` is the environment the CLI
        hands down (sources never read `os.environ` themselves);
        `config` is the parsed config file (a mapping, optionally under a `prometheus` key).
        """
        env = dict(env)
        merged: dict[str, Any] = {}
        if config:
            section = config.get("prometheus", config)
            if not isinstance(section, Mapping):
                raise UsageError("config file: `prometheus` must be a mapping")
            for key, value in section.items():
                if key not in CONFIG_KEYS:
                    raise UsageError(
                        f"config file: unknown key {key!r} "
                        f"(known: {', '.join(sorted(CONFIG_KEYS))})"
                    )
                merged[CONFIG_KEYS[key]] = value
        for var, name in ENV_VARS.items():
            if env.get(var):
                merged[name] = env[var]
        for name, value in flags.items():
            if value is None or value == () or value == []:
                continue
            merged[name] = value
        known = {f.name for f in fields(cls)}
        unknown = set(merged) - known
        if unknown:
            raise UsageError(f"unknown connection settings: {', '.join(sorted(unknown))}")
        return _convert(cls(env=env), merged)


def _as_bool(name: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on"):
        return True
    if text in ("0", "false", "no", "off", ""):
        return False
    raise UsageError(f"{name}: expected true or false, got {value!r}")


def _as_number(
    name: str, value: Any, kind: type, minimum: float, maximum: float = MAX_SECONDS
) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError, OverflowError):
        raise UsageError(f"{name}: expected a number, got {value!r}") from None
    if not math.isfinite(number) or not minimum <= number <= maximum:
        raise UsageError(
            f"{name}: expected a number from {minimum:g} to {maximum:g}, got {value!r}"
        )
    return number


_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 10**6, "mb": 10**6}
_SIZE_UNITS |= {"mib": 2**20, "g": 10**9, "gb": 10**9, "gib": 2**30}


def parse_size(value: Any, name: str = "--max-answer-size") -> int:
    """`64MiB`, `100MB`, `1048576` -> bytes (at least 1 KiB, at most 16 GiB)."""
    text = str(value).strip().lower().replace(" ", "")
    digits = text.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = text[len(digits) :]
    try:
        number = float(digits)
    except ValueError:
        number = math.nan
    if unit not in _SIZE_UNITS or not math.isfinite(number):
        raise UsageError(f"{name}: expected a size such as 64MiB or 100MB, got {value!r}")
    size = int(number * _SIZE_UNITS[unit])
    if not 1024 <= size <= 16 * 2**30:
        raise UsageError(f"{name}: expected a size from 1KiB to 16GiB, got {value!r}")
    return size


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' -> (name, value). The value is never echoed back in errors."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise UsageError(
            "--header: expected 'Name: value', got a value without ':' (not shown: it may be "
            "a secret)"
        )
    return _check_header(name.strip(), value.strip())


_TOKEN_CHARS = set("!#$%&'*+-.^_`|~0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")


def _check_header(name: str, value: str) -> tuple[str, str]:
    """A header HTTP can carry: a token name, a Latin-1 value without line breaks."""
    if not name or not set(name) <= _TOKEN_CHARS:
        raise UsageError(f"--header: {name[:40]!r} is not a valid header name")
    try:
        value.encode("latin-1")
    except UnicodeEncodeError:
        raise UsageError(
            f"--header {name}: the value holds characters HTTP headers cannot carry "
            "(only Latin-1; percent- or base64-encode it)"
        ) from None
    if any(ord(c) < 32 and c != "\t" for c in value) or "\x7f" in value:
        raise UsageError(f"--header {name}: the value holds a line break or control character")
    return name, value


def _pairs(name: str, value: Any, parse: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple(
            parse(f"{k}{':' if parse is parse_header else '='}{v}") for k, v in value.items()
        )
    if isinstance(value, str):
        items = [p for chunk in value.splitlines() for p in chunk.split(";") if p.strip()]
        return tuple(parse(p) for p in items)
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out.append(
                parse(":".join(item) if parse is parse_header else "=".join(item))
                if isinstance(item, tuple)
                else parse(str(item))
            )
        return tuple(out)
    raise UsageError(f"{name}: expected a mapping or a list of 'name: value'")


def _parse_param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--param: expected 'name=value', got a value starting {text[:3]!r}…")
    return key.strip(), value.strip()


def _convert(base: ConnectionSettings, merged: dict[str, Any]) -> ConnectionSettings:
    values: dict[str, Any] = {}
    for name, value in merged.items():
        if name in ("insecure", "allow_partial"):
            values[name] = _as_bool(name, value)
        elif name == "timeout_s":
            values[name] = _as_number("--timeout", value, float, 0.001)
        elif name == "deadline_s":
            values[name] = _as_number("--deadline", value, float, 0.001)
        elif name == "max_answer_bytes":
            values[name] = parse_size(value)
        elif name == "workers":
            values[name] = _as_number("--workers", value, int, 1, 256)
        elif name == "headers":
            values[name] = _pairs("--header", value, parse_header)
        elif name == "extra_params":
            values[name] = _pairs("--param", value, _parse_param)
        elif name == "engine":
            engine = str(value).strip().lower()
            if engine not in ENGINES:
                raise UsageError(f"--engine: expected one of {', '.join(ENGINES)}, got {value!r}")
            values[name] = engine
        elif name in ("url_user", "url_password", "url_params", "from_file"):
            raise UsageError(f"unknown connection setting: {name}")
        else:
            values[name] = None if value is None else str(value)
    settings = replace(base, **values)
    if settings.url is not None:
        split = split_url(settings.url)
        settings = replace(
            settings,
            url=split.base,
            url_user=split.user,
            url_password=split.password,
            url_params=split.params,
        )
    if bool(settings.client_cert) != bool(settings.client_key) and settings.client_key:
        raise UsageError("--client-key needs --client-cert")
    _check_auth(settings)
    return replace(settings, connect_timeout_s=min(10.0, settings.timeout_s))


def _readable_file(option: str, path: str) -> None:
    """A file the TLS layer (or we) will read: exists, is a regular file, can be opened."""
    try:
        with open(path, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise UsageError(f"{option} {path}: not a regular file")
    except OSError as exc:
        raise UsageError(f"{option} {path}: {exc.strerror or 'cannot be read'}") from None


def _check_auth(settings: ConnectionSettings) -> None:
    """At most one source of the Authorization header; a conflict is an error, never a guess."""
    sources = []
    if settings.url_user is not None:
        sources.append("user info in --prometheus-url")
    if settings.basic_auth_user:
        sources.append("--basic-auth-user")
    token = settings._env_token_name()
    if token:
        sources.append(f"a bearer token (${token})")
    elif settings.bearer_token_file:
        sources.append("--bearer-token-file")
    if any(name.lower() == "authorization" for name, _ in settings.headers):
        sources.append("--header Authorization")
    if len(sources) > 1:
        raise UsageError(
            f"more than one source of credentials: {' and '.join(sources)}; keep one "
            "(the Authorization header can carry only one)"
        )
