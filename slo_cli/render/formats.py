"""Every `--format` of every command, and the one renderer of each value.

A command declares its `--format` option with its enum here and turns its result into text with
`render(fmt, subject, options)`; every renderer returns `str` (the CLI writes it to stdout or
`--output`). `tests/test_formats.py` checks that every value of every command's `--format` has
a renderer here, so a format cannot be offered without one.

Renderer modules are imported only when used: `slo --help` must not load rich or matplotlib.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from slo_cli.render.console import PLAIN, Terminal
from slo_cli.rules.formats import RulesFormat


class CheckFormat(str, enum.Enum):
    """`slo check --format`."""

    table = "table"
    json = "json"
    markdown = "markdown"
    csv = "csv"
    junit = "junit"


class ReportFormat(str, enum.Enum):
    """`slo report --format`."""

    markdown = "markdown"
    html = "html"
    json = "json"
    csv = "csv"


class ValidateFormat(str, enum.Enum):
    """`slo validate --format`."""

    text = "text"
    json = "json"
    github = "github"


class BudgetFormat(str, enum.Enum):
    """`slo budget --format`."""

    text = "text"
    json = "json"


class BacktestFormat(str, enum.Enum):
    """`slo backtest --format`."""

    table = "table"
    json = "json"
    markdown = "markdown"


#: command name -> the enum of its `--format` values
FORMATS: dict[str, type[enum.Enum]] = {
    "check": CheckFormat,
    "report": ReportFormat,
    "validate": ValidateFormat,
    "budget": BudgetFormat,
    "rules": RulesFormat,
    "backtest": BacktestFormat,
}


@dataclass(frozen=True)
class RenderOptions:
    """What a renderer may need besides its subject. `terminal`: where text laid out by rich
    goes (width, colour); `exit_code`: the run's exit code (check JSON); `details`: the check
    table's per-window view; `allow_no_data`: whether SLOs without data fail (check JUnit);
    `chart_links`: SLO key -> chart path (report Markdown); `charts`: SLO key -> SVG text
    (report HTML; None draws them); `spec_files`: the specs a rule file comes from (its
    header); `rules_name`, `rules_namespace`: the PrometheusRule / Mimir namespace names;
    `rules_skipped`: the composites a rule file has no rules for (header lines)."""

    terminal: Terminal = PLAIN
    exit_code: int | None = None
    details: bool = False
    allow_no_data: bool = False
    chart_links: Mapping[str, str] | None = None
    charts: Mapping[str, str] | None = None
    spec_files: tuple[str, ...] = ()
    rules_name: str = "slo-rules"
    rules_namespace: str | None = None
    rules_skipped: tuple[str, ...] = ()


Renderer = Callable[[Any, RenderOptions], str]


def _check_table(evaluation: Any, o: RenderOptions) -> str:
    from slo_cli.render.table import render_table

    return render_table(evaluation, o.terminal, details=o.details)


def _check_json(evaluation: Any, o: RenderOptions) -> str:
    from slo_cli.render.json_out import render_json

    return render_json(evaluation, o.exit_code)


def _check_markdown(evaluation: Any, o: RenderOptions) -> str:
    from slo_cli.render.markdown import render_markdown

    return render_markdown(evaluation)


def _check_csv(evaluation: Any, o: RenderOptions) -> str:
    from slo_cli.render.csv_out import render_csv

    return render_csv(evaluation)


def _check_junit(evaluation: Any, o: RenderOptions) -> str:
    from slo_cli.render.junit import render_junit

    return render_junit(evaluation, allow_no_data=o.allow_no_data)


def _report_markdown(report: Any, o: RenderOptions) -> str:
    from slo_cli.render.report_markdown import render_report_markdown

    return render_report_markdown(report, dict(o.chart_links) if o.chart_links else None)


def _report_html(report: Any, o: RenderOptions) -> str:
    from slo_cli.render.report_html import render_report_html

    return render_report_html(report, None if o.charts is None else dict(o.charts))


def _report_json(report: Any, o: RenderOptions) -> str:
    from slo_cli.render.report_json import render_report_json

    return render_report_json(report)


def _report_csv(report: Any, o: RenderOptions) -> str:
    from slo_cli.render.report_csv import render_report_csv

    return render_report_csv(report)


def _validate(name: str) -> Renderer:
    def renderer(check_report: Any, o: RenderOptions) -> str:
        from slo_cli.render import validate

        return str(getattr(validate, name)(check_report))

    return renderer


def _budget_text(sheet: Any, o: RenderOptions) -> str:
    from slo_cli.render.budget import budget_text

    return budget_text(sheet, o.terminal)


def _budget_json(sheet: Any, o: RenderOptions) -> str:
    from slo_cli.render.budget import budget_json

    return budget_json(sheet)


def _rules(fmt: RulesFormat) -> Renderer:
    def renderer(groups: Any, o: RenderOptions) -> str:
        from slo_cli.rules.render import render as render_rules

        return render_rules(
            groups,
            fmt,
            sources=o.spec_files,
            name=o.rules_name,
            namespace=o.rules_namespace,
            skipped=o.rules_skipped,
        )

    return renderer


def _backtest(name: str) -> Renderer:
    def renderer(result: Any, o: RenderOptions) -> str:
        from slo_cli.render import backtest

        return str(getattr(backtest, name)(result))

    return renderer


#: every format of every command -> its renderer, per enum (the enums are str enums: `json`
#: of one command equals `json` of another, so one flat dict would mix them up)
RENDERERS: dict[type[enum.Enum], dict[Any, Renderer]] = {
    CheckFormat: {
        CheckFormat.table: _check_table,
        CheckFormat.json: _check_json,
        CheckFormat.markdown: _check_markdown,
        CheckFormat.csv: _check_csv,
        CheckFormat.junit: _check_junit,
    },
    ReportFormat: {
        ReportFormat.markdown: _report_markdown,
        ReportFormat.html: _report_html,
        ReportFormat.json: _report_json,
        ReportFormat.csv: _report_csv,
    },
    ValidateFormat: {
        ValidateFormat.text: _validate("render_text"),
        ValidateFormat.json: _validate("render_json"),
        ValidateFormat.github: _validate("render_github"),
    },
    BudgetFormat: {
        BudgetFormat.text: _budget_text,
        BudgetFormat.json: _budget_json,
    },
    RulesFormat: {
        RulesFormat.prometheus: _rules(RulesFormat.prometheus),
        RulesFormat.prometheus_operator: _rules(RulesFormat.prometheus_operator),
        RulesFormat.mimir: _rules(RulesFormat.mimir),
    },
    BacktestFormat: {
        BacktestFormat.table: _backtest("to_table"),
        BacktestFormat.json: _backtest("to_json"),
        BacktestFormat.markdown: _backtest("to_markdown"),
    },
}


def _explain(name: str) -> Renderer:
    def renderer(subject: Any, o: RenderOptions) -> str:
        from slo_cli.render import explain_json

        return str(getattr(explain_json, name)(subject))

    return renderer


def _explain_text(subject: Any, o: RenderOptions) -> str:
    from slo_cli.render.explain import explain_text

    return explain_text(subject)


#: `slo check` modes that print something other than the evaluation, and the renderer of each
#: `--format` they print (`slo check --explain SLO`; `--show-queries`, also `slo snapshot
#: --dry-run` as text); a mode's other formats are a usage error (slo_cli/cli/explain.py)
MODES: dict[str, dict[Any, Renderer]] = {
    "explain": {CheckFormat.table: _explain_text, CheckFormat.json: _explain("explain_json")},
    "show-queries": {
        CheckFormat.table: _explain("queries_text"),
        CheckFormat.json: _explain("queries_json"),
    },
}


def render_mode(
    mode: str, fmt: enum.Enum, subject: Any, options: RenderOptions = RenderOptions()
) -> str:
    """`subject` of a `slo check` mode (MODES) as text in `fmt`."""
    return MODES[mode][fmt](subject, options)


def render(fmt: enum.Enum, subject: Any, options: RenderOptions = RenderOptions()) -> str:
    """`subject` (an Evaluation, a Report, a CheckReport, a BudgetSheet, rule groups) as text
    in `fmt`."""
    return RENDERERS[type(fmt)][fmt](subject, options)
