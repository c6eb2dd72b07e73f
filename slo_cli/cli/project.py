"""The project configuration file, `.slo.yaml`: found upward from the working directory (the
search stops at the repository root, a directory holding `.git`) or named with `--config FILE`.

    paths: [slos/]                 # what `slo check` (and every command) reads by default
    include: ["**/*.slo.yaml"]     # directory scans read only these (default *.yaml, *.yml)
    exclude: [drafts, "k8s/**"]    # ... and never these (also: --exclude GLOB)
    prometheus-url: https://mimir.example/prometheus     # connection: the flags' names
    header: {X-Scope-OrgID: team-a}
    bearer-token-env: MIMIR_TOKEN  # the *name* of a variable: never a secret in the file
    check: {fail-on: ticket}       # defaults of one command's options, by flag name
    report: {timezone: Europe/Berlin, period: week}

Precedence: a flag beats an environment variable (SLO_*), which beats the config file, which
beats the built-in default. Relative paths in the file are relative to its directory. Keys
may also use the older spellings (`url`, `headers`, `params`, `bearer_token_file`, …) and sit
under `prometheus:`. An unknown key, or a value its option refuses, is an error naming the
file, line and column (exit 2).

Every command that reads specs gets `--config FILE` (eager: its callback loads the file, or
finds one, before the other options are read, and sets click's `default_map`) and `--exclude
GLOB`; `load_specs` reads the resulting `scan_filter()`. Nothing heavy is imported at module
level (yaml only when a file is read).
"""

from __future__ import annotations

import inspect
import os
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

import typer

if TYPE_CHECKING:
    from slo_specs.errors import Problem
    from slo_specs.scan import Glob, PathFilter
    from slo_specs.yamlio import Locator

CONFIG_NAME = ".slo.yaml"
#: the keys of the file that say which files are read
SCAN_KEYS = ("paths", "include", "exclude")
#: connection settings that name a file (resolved relative to the config file)
FILE_SETTINGS = ("ca_bundle", "client_cert", "client_key", "bearer_token_file")


@dataclass(frozen=True)
class Project:
    """A loaded config file (or none: `path` None) and the run's `--exclude` globs."""

    path: str | None = None
    paths: tuple[str, ...] | None = None
    include: tuple[Glob, ...] = ()
    exclude: tuple[Glob, ...] = ()
    #: connection settings, keyed as ConnectionSettings.from_sources reads a config mapping
    connection: dict[str, Any] = field(default_factory=dict)
    #: command name -> {parameter name: default}
    defaults: dict[str, dict[str, Any]] = field(default_factory=dict)


_PROJECT: ContextVar[Project | None] = ContextVar("slo_project", default=None)
_EXCLUDE: ContextVar[tuple[str, ...]] = ContextVar("slo_exclude", default=())


def current() -> Project:
    """The project config of this run (an empty one when there is no file)."""
    return _PROJECT.get() or Project()


def scan_filter() -> PathFilter:
    """What directory scans read in this run: the file's include/exclude plus --exclude."""
    from slo_specs.scan import Glob, PathFilter

    project = current()
    cwd = os.getcwd()
    flags = tuple(Glob(p, cwd) for p in _EXCLUDE.get())
    return PathFilter(include=project.include, exclude=project.exclude + flags)


def discover(start: Path) -> Path | None:
    """The nearest `.slo.yaml` from `start` upward, not above the repository root."""
    here = start.resolve()
    for directory in (here, *here.parents):
        candidate = directory / CONFIG_NAME
        if candidate.is_file():
            return candidate
        if (directory / ".git").exists():
            return None
    return None


def _relative(base: Path, value: str) -> str:
    path = Path(os.path.expanduser(value))
    if not path.is_absolute():
        path = base / path
    try:
        return os.path.relpath(path)
    except ValueError:  # another drive (Windows)
        return str(path)


def _strings(value: Any) -> list[str] | None:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    return None


