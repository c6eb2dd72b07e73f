"""Help that teaches, printed plainly (typer's rich help formatter costs ~200 ms of imports).

`SloCommand` is the click command class of every `slo` command (set in `cli/app.py`): its help
lists arguments by name without Python types (`PATHS...`, not `paths... <list[Path]>`), gives
options without a metavar a name instead of their type (`--days DAYS`, not `<float range>`),
puts options that declare a `rich_help_panel` under that heading (the connection flags under
"Connection") and ends with EXAMPLES[command], printed verbatim. `SloGroup` lists the commands
with their whole first paragraph (click cuts it to ~45 characters with "...").

Nothing heavy is imported here: this module loads on every `slo --help`.
"""

from __future__ import annotations

import inspect
import re
from typing import Any

from typer.core import TyperCommand, TyperGroup

#: each command's examples, shown at the end of its help; tests/cli/test_help.py runs the
#: offline ones and checks every flag of the others
EXAMPLES: dict[str, tuple[str, ...]] = {
    "check": (
        "slo check slos/ --prometheus-url http://prometheus:9090",
        'slo check "$(slo examples)" --from "$(slo examples)/snapshot.json"'
        " --explain payments/availability",
        "slo check slos/ --format junit --output slo-junit.xml --fail-on ticket",
        "slo check slos/ --watch 30  # redrawn every 30 s until Ctrl-C",
    ),
    "report": (
        "slo report slos/ --period week --format html --output weekly.html",
        'slo report "$(slo examples)" --from "$(slo examples)/snapshot.json" --period 7d',
    ),
    "validate": (
        "slo validate slos/",
        "slo validate --strict                 # also refuse YAML that is not an SLO spec",
        "slo validate slos/ --format github    # pull-request annotations",
    ),
    "budget": (
        "slo budget 99.9",
        "slo budget 99.95 --window 28d --events 120000000",
    ),
    "snapshot": (
        "slo snapshot slos/ --out snapshot.json --period week",
        "slo check slos/ --from snapshot.json  # then replay it offline",
        "slo snapshot slos/ --dry-run           # the queries it would send, none sent",
    ),
    "schema": ("slo schema > slo.schema.json",),
    "rules": (
        "slo rules slos/ --output slo-rules.yml   # then: promtool check rules slo-rules.yml",
        "slo rules slos/ --format prometheus-operator --namespace monitoring",
    ),
    "backtest": (
        "slo backtest slos/ --days 90 --prometheus-url http://prometheus:9090",
        "slo backtest slos/ --days 30 --format markdown --output backtest.md",
    ),
    "examples": (
        'slo check "$(slo examples)" --from "$(slo examples)/snapshot.json"',
        "slo examples my-slos/                 # a copy to edit; then: slo validate my-slos/",
    ),
    "demo": ("slo demo", "slo demo --details --select 'checkout/*'"),
    "completion": (
        "source <(slo completion bash)                # bash; add the line to ~/.bashrc",
        'slo completion zsh > "${fpath[1]}/_slo"       # zsh, then restart the shell',
        "slo completion fish > ~/.config/fish/completions/slo.fish",
    ),
}

#: the Options heading; options with a rich_help_panel get a heading of their own after it
OPTIONS_HEADING = "Options"


def _is_flag(param: Any) -> bool:
    return bool(getattr(param, "is_flag", False) or getattr(param, "count", False))


def _shows_choices(param: Any) -> bool:
    """Whether typer would show the option's value as a list of choices (`<a|b|c>`)."""
    descriptor = getattr(param, "type_descriptor", None)
    return bool(descriptor is not None and getattr(descriptor, "is_choice", False))


def _number(text: str) -> str:
    return f"{float(text):g}"


def _readable_ranges(text: str) -> str:
    """click's `[0.0<=x<=100.0]` / `[x>=0]` as words: `[from 0 to 100]`, `[at least 0]`."""
    text = re.sub(
        r"(-?[\d.]+)<=x<=(-?[\d.]+)",
        lambda m: f"from {_number(m[1])} to {_number(m[2])}",
        text,
    )
    text = re.sub(r"x>=(-?[\d.]+)", lambda m: f"at least {_number(m[1])}", text)
    return re.sub(r"x<=(-?[\d.]+)", lambda m: f"at most {_number(m[1])}", text)


def _argument_record(param: Any) -> tuple[str, str]:
    name = param.metavar or param.name.upper()
    if param.nargs != 1 and not name.endswith("..."):
        name += "..."
    extra = []
    if getattr(param, "required", False):
        extra.append("required")
    help_text = param.help or ""
    return name, f"{help_text}  [{'; '.join(extra)}]" if extra else help_text


class SloCommand(TyperCommand):
    """A typer command whose plain help has no Python types, option headings and examples."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for param in self.params:
            if param.metavar is not None or _is_flag(param) or _shows_choices(param):
                continue
            if param.param_type_name in ("option", "argument"):  # a name, never a type
                param.metavar = (param.name or "value").upper()

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if "--watch" in args and any("--watch" in getattr(p, "opts", ()) for p in self.params):
            from slo_cli.cli.watch import fill_default  # `--watch` alone: its default SECONDS

            args = fill_default(args)
        return list(super().parse_args(ctx, args))

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments: list[tuple[str, str]] = []
        sections: dict[str, list[tuple[str, str]]] = {OPTIONS_HEADING: []}
        for param in self.get_params(ctx):
            if getattr(param, "hidden", False):
                continue
            if param.param_type_name == "argument":
                arguments.append(_argument_record(param))
                continue
            record = param.get_help_record(ctx)
            if record is not None:
                record = (record[0], _readable_ranges(record[1]))
                heading = getattr(param, "rich_help_panel", None) or OPTIONS_HEADING
                sections.setdefault(heading, []).append(record)
        if arguments:
            with formatter.section("Arguments"):
                formatter.write_dl(arguments)
        for heading, rows in sections.items():
            if rows:
                with formatter.section(heading):
                    formatter.write_dl(rows)

    def format_epilog(self, ctx: Any, formatter: Any) -> None:
        super().format_epilog(ctx, formatter)
        examples = EXAMPLES.get(self.name or "")
        if examples:
            formatter.write_paragraph()
            formatter.write_heading("Examples")
            for line in examples:  # verbatim: a command line must not be re-wrapped
                formatter.write(f"  {line}\n")


def _first_paragraph(command: Any) -> str:
    text = inspect.cleandoc(command.short_help or command.help or "")
    return " ".join(text.partition("\f")[0].split("\n\n")[0].split())


class SloGroup(TyperGroup):
    """The root `slo` group: commands listed with their whole description, never cut."""

    def format_commands(self, ctx: Any, formatter: Any) -> None:
        rows = []
        for name in self.list_commands(ctx):
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, _first_paragraph(command)))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)
