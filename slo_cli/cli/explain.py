"""`slo check --explain SLO` and `slo check --show-queries` (also `slo snapshot --dry-run`).

`--explain` runs the check's own pipeline (plan → source → engine → gate) for the one SLO named,
with every call the source makes logged and the engine's sums kept (`evaluate(detail=True)`),
and prints every figure with its inputs. `--show-queries` plans the same requests and lists the
calls a live run starts with, sending nothing (`slo_cli.sources.dryrun`), so it needs no server.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from slo_cli.errors import UsageError

if TYPE_CHECKING:
    from slo_cli.explanation import Explained, Planned, QueryList
    from slo_cli.results import Evaluation
    from slo_cli.sources.http import QueryLog
    from slo_cli.sources.model import FetchRequest
    from slo_cli.sources.settings import ConnectionSettings
    from slo_specs.model import ServiceSpec


def check_format(mode: str, fmt: Any) -> None:
    """UsageError (exit 2) for a `--format` the mode does not print (render.formats.MODES)."""
    from slo_cli.render.formats import MODES

    if fmt not in MODES[mode]:
        shown = " or ".join(getattr(f, "value", str(f)) for f in MODES[mode])
        raise UsageError(f"--{mode} prints --format {shown}, not {getattr(fmt, 'value', fmt)}")


def narrow(specs: Sequence[ServiceSpec], target: str) -> list[ServiceSpec]:
    """The specs cut down to the one SLO `target` names: ``service/name`` or a name unique
    among the specs (a grouped SLO's member ``name{label="v"}`` selects its SLO; a composite
    brings its members, whose counts are its). UsageError (exit 2) naming the closest SLOs
    when it names none, or several."""
    base = target.split("{", 1)[0]
    composites = [c.key for spec in specs for c in spec.composites]
    keys = [slo.key for spec in specs for slo in spec.slos] + composites
    if "/" in base:
        hits = [k for k in keys if k == base]
    else:
        hits = [k for k in keys if k.split("/", 1)[1] == base]
    if not hits:
        close = difflib.get_close_matches(base, keys, n=3, cutoff=0.5)
        close += [k for k in keys if base and base in k and k not in close][: 3 - len(close)]
        hint = f"; did you mean {', '.join(close)}?" if close else f" (SLOs: {_few(keys)})"
        raise UsageError(f"--explain {target}: no such SLO{hint}")
    if len(hits) > 1:
        raise UsageError(
            f"--explain {target}: {len(hits)} SLOs have that name ({', '.join(hits)}); "
            "name one as service/name"
        )
    if hits[0] in composites:
        from slo_cli.cli.selection import select_slos

        return select_slos(specs, [hits[0]], [])
    out = []
    for spec in specs:
        slos = [slo for slo in spec.slos if slo.key == hits[0]]
        if slos:
            out.append(spec.model_copy(update={"slos": slos, "composites": []}))
    return out


def _few(names: Sequence[str], limit: int = 8) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f", … ({len(names) - limit} more)" if len(names) > limit else "")


def origin(settings: ConnectionSettings) -> str:
    """Where the calls went: ``replayed from snapshot FILE`` or ``sent to URL`` (redacted)."""
    if settings.from_file:
        return f"replayed from snapshot {settings.from_file}"
    from slo_cli.sources.http import redact_url

    return f"sent to {redact_url(settings.base_url)}"


def _query_list(key: str, calls: Sequence[Any], error: str | None = None) -> QueryList:
    from slo_cli.explanation import Query, QueryList

    return QueryList(key, tuple(Query(c.path, c.params) for c in calls), error)


def explained(
    evaluation: Evaluation, target: str, log: QueryLog, where: str, code: int
) -> Explained:
    """The subject of the explain renderers: the SLO's result(s) with their traces, the
    calls logged while counting them."""
    from slo_cli.explanation import Explained

    results = tuple(evaluation.slos)
    composite = tuple(r for r in results if r.composite is not None)
    if composite:  # the composite only: its members' figures are in its trace
        results = composite
    if "{" in target:  # one member of a grouped SLO
        results = tuple(r for r in results if r.key == target or r.name == target)
        if not results:
            found = ", ".join(r.name for r in evaluation.slos) or "none"
            raise UsageError(f"--explain {target}: no such group (groups found: {found})")
    key = results[0].key if len(results) == 1 else target
    failed = next((r.error for r in results if r.error is not None), None)
    error = None if failed is None else failed.message
    queries = _query_list(key, log.calls, error)
    return Explained(evaluation.at, results, queries, where, code)


def extra_params(settings: ConnectionSettings) -> tuple[tuple[str, str], ...]:
    """The parameters a live transport adds to every call: the engine's presets, the user's
    --param names (values withheld: they may be secret) and the server-side timeout."""
    from slo_cli.sources.settings import ENGINE_PARAMS

    out = list(ENGINE_PARAMS.get(settings.engine, {}).items())
    out += [(k, "…") for k, _ in settings.extra_params]
    out.append(("timeout", f"≤ {settings.timeout_s * 0.9:g}s (queries)"))
    return tuple(out)


def planned(
    labelled: Sequence[tuple[str, FetchRequest]], at: float, settings: ConnectionSettings
) -> Planned:
    """The calls each request starts with, none sent: `--show-queries`' subject."""
    from slo_cli.explanation import Planned
    from slo_cli.sources.dryrun import LE_ASSUMED, NOT_LISTED, planned_calls

    got = planned_calls(
        [req for _, req in labelled], engine=settings.engine, max_points=settings.max_points
    )
    lists = []
    for (label, _), p in zip(labelled, got, strict=True):
        ql = _query_list(label, p.calls, p.error)
        if p.assumes_le:
            from dataclasses import replace

            ql = replace(ql, notes=(LE_ASSUMED,))
        lists.append(ql)
    return Planned(at, tuple(lists), (NOT_LISTED,), extra_params(settings))


