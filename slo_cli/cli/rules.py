"""`slo rules [PATHS…]`: Prometheus recording and alerting rules for every SLO (docs/rules.md).

stdout carries only the rule file (or --output writes it atomically); exit 0, or 2 for bad
flags or specs. Generation lives in slo_cli.rules; this module assembles and renders.
"""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from slo_cli.cli.common import PATHS_ARGUMENT
from slo_cli.cli.selection import SELECT_OPTION, SERVICE_OPTION
from slo_cli.rules.formats import RulesFormat


def _seconds(text: str, option: str) -> float:
    from slo_cli.errors import UsageError
    from slo_specs.durations import DurationError, parse_duration

    try:
        return float(parse_duration(text))
    except DurationError as exc:
        raise UsageError(f"{option} {text}: {exc}") from None


def register(app: typer.Typer) -> None:
    @app.command("rules")
    def rules(
        paths: Optional[list[Path]] = PATHS_ARGUMENT,
        fmt: RulesFormat = typer.Option(
            RulesFormat.prometheus,
            "--format",
            "-f",
            help="prometheus: a rule file; prometheus-operator: a PrometheusRule resource; "
            "mimir: a Mimir/Cortex ruler namespace file.",
        ),
        output: Optional[Path] = typer.Option(
            None, "--output", "-o", metavar="FILE", help="Write to FILE (atomically; - is stdout)."
        ),
        interval: str = typer.Option(
            "1m",
            "--interval",
            metavar="DURATION",
            help="Rule evaluation interval E: each SLO's events are recorded per E (exact "
            "when no series is scraped twice in one E around a counter reset).",
        ),
        lookback: str = typer.Option(
            "1h",
            "--lookback",
            metavar="DURATION",
            help="How far back a counter's last value is looked for: scrape gaps up to this "
            "long are counted in full.",
        ),
        for_: str = typer.Option(
            "0s", "--for", metavar="DURATION", help="`for` of every alert (default 0s)."
        ),
        exhausted: bool = typer.Option(
            False, "--exhausted-alert", help="Also alert (page) while a budget is exhausted."
        ),
        name: str = typer.Option(
            "slo-rules",
            "--name",
            metavar="NAME",
            help="PrometheusRule name; the Mimir namespace unless --namespace is given.",
        ),
        namespace: Optional[str] = typer.Option(
            None, "--namespace", metavar="NS", help="Kubernetes namespace or Mimir namespace."
        ),
        select: Optional[list[str]] = SELECT_OPTION,
        service: Optional[list[str]] = SERVICE_OPTION,
    ) -> None:
        """Write Prometheus rules: exact SLI counts, burn rates and the SLOs' own alerts."""
        from slo_cli.cli.common import emit, load_specs
        from slo_cli.errors import UsageError
        from slo_cli.render.formats import RenderOptions, render
        from slo_cli.rules.build import Options, build
        from slo_cli.rules.composite import composite_groups

        options = Options(
            interval_s=_seconds(interval, "--interval"),
            lookback_s=_seconds(lookback, "--lookback"),
            for_s=_seconds(for_, "--for"),
            exhausted_alert=exhausted,
        )
        if options.interval_s <= 0 or options.lookback_s < options.interval_s:
            raise UsageError("--interval must be positive and --lookback at least as long")
        specs = load_specs(paths, select, service)
        groups = build(specs, options)
        for g in groups:
            for warning in g.warnings:
                typer.echo(f"slo: warning: {g.slo_key}: {warning}", err=True)
        composites, skipped = composite_groups(specs, groups, options)
        groups.extend(composites)
        for g in composites:
            for warning in g.warnings:
                typer.echo(f"slo: warning: {g.slo_key}: {warning}", err=True)
        for line in skipped:
            typer.echo(f"slo: warning: {line}", err=True)
        sources = sorted({s.source_path for s in specs if s.source_path})
        rendering = RenderOptions(
            spec_files=tuple(sources),
            rules_name=name,
            rules_namespace=namespace,
            rules_skipped=tuple(skipped),
        )
        n_rules = sum(len(g.rules) for g in groups)
        emit(
            render(fmt, groups, rendering),
            output,
            lambda: f"{len(groups)} groups, {n_rules} rules",
        )
