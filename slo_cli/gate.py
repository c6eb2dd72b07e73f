"""The CI budget gate: which SLOs fail `slo check`, and the exit code that follows.

Pure functions of the results: no I/O. The command line overrides each SLO's own policy field by
field (`--fail-on` replaces `fail_on`, `--min-remaining` replaces `min_remaining`).
"""

from __future__ import annotations

import math
from dataclasses import replace

from slo_cli.exit_codes import ExitCode
from slo_cli.results import Evaluation, FailOn, Gate, SLOResult, Verdict

#: what each fail_on level includes, from least to most strict
_LEVELS: dict[str, tuple[str, ...]] = {
    "never": (),
    "exhausted": ("exhausted",),
    "page": ("exhausted", "page"),
    "ticket": ("exhausted", "page", "ticket"),
}


def effective_gate(
    spec_gate: Gate | None,
    fail_on: FailOn | None,
    min_remaining: float | None,
    max_burn_since: float | None = None,
    max_spent_since: float | None = None,
) -> Gate:
    """The SLO's policy with the command line's choices on top (None = not given)."""
    base = spec_gate if spec_gate is not None else Gate()
    if fail_on is None and min_remaining is None:
        if max_burn_since is None and max_spent_since is None:
            return base
        return replace(base, max_burn_since=max_burn_since, max_spent_since=max_spent_since)
    return Gate(
        fail_on=fail_on if fail_on is not None else base.fail_on,
        min_remaining=min_remaining if min_remaining is not None else base.min_remaining,
        origin="command line",
        max_burn_since=max_burn_since,
        max_spent_since=max_spent_since,
    )


def since_reasons(result: SLOResult, gate: Gate) -> tuple[list[str], str | None]:
    """The deploy-scoped limits' breaches, and why they cannot be judged (None: they can, or
    none is set). Without traffic since the deploy the burn is unknown, never a pass."""
    if gate.max_burn_since is None and gate.max_spent_since is None:
        return [], None
    s = result.since
    if s is None or not s.total > 0 or math.isnan(s.burn_rate):
        return [], "no traffic since the deploy: its burn cannot be judged"
    reasons = []
    if gate.max_burn_since is not None and s.burn_rate > gate.max_burn_since:
        reasons.append(f"burn since deploy {s.burn_rate:.3g}× > {gate.max_burn_since:g}×")
    if gate.max_spent_since is not None and s.consumed > gate.max_spent_since:
        reasons.append(
            f"spent since deploy {s.consumed * 100:.3g}% > {gate.max_spent_since * 100:g}%"
        )
    return reasons, None


def judge(result: SLOResult, gate: Gate) -> Verdict:
    """The gate's verdict for one SLO. An SLO without data is unknown, never healthy.

    Rules: inconsistent counts are unknown; an alert at the gate's level that fires is a breach
    even when other windows lack data (evidence beats missing data); otherwise status NO_DATA —
    which includes any alert rule reading a window without data and a coverage below the
    SLO's `min_coverage` — is unknown, never a pass, its reasons those of `result.no_data`. A
    partial result (a young SLO evaluated over the history it has, its coverage at least
    `min_coverage`) is judged like any other on the figures of that history.
    """
    if result.error is not None:
        return Verdict(breached=False, unknown=True, reasons=(f"error: {result.error.message}",))
    if result.data_error:
        return Verdict(breached=False, unknown=True, reasons=("good events exceed total events",))
    level = _LEVELS[gate.fail_on]
    reasons, since_unknown = since_reasons(result, gate)
    if "page" in level and result.page:
        reasons.append("page alert firing")
    if "ticket" in level and result.ticket and not result.page:
        reasons.append("ticket alert firing")
    if result.status == "NO_DATA" or math.isnan(result.remaining):
        if reasons:
            return Verdict(breached=True, unknown=False, reasons=tuple(reasons))
        # the reasons slo_cli.nodata found (a misspelt selector, a short history, blind, …)
        why = tuple(n.message for n in result.no_data) or ("no data",)
        return Verdict(breached=False, unknown=True, reasons=why)
    if "exhausted" in level and result.remaining <= 0:
        reasons.insert(0, "budget exhausted")
    if gate.min_remaining is not None and result.remaining < gate.min_remaining:
        reasons.append(f"remaining below {gate.min_remaining * 100:g}%")
    if since_unknown is not None and not reasons:
        return Verdict(breached=False, unknown=True, reasons=(since_unknown,))
    return Verdict(breached=bool(reasons), unknown=False, reasons=tuple(reasons))


def apply_gate(
    evaluation: Evaluation,
    *,
    fail_on: FailOn | None = None,
    min_remaining: float | None = None,
    max_burn_since: float | None = None,
    max_spent_since: float | None = None,
) -> Evaluation:
    """Every result with its effective gate and verdict filled in. `max_burn_since` and
    `max_spent_since` (ratio) judge each result's `since` figures, whatever `fail_on` says."""
    out = []
    for r in evaluation.slos:
        gate = effective_gate(r.gate, fail_on, min_remaining, max_burn_since, max_spent_since)
        out.append(replace(r, gate=gate, verdict=judge(r, gate)))
    return replace(evaluation, slos=tuple(out))


def exit_code(evaluation: Evaluation, *, allow_no_data: bool = False) -> ExitCode:
    """3 when any SLO's queries failed at the source; else 1 when any SLO breaches; else 4 when
    any is unknown (unless allowed); else 0.

    A source error is the data source failing (exit 3) whether it hit one SLO or all of them,
    and --allow-no-data does not excuse it. A definite breach wins over an unknown answer: both
    fail the run, and the breach is the more useful thing to report. The gate never passes on
    an unknown answer.
    """
    if evaluation.errors:
        return ExitCode.SOURCE_FAILED
    if evaluation.breached:
        return ExitCode.GATE_BREACHED
    if evaluation.unknown and not allow_no_data:
        return ExitCode.NO_DATA
    return ExitCode.OK
