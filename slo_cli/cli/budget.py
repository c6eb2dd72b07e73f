"""`slo budget OBJECTIVE`: what an objective means in time and events, with no data needed."""

from __future__ import annotations

import typer

from slo_cli.render.formats import BudgetFormat


def register(app: typer.Typer) -> None:
    @app.command("budget")
    def budget(
        objective: str = typer.Argument(
            ...,
            help="Objective in percent, e.g. 99.9 (a trailing % is accepted; below 1 it is "
            "required: 0.5%).",
        ),
        window: str = typer.Option(
            "30d", "--window", "-w", help="Rolling SLO window, e.g. 7d, 28d, 30d, 4w."
        ),
        events: float | None = typer.Option(
            None, "--events", "-e", min=0, help="Traffic per window: show the budget in events."
        ),
        fmt: BudgetFormat = typer.Option(
            BudgetFormat.text,
            "--format",
            "-f",
            help="text: the sheet for people; json: schema slo/budget/v1.",
        ),
        no_color: bool = typer.Option(
            False, "--no-color", help="No colour (also: the NO_COLOR environment variable)."
        ),
    ) -> None:
        """Offline calculator: error budget, allowed downtime, burn-rate alert table."""
        from decimal import Decimal, InvalidOperation

        from slo_cli.engine.offline import budget_sheet
        from slo_cli.errors import UsageError
        from slo_specs.durations import parse_duration

        text = objective.strip().removesuffix("%").strip()
        try:
            pct = Decimal(text)
        except InvalidOperation:
            raise UsageError(f"OBJECTIVE: not a number: {objective!r} (e.g. 99.9)") from None
        if not pct.is_finite() or not Decimal(0) < pct < Decimal(100):
            raise UsageError(f"OBJECTIVE: must be between 0 and 100 (exclusive), got {objective}")
        if pct < 1 and not objective.strip().endswith("%"):
            # 0.999 is almost surely the ratio 99.9 %, and as a percentage it allows a window of
            # nearly all downtime: refuse rather than print a sheet that misleads
            meant = f"{(pct * 100).normalize():f}"
            raise UsageError(
                f"OBJECTIVE {text} is a percentage: {text} % would allow "
                f"{(100 - pct).normalize():f} % of the window to be bad; for {meant} % write "
                f"{meant} (or {text}% to mean {text} %)"
            )
        try:
            window_s = parse_duration(window)
        except ValueError as exc:
            raise UsageError(f"--window: {exc}") from None
        if window_s <= 0:
            raise UsageError(f"--window: must be positive, got {window}")
        sheet = budget_sheet(pct, window_s, events=events)
        from slo_cli.cli.common import emit, stdout_terminal
        from slo_cli.render.formats import RenderOptions, render

        if fmt is BudgetFormat.text:  # laid out for stdout as it is (width, colour)
            terminal = stdout_terminal(no_color=no_color, pipe_width=None)
            emit(render(fmt, sheet, RenderOptions(terminal=terminal)))
        else:
            emit(render(fmt, sheet))
