"""The connection options shared by every command that reads data (`check`, `report`, `snapshot`).

Usage in a command module::

    @app.command("check")
    @connection_options
    def check(paths: list[Path] = typer.Argument(...), *, connection: ConnectionOptions) -> None:
        source = make_source(connection)          # RecordedSource for --from, else PrometheusSource
        try:
            ...
        finally:
            source.close()

The decorator appends the options below to the command's signature and hands them to the
command as one `ConnectionOptions`. Nothing here imports the HTTP client: `slo --help` stays fast.
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

if TYPE_CHECKING:
    from slo_cli.sources.http import Clock, QueryLog
    from slo_cli.sources.model import Source
    from slo_cli.sources.settings import ConnectionSettings

_PANEL = "Connection"

# name -> (annotation, typer.Option); the names are the ConnectionSettings fields where they match
_OPTIONS: dict[str, tuple[Any, Any]] = {
    "url": (
        Optional[str],
        typer.Option(
            None,
            "--prometheus-url",
            metavar="URL",
            help="Prometheus-compatible API base URL, with any path prefix "
            "(e.g. https://mimir.example/prometheus). Env: SLO_PROMETHEUS_URL.",
            rich_help_panel=_PANEL,
        ),
    ),
    "engine": (
        Optional[str],
        typer.Option(
            None,
            "--engine",
            metavar="ENGINE",
            help="prometheus, thanos, mimir, cortex or victoriametrics: adds that engine's "
            "query parameters (default prometheus). Env: SLO_ENGINE.",
            rich_help_panel=_PANEL,
        ),
    ),
    "headers": (
        Optional[list[str]],
        typer.Option(
            None,
            "--header",
            metavar="'NAME: VALUE'",
            help="Extra HTTP header 'Name: value', repeatable (e.g. 'X-Scope-OrgID: team-a').",
            rich_help_panel=_PANEL,
        ),
    ),
    "extra_params": (
        Optional[list[str]],
        typer.Option(
            None,
            "--param",
            metavar="NAME=VALUE",
            help="Extra query parameter 'name=value' sent with every query, repeatable.",
            rich_help_panel=_PANEL,
        ),
    ),
    "bearer_token_env": (
        Optional[str],
        typer.Option(
            None,
            "--bearer-token-env",
            metavar="VAR",
            help="Read a bearer token from this environment variable "
            "(default: SLO_BEARER_TOKEN when set).",
            rich_help_panel=_PANEL,
        ),
    ),
    "bearer_token_file": (
        Optional[str],
        typer.Option(
            None,
            "--bearer-token-file",
            metavar="FILE",
            help="Read a bearer token from this file.",
            rich_help_panel=_PANEL,
        ),
    ),
    "basic_auth_user": (
        Optional[str],
        typer.Option(
            None,
            "--basic-auth-user",
            metavar="USER",
            help="Basic auth user; the password is read from $SLO_BASIC_AUTH_PASSWORD "
            "(or the variable named by --basic-auth-password-env).",
            rich_help_panel=_PANEL,
        ),
    ),
    "basic_auth_password_env": (
        Optional[str],
        typer.Option(
            None,
            "--basic-auth-password-env",
            metavar="VAR",
            help="Environment variable holding the basic auth password.",
            rich_help_panel=_PANEL,
        ),
    ),
    "ca_bundle": (
        Optional[str],
        typer.Option(
            None, "--ca-bundle", metavar="FILE", help="CA bundle (PEM).", rich_help_panel=_PANEL
        ),
    ),
    "client_cert": (
        Optional[str],
        typer.Option(
            None,
            "--client-cert",
            metavar="FILE",
            help="Client certificate (PEM) for mutual TLS.",
            rich_help_panel=_PANEL,
        ),
    ),
    "client_key": (
        Optional[str],
        typer.Option(
            None,
            "--client-key",
            metavar="FILE",
            help="Client certificate key (PEM).",
            rich_help_panel=_PANEL,
        ),
    ),
    "insecure": (
        Optional[bool],
        typer.Option(
            None,
            "--insecure",
            help="Do not verify the server's TLS certificate.",
            rich_help_panel=_PANEL,
        ),
    ),
    "timeout_s": (
        Optional[float],
        typer.Option(
            None,
            "--timeout",
            metavar="SECONDS",
            help="Total time for one request: connecting, waiting and reading the answer, "
            "retries included (default 60); also sent to the server. Env: SLO_TIMEOUT.",
            rich_help_panel=_PANEL,
        ),
    ),
    "deadline_s": (
        Optional[float],
        typer.Option(
            None,
            "--deadline",
            metavar="SECONDS",
            help="Stop the whole run (every query, retries included) after SECONDS: exit 3. "
            "Env: SLO_DEADLINE.",
            rich_help_panel=_PANEL,
        ),
    ),
    "max_answer_bytes": (
        Optional[str],
        typer.Option(
            None,
            "--max-answer-size",
            metavar="SIZE",
            help="Largest answer read, after decompression (default 64MiB; e.g. 256MiB): "
            "larger answers fail with exit 3. Env: SLO_MAX_ANSWER_SIZE.",
            rich_help_panel=_PANEL,
        ),
    ),
    "workers": (
        Optional[int],
        typer.Option(
            None,
            "--workers",
            metavar="N",
            help="Queries in flight at once (default 4).",
            rich_help_panel=_PANEL,
        ),
    ),
    "allow_partial": (
        Optional[bool],
        typer.Option(
            None,
            "--allow-partial",
            help="Accept answers the server marks partial (warnings / isPartial) "
            "instead of failing.",
            rich_help_panel=_PANEL,
        ),
    ),
    "no_cache": (
        Optional[bool],
        typer.Option(
            None,
            "--no-cache",
            help="Fetch every bin from the server: neither read nor write the bin cache "
            "($XDG_CACHE_HOME/slo). Env: SLO_NO_CACHE.",
            rich_help_panel=_PANEL,
        ),
    ),
    "refresh": (
        Optional[bool],
        typer.Option(
            None,
            "--refresh",
            help="Ignore what the bin cache holds for this server: fetch every bin and "
            "write the cache afresh.",
            rich_help_panel=_PANEL,
        ),
    ),
    "from_file": (
        Optional[Path],
        typer.Option(
            None,
            "--from",
            metavar="FILE",
            help="Read a recorded snapshot (from `slo snapshot`) instead of a server.",
            rich_help_panel=_PANEL,
        ),
    ),
}


#: the connection options that are not ConnectionSettings fields
_NOT_SETTINGS = ("config", "from_file", "no_cache", "refresh")


@dataclass(frozen=True)
class ConnectionOptions:
    """The parsed connection flags, as given (None = not given)."""

    values: dict[str, Any]

    @property
    def cache_mode(self) -> str:
        """`on` (the default), `off` (--no-cache, or SLO_NO_CACHE set) or `refresh`."""
        if self.values.get("no_cache") or os.environ.get("SLO_NO_CACHE", "").strip() not in (
            "",
            "0",
        ):
            return "off"
        return "refresh" if self.values.get("refresh") else "on"

    @property
    def from_file(self) -> Path | None:
        value = self.values.get("from_file")
        return Path(value) if value is not None else None

    def settings(self, env: dict[str, str] | None = None) -> ConnectionSettings:
        """Flags over environment over the config file (raises UsageError on bad values).

        The config file is `values["config"]` when given (a path), else the run's project
        config (`slo_cli.cli.project`, read by the --config option every command has)."""
        from slo_cli.sources.settings import ConnectionSettings

        flags = {k: v for k, v in self.values.items() if k not in _NOT_SETTINGS}
        if self.values.get("config") is not None:
            config = _read_config(self.values.get("config"))
        else:  # the project config file (--config FILE or the discovered .slo.yaml)
            from slo_cli.cli.project import current

            config = current().connection or None
        settings = ConnectionSettings.from_sources(
            flags, os.environ if env is None else env, config
        )
        if self.from_file is not None:
            from dataclasses import replace

            settings = replace(settings, from_file=str(self.from_file))
        return settings


def _read_config(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    import yaml

    from slo_cli.errors import UsageError

    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"--config {path}: {exc.strerror}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}:{mark.column + 1}" if mark is not None else ""
        raise UsageError(f"--config {path}{where}: not valid YAML") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UsageError(f"--config {path}: expected a mapping at the top level")
    return data


#: `--from` on a command that records from a server (`slo snapshot`): accepted, so that the
#: command can say why it cannot replay, but not listed in its help
_HIDDEN_FROM = (Optional[Path], typer.Option(None, "--from", metavar="FILE", hidden=True))


def connection_options(func: Callable[..., Any] | None = None, *, replay: bool = True) -> Any:
    """Add the connection flags to a typer command; it receives them as `connection=`.

    `@connection_options(replay=False)`: a command that only talks to a server; its `--from`
    is hidden from the help (the command refuses it with a message of its own)."""
    if func is None:
        return lambda f: connection_options(f, replay=replay)
    options = _OPTIONS if replay else {**_OPTIONS, "from_file": _HIDDEN_FROM}
    signature = inspect.signature(func, eval_str=True)
    own = [p for p in signature.parameters.values() if p.name != "connection"]
    extra = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=option, annotation=ann)
        for name, (ann, option) in options.items()
    ]
    # keyword-only parameters must follow positional ones
    params = [p for p in own if p.kind != inspect.Parameter.KEYWORD_ONLY]
    params += [p for p in own if p.kind == inspect.Parameter.KEYWORD_ONLY] + extra

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name, None) for name in _OPTIONS}
        return func(*args, connection=ConnectionOptions(values), **kwargs)

    wrapper.__name__ = func.__name__
    wrapper.__qualname__ = func.__qualname__
    wrapper.__doc__ = func.__doc__
    wrapper.__module__ = func.__module__
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper


def make_source(
    connection: ConnectionOptions | ConnectionSettings,
    query_log: QueryLog | None = None,
    cache: str = "off",
) -> Source:
    """A RecordedSource for --from FILE, else a PrometheusSource (client imported only here);
    with `query_log`, every call it makes is logged there. `cache` (`on`, `off`, `refresh`):
    the bin cache of a live source; a logged run (--explain lists every query) never uses it."""
    if isinstance(connection, ConnectionOptions):
        cache = connection.cache_mode
        settings = connection.settings()
    else:
        settings = connection
    if settings.from_file:
        from slo_cli.sources.recorded import RecordedSource

        return RecordedSource(settings.from_file, query_log=query_log)
    from slo_cli.sources.fetch import LOOKBACK_S
    from slo_cli.sources.prometheus import PrometheusSource

    settings.base_url  # noqa: B018 - raises the one-line "no URL" usage error early
    clock = system_clock()
    return PrometheusSource(
        settings,
        clock=clock,
        workers=settings.workers,
        allow_partial=settings.allow_partial,
        run_deadline=run_deadline(settings, clock),
        query_log=query_log,
        cache=None if cache == "off" or query_log is not None else bin_cache(settings, cache),
        lookback_s=LOOKBACK_S,
    )


def bin_cache(settings: ConnectionSettings, mode: str) -> Any:
    """The bin cache of this server identity under $XDG_CACHE_HOME/slo (None, with a
    warning, when that directory cannot be used); its warnings go to stderr."""
    import sys

    from slo_cli.sources.bincache import identity_of, open_cache
    from slo_cli.sources.cachestore import default_dir
    from slo_cli.sources.fetch import LOOKBACK_S

    def warn(message: str) -> None:
        sys.stderr.write(f"slo: warning: {message}\n")

    root = default_dir(dict(settings.env))
    return open_cache(root, identity_of(settings, LOOKBACK_S), warn, refresh=mode == "refresh")


def run_deadline(settings: ConnectionSettings, clock: Clock) -> float | None:
    """The monotonic instant the whole run must end by (--deadline), counted from now."""
    return None if settings.deadline_s is None else clock.monotonic() + settings.deadline_s


def system_clock() -> Clock:
    """The real clock, read here in the CLI and handed to sources (which never read it)."""
    import time

    from slo_cli.sources.http import Clock

    return Clock(now=time.time, monotonic=time.monotonic, sleep=time.sleep)


#: how far in the past the default evaluation instant is, so the newest bin is complete (s)
DEFAULT_LAG_S = 60.0


#: the instants `--at` accepts: 1970-01-01 to 9999-12-31 (UTC)
MIN_AT, MAX_AT = 0.0, 253_402_300_799.0


def parse_at(text: str | None, now: float, *, lag_s: float = 0.0, option: str = "--at") -> float:
    """`--at TIME` as epoch seconds: a number, ISO 8601 (naive means UTC) or "now".

    Without a value: `now` minus a minute (plus the engine's own lag, e.g. VictoriaMetrics hides
    its newest 30 s), so the last bin holds complete data. Instants outside 1970–9999 (and
    nan/inf) are usage errors.
    """
    import math

    from slo_cli.errors import UsageError

    if text is None or text.strip().lower() == "now":
        return now - DEFAULT_LAG_S - lag_s
    value = text.strip()
    try:
        number = float(value)
    except ValueError:
        number = None
    if number is not None:
        if not math.isfinite(number) or not MIN_AT <= number <= MAX_AT:
            raise UsageError(
                f"{option}: {value!r} is not an instant between 1970 and 9999 (epoch seconds)"
            )
        return number
    from datetime import datetime, timezone

    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        stamp = when.timestamp()
    except (ValueError, OverflowError):
        raise UsageError(
            f"{option}: expected epoch seconds or ISO 8601 (2026-01-31T12:00:00Z), got {value!r}"
        ) from None
    if not MIN_AT <= stamp <= MAX_AT:
        raise UsageError(f"{option}: {value!r} is not an instant between 1970 and 9999")
    return stamp