def check_requests(
    specs: Sequence[ServiceSpec], at: float, since: float | None = None
) -> list[tuple[str, FetchRequest]]:
    """`slo check`'s requests at `at` (the same plan evaluate() fetches), labelled by key."""
    from slo_cli.plan import check_needs, plan, requests

    return [(r.key, r) for r in requests(plan(specs, check_needs(at, since)))]


def emit_explained(
    evaluation: Evaluation,
    target: str,
    log: QueryLog,
    settings: ConnectionSettings,
    code: int,
    fmt: Any,
    output: Any,
) -> None:
    """Render `--explain` in `fmt` to stdout or --output."""
    from slo_cli.cli import common
    from slo_cli.render.formats import render_mode

    subject = explained(evaluation, target, log, origin(settings), code)
    common.emit(render_mode("explain", fmt, subject), output)


def show_queries(
    specs: Sequence[ServiceSpec],
    *,
    at: str | None,
    since: str | None,
    fmt: Any,
    output: Any,
    settings: ConnectionSettings,
    now: float,
) -> None:
    """`slo check --show-queries`: the check's calls at the instant, none sent, no server
    needed (with --from, at the snapshot's instant)."""
    from slo_cli.cli import common
    from slo_cli.cli.connection import parse_at
    from slo_cli.render.formats import render_mode

    check_format("show-queries", fmt)
    if settings.from_file:
        from slo_cli.sources.recorded import RecordedSource

        instant = common.resolve_instant(at, RecordedSource(settings.from_file), now, 0.0)
    else:
        instant = float(parse_at(at, now, lag_s=settings.lag_s))
    start = None
    if since is not None:
        from slo_cli.cli import since as scoped

        start = scoped.check_since(scoped.parse_since(since, instant, now), instant)
    subject = planned(check_requests(specs, instant, start), instant, settings)
    common.emit(render_mode("show-queries", fmt, subject), output)


def dry_run_listing(
    check_reqs: Sequence[FetchRequest],
    others: Sequence[tuple[str, Sequence[FetchRequest]]],
    at: float,
    settings: ConnectionSettings,
) -> None:
    """`slo snapshot --dry-run`: the recording's calls, the check's and then each extra
    purpose's (a report period, --since, a backtest) labelled by it, none sent."""
    from slo_cli.cli import common
    from slo_cli.render.formats import CheckFormat, render_mode

    labelled = [(r.key, r) for r in check_reqs]
    labelled += [(f"{r.key} ({why})", r) for why, reqs in others for r in reqs]
    common.emit(render_mode("show-queries", CheckFormat.table, planned(labelled, at, settings)))
