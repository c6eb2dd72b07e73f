"""`slo check --since TIME` (a deploy) and its gate flags `--max-burn-since`, `--max-spent-since`.

The instant is floored to the whole minute (the grid's finest bin edge), so the figures are exact
counts over [that minute, the evaluation minute). Rules, decided once here:

- `--since` at or after the evaluation instant's minute (the future, or less than one 1-minute
  bin before it) is a usage error (exit 2): there is nothing to measure.
- `--since` before an SLO's data begins is not an error: the figures cover what data there is,
  and the output says how much of the stretch had data (`coverage`), with a note when not all.
- Without traffic since the deploy the burn is unknown: with a gate flag that SLO is unknown
  (exit 4 unless --allow-no-data), never a pass.
"""

from __future__ import annotations

from slo_cli.errors import UsageError


def parse_since(text: str, at: float, now: float) -> float:
    """`--since` as epoch seconds: RFC 3339 / ISO 8601, epoch seconds, or a duration back from
    the evaluation instant `at` (``-2h``, ``-90m``)."""
    value = text.strip()
    if value.startswith("-") and value[1:2].isdigit() and not _is_number(value):
        from slo_specs.durations import parse_duration

        try:
            back = parse_duration(value[1:])
        except ValueError as exc:
            raise UsageError(f"--since: {value!r}: {exc}") from None
        return at - back
    from slo_cli.cli.connection import parse_at

    return float(parse_at(value, now, option="--since"))


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def check_since(since: float, at: float) -> float:
    """`since` if it starts a stretch of at least one bin before `at`'s minute, else UsageError."""
    from slo_cli.plan import FINE_STEP_S, evaluation_end, since_edge
    from slo_cli.render.common import iso

    end = evaluation_end(at)
    if since_edge(since) >= end:
        why = "is after" if since > at else "is less than one bin (1 minute) before"
        raise UsageError(
            f"--since {iso(since)} {why} the evaluation instant {iso(end)}: "
            f"nothing to measure (use an instant at least {FINE_STEP_S:g} s earlier)"
        )
    return since


def gate_limits(
    since: str | float | None, max_burn: float | None, max_spent_pct: float | None
) -> tuple[float | None, float | None]:
    """The gate limits as (burn rate, spent ratio); UsageError when given without --since."""
    if since is None and (max_burn is not None or max_spent_pct is not None):
        raise UsageError("--max-burn-since and --max-spent-since need --since TIME")
    return max_burn, None if max_spent_pct is None else max_spent_pct / 100.0
