"""Keep the README honest: its two commands, and every `slo` command line it shows.

A README that drifts from the tool is a bug a newcomer meets first. These tests check that the
README opens with the two documented commands, that CI runs exactly the test command, and that
every `slo …` line in a code block names a real command and only flags that command accepts.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from tests.clirun import slo

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")


def code_blocks(text: str) -> list[str]:
    blocks = re.findall(r"^```(\w*)\n(.*?)^```", text, flags=re.S | re.M)
    return [body for lang, body in blocks if lang in ("", "sh", "bash", "console")]


def slo_lines() -> list[str]:
    lines = []
    for block in code_blocks(README):
        for line in block.splitlines():
            line = line.split("#", 1)[0].strip()
            if line.startswith("slo "):
                lines.append(line)
    return lines


def test_the_readme_opens_with_the_two_commands() -> None:
    first = code_blocks(README)[0]
    commands = [ln.split("#", 1)[0].strip() for ln in first.splitlines() if ln.strip()]
    assert commands == ["make demo", "make test"]


def test_ci_runs_exactly_the_readme_test_command() -> None:
    run = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert re.search(r"^make test$", run, flags=re.M)


def test_the_make_targets_exist() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("demo", "test", "install", "lint", "typecheck", "unit", "bench"):
        assert re.search(rf"^{target}:", makefile, flags=re.M), target


def test_the_readme_shows_some_slo_commands() -> None:
    assert len(slo_lines()) >= 5


@pytest.mark.parametrize("line", slo_lines())
def test_every_readme_command_and_flag_exists(line: str) -> None:
    argv = shlex.split(line)[1:]
    command = next(a for a in argv if not a.startswith("-"))
    result = slo(command, "--help", env={"COLUMNS": "200"})
    assert result.code == 0, f"`slo {command}` is not a command: {result.stderr}"
    for flag in (a.split("=", 1)[0] for a in argv if a.startswith("--")):
        assert re.search(rf"(?<![\w-]){re.escape(flag)}(?![\w-])", result.stdout), (
            f"README uses `{flag}`, which `slo {command} --help` does not list"
        )


def test_every_environment_variable_and_config_key_is_documented() -> None:
    from slo_cli.sources import settings

    variables = [*settings.ENV_VARS, settings.DEFAULT_TOKEN_ENV, settings.DEFAULT_PASSWORD_ENV]
    missing = [v for v in variables if f"`{v}`" not in README]
    assert not missing, f"README does not document {missing}"
    keys = [k for k in settings.CONFIG_KEYS if f"`{k}`" not in README]
    assert not keys, f"README does not document the config keys {keys}"
    assert "keys as the flags" not in README


def test_the_readme_config_example_is_accepted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.main import get_command

    from slo_cli.cli import project
    from slo_cli.cli.app import app
    from slo_cli.sources.settings import ConnectionSettings

    (block,) = [b for b in re.findall(r"```yaml\n(.*?)```", README, re.S) if "# .slo.yaml" in b]
    (tmp_path / ".git").mkdir()
    (tmp_path / ".slo.yaml").write_text(block, encoding="utf-8")
    (tmp_path / "slos").mkdir()
    monkeypatch.chdir(tmp_path)
    group = get_command(app)
    check = group.commands["check"]  # type: ignore[attr-defined]
    with group.make_context("slo", ["check"]) as root, check.make_context("check", [], parent=root):
        loaded = project.current()
    assert project.current().path is None  # the run's config ends with the run
    assert loaded.paths == ("slos",) and [g.pattern for g in loaded.exclude] == ["drafts", "k8s/**"]
    assert loaded.defaults["check"] == {"fail_on": "ticket"}
    assert loaded.defaults["report"] == {"timezone": "Europe/Berlin", "period": "week"}
    settings = ConnectionSettings.from_sources({}, {"MIMIR_TOKEN": "t"}, loaded.connection)
    assert settings.url == "https://mimir.example/prometheus" and settings.engine == "mimir"
    assert settings.timeout_s == 30 and dict(settings.headers) == {"X-Scope-OrgID": "team-a"}
    assert settings.bearer_token() == "t"


def test_the_schema_comment_points_at_a_file_slo_schema_writes() -> None:
    assert "example.invalid" not in README
    assert "$schema=slo.schema.json" in README and "slo schema > slo.schema.json" in README
