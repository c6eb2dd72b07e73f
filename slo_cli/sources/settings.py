"""How to reach a Prometheus-compatible server: URL, auth, TLS, timeouts, engine presets.

Stdlib only, so the CLI can build settings without loading the HTTP client. Settings hold the
*names* of secrets (an environment variable, a file path), never their values: the values are
read when a session is made (`slo_cli.sources.http`), so a settings object can be printed,
logged or recorded safely.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from slo_cli.errors import UsageError

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
    "SLO_WORKERS": "workers",
    "SLO_ALLOW_PARTIAL": "allow_partial",
}

#: config-file key -> settings field (the file may hold these under a `prometheus:` key)
CONFIG_KEYS: dict[str, str] = {
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
    "workers": "workers",
    "allow_partial": "allow_partial",
    "params": "extra_params",
}


@dataclass(frozen=True)
class ConnectionSettings:
    """Everything needed to open sessions to one server. Safe to print: no secret values.

    `timeout_s` is the read timeout in seconds; the server-side `timeout` query parameter is set
    a little below it so the server gives up (with a clean 503) before the client does.
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
        return names

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


def _as_number(name: str, value: Any, kind: type, minimum: float) -> Any:
    try:
        number = kind(value)
    except (TypeError, ValueError):
        raise UsageError(f"{name}: expected a number, got {value!r}") from None
    if number < minimum:
        raise UsageError(f"{name}: must be at least {minimum}, got {value!r}")
    return number


def parse_header(text: str) -> tuple[str, str]:
    """'Name: value' -> (name, value). The value is never echoed back in errors."""
    name, sep, value = text.partition(":")
    if not sep or not name.strip():
        raise UsageError(f"--header: expected 'Name: value', got a value starting {name[:20]!r}")
    return name.strip(), value.strip()


def _pairs(name: str, value: Any, parse: Any) -> tuple[tuple[str, str], ...]:
    if isinstance(value, Mapping):
        return tuple((str(k), str(v)) for k, v in value.items())
    if isinstance(value, str):
        items = [p for chunk in value.splitlines() for p in chunk.split(";") if p.strip()]
        return tuple(parse(p) for p in items)
    if isinstance(value, list | tuple):
        out = []
        for item in value:
            out.append(tuple(item) if isinstance(item, tuple) else parse(str(item)))
        return tuple(out)
    raise UsageError(f"{name}: expected a mapping or a list of 'name: value'")


def _parse_param(text: str) -> tuple[str, str]:
    key, sep, value = text.partition("=")
    if not sep or not key.strip():
        raise UsageError(f"--param: expected 'name=value', got {text!r}")
    return key.strip(), value.strip()


def _convert(base: ConnectionSettings, merged: dict[str, Any]) -> ConnectionSettings:
    values: dict[str, Any] = {}
    for name, value in merged.items():
        if name in ("insecure", "allow_partial"):
            values[name] = _as_bool(name, value)
        elif name == "timeout_s":
            values[name] = _as_number("--timeout", value, float, 0.001)
        elif name == "workers":
            values[name] = _as_number("--workers", value, int, 1)
        elif name == "headers":
            values[name] = _pairs("--header", value, parse_header)
        elif name == "extra_params":
            values[name] = _pairs("--param", value, _parse_param)
        elif name == "engine":
            engine = str(value).strip().lower()
            if engine not in ENGINES:
                raise UsageError(f"--engine: expected one of {', '.join(ENGINES)}, got {value!r}")
            values[name] = engine
        else:
            values[name] = None if value is None else str(value)
    settings = replace(base, **values)
    if settings.url is not None:
        url = settings.url.strip()
        if not url.startswith(("http://", "https://")):
            raise UsageError(f"--prometheus-url: expected http:// or https://, got {url!r}")
        settings = replace(settings, url=url.rstrip("/"))
    if bool(settings.client_cert) != bool(settings.client_key) and settings.client_key:
        raise UsageError("--client-key needs --client-cert")
    settings = replace(settings, connect_timeout_s=min(10.0, settings.timeout_s))
    return settings