class _Reader:
    """Turns the file's data into a Project, collecting positioned problems."""

    def __init__(self, path: Path, locator: Locator, group: Any, ctx: Any):
        self.path, self.locator, self.group, self.ctx = path, locator, group, ctx
        self.base = path.parent
        self.problems: list[Problem] = []
        self.connection: dict[str, Any] = {}
        self.fields: dict[str, str] = {}  # settings field -> the key that set it

    def problem(self, loc: tuple[str | int, ...], message: str, *, key: bool = True) -> None:
        self.problems.append(self.locator.problem(loc, message, key=key))

    def read(self, data: dict[str, Any]) -> Project:
        from slo_specs.scan import Glob

        commands = dict(getattr(self.group, "commands", None) or {self.ctx.info_name: self.group})
        scan: dict[str, tuple[str, ...]] = {}
        defaults: dict[str, dict[str, Any]] = {}
        for key, value in data.items():
            if key in SCAN_KEYS:
                items = _strings(value)
                if items is None:
                    self.problem((key,), "expected a list of paths or globs", key=False)
                else:
                    scan[key] = tuple(items)
            elif key == "prometheus" and isinstance(value, dict):
                for sub, item in value.items():
                    self.connection_key((key, sub), sub, item)
            elif key in commands and isinstance(value, dict):
                defaults[key] = self.command_defaults(key, commands[key], value)
            else:
                self.connection_key((key,), str(key), value, commands=commands)
        paths = scan.get("paths")
        return Project(
            path=str(self.path),
            paths=tuple(_relative(self.base, p) for p in paths) if paths is not None else None,
            include=tuple(Glob(p, str(self.base)) for p in scan.get("include", ())),
            exclude=tuple(Glob(p, str(self.base)) for p in scan.get("exclude", ())),
            connection=self.connection,
            defaults=defaults,
        )

    def connection_key(
        self, loc: tuple[str, ...], key: str, value: Any, *, commands: dict[str, Any] | None = None
    ) -> None:
        from slo_cli.errors import UsageError
        from slo_cli.sources.settings import CONFIG_KEYS, ConnectionSettings

        known = CONFIG_KEYS
        if key not in known:
            self.problem(loc, self.unknown(key, known, commands))
            return
        name = known[key]
        if name in self.fields:
            self.problem(loc, f"already set (as {self.fields[name]!r})")
            return
        self.fields[name] = key
        if name in FILE_SETTINGS and isinstance(value, str):
            value = _relative(self.base, value)
        if name != "client_key":  # alone it is refused (it needs client-cert): checked later
            try:
                ConnectionSettings.from_sources({}, {}, {key: value})
            except UsageError as exc:
                self.problem(loc, str(exc), key=False)
                return
        self.connection[key] = value

    def unknown(self, key: str, known: dict[str, str], commands: dict[str, Any] | None) -> str:
        from slo_specs.messages import did_you_mean

        if commands is not None:
            owners = [n for n, c in commands.items() if _option(c, key) is not None]
            if owners:
                return (
                    f"{key!r} is an option of slo {owners[0]}: put it under `{owners[0]}:` "
                    f"(defaults of one command)"
                )
        words = [*SCAN_KEYS, *sorted(known), *(commands or {})]
        return f"unknown key {key!r}{did_you_mean(key, words)}"

    def command_defaults(self, name: str, command: Any, values: dict[str, Any]) -> dict[str, Any]:
        from slo_specs.messages import did_you_mean

        out: dict[str, Any] = {}
        options = [p for p in command.params if p.param_type_name == "option" and p.expose_value]
        for key, value in values.items():
            loc = (name, key)
            param = _option(command, str(key))
            if param is None or not param.expose_value:
                words = [o.opts[0].lstrip("-") for o in options if o.opts[0].startswith("--")]
                self.problem(
                    loc, f"slo {name} has no option --{key}{did_you_mean(str(key), words)}"
                )
            elif key in ("from", "config"):
                self.problem(loc, f"--{key} is given on the command line, not in the config file")
            elif getattr(param, "rich_help_panel", None) or key == "exclude":
                self.problem(loc, "a setting of every command: put it at the top level of the file")
            else:
                value = self.cast(loc, param, value)
                if value is not _BAD:
                    out[param.name] = value
        return out

    def cast(self, loc: tuple[str, ...], param: Any, value: Any) -> Any:
        if _is_path(param) and isinstance(value, str):
            value = _relative(self.base, value)
        if param.multiple and not isinstance(value, list):
            value = [value]
        try:
            _coerce(param, self.ctx, value)
        except Exception as exc:  # click's BadParameter (typer vendors click)
            message = getattr(exc, "message", None) or str(exc)
            self.problem(loc, f"--{loc[-1]}: {message}", key=False)
            return _BAD
        return value


_BAD = object()


def _is_path(param: Any) -> bool:
    descriptor = getattr(param, "type_descriptor", None)  # typer >= 0.29
    if descriptor is not None:
        return bool(getattr(descriptor, "is_path", False))
    return type(getattr(param, "type", None)).__name__ == "Path"


def _coerce(param: Any, ctx: Any, value: Any) -> Any:
    """The value as the option would convert it from the command line (raises its error)."""
    runtime = getattr(param, "get_runtime_param", None)  # typer >= 0.29
    if runtime is not None:
        return runtime().coerce(value, param=param, ctx=ctx)
    return param.type_cast_value(ctx, value)


def _option(command: Any, key: str) -> Any:
    for param in command.params:
        if param.param_type_name == "option" and f"--{key}" in param.opts:
            return param
    return None


def load(path: Path, ctx: Any) -> Project:
    """Read and check a config file; SpecError (exit 2) with every problem, positioned."""
    from slo_specs.errors import Problem, SpecError
    from slo_specs.yamlio import read_file

    result = read_file(str(path))
    if result.problems:
        raise SpecError(result.problems)
    documents = [d for d in result.documents if d.data is not None]
    if not documents:
        return Project(path=str(path))
    if len(documents) > 1 or not isinstance(documents[0].data, dict):
        where = documents[-1].locator if len(documents) > 1 else documents[0].locator
        line, col = where.position(())
        raise SpecError([Problem(str(path), line, col, "", "expected one mapping of settings")])
    document = documents[0]
    locator: Locator = document.locator
    reader = _Reader(path, locator, ctx.find_root().command, ctx)
    project = reader.read(document.data)
    if reader.problems:
        raise SpecError(reader.problems)
    return project


def _load_config(ctx: typer.Context, value: Optional[Path]) -> Optional[Path]:
    """--config's callback (eager): load the named or discovered file; its defaults become the
    defaults of this command's options."""
    from slo_cli.errors import UsageError

    if value is not None and not value.is_file():
        raise UsageError(f"--config {value}: no such file")
    path = value if value is not None else discover(Path.cwd())
    if path is not None and path.is_absolute():
        path = Path(_relative(path.parent, path.name))
    project = load(path, ctx) if path is not None else Project()
    token = _PROJECT.set(project)
    ctx.call_on_close(lambda: _PROJECT.reset(token))  # nothing outlives the command's run
    defaults = dict(project.defaults.get(ctx.info_name or "", {}))
    if project.paths is not None:
        defaults.setdefault("paths", list(project.paths))
    if defaults:
        ctx.default_map = {**(ctx.default_map or {}), **defaults}
    return value


def _set_exclude(ctx: typer.Context, value: Optional[list[str]]) -> Optional[list[str]]:
    token = _EXCLUDE.set(tuple(value or ()))
    ctx.call_on_close(lambda: _EXCLUDE.reset(token))
    return value


CONFIG_OPTION = typer.Option(
    None,
    "--config",
    metavar="FILE",
    is_eager=True,
    expose_value=False,
    callback=_load_config,
    help=f"Project config file (default: the nearest {CONFIG_NAME} from here up to the "
    "repository root): spec paths, include/exclude globs, connection settings, option "
    "defaults. See the README.",
)
EXCLUDE_OPTION = typer.Option(
    None,
    "--exclude",
    metavar="GLOB",
    expose_value=False,
    callback=_set_exclude,
    help="Skip files and directories matching GLOB in directory scans (repeatable; "
    "`drafts`, `k8s/**`, `*.tmpl.yaml`).",
)


def with_project_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """The command with --config FILE and --exclude GLOB added (their values are not passed:
    their callbacks set the run's Project and scan filter)."""
    signature = inspect.signature(func, eval_str=True)
    extra = [
        inspect.Parameter(
            "project_config",
            inspect.Parameter.KEYWORD_ONLY,
            default=CONFIG_OPTION,
            annotation=Optional[Path],
        ),
        inspect.Parameter(
            "project_exclude",
            inspect.Parameter.KEYWORD_ONLY,
            default=EXCLUDE_OPTION,
            annotation=Optional[list[str]],
        ),
    ]
    params = [*signature.parameters.values(), *extra]

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        kwargs.pop("project_config", None)  # handled by their callbacks
        kwargs.pop("project_exclude", None)
        return func(*args, **kwargs)

    wrapper.__name__, wrapper.__qualname__ = func.__name__, func.__qualname__
    wrapper.__doc__, wrapper.__module__ = func.__doc__, func.__module__
    wrapper.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    wrapper.__annotations__ = {p.name: p.annotation for p in params}
    return wrapper
