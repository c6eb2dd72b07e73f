"""The shared connection flags: parsing, precedence (flag > env > config file), no secrets shown."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from slo_cli.cli.connection import ConnectionOptions, connection_options
from slo_cli.cli.project import with_project_options
from slo_cli.errors import UsageError
from slo_cli.sources.settings import ConnectionSettings

app = typer.Typer()
seen: list[ConnectionSettings] = []


@app.command()
@with_project_options
@connection_options
def probe(name: str = typer.Argument("x"), *, connection: ConnectionOptions) -> None:
    seen.append(connection.settings(env={"SLO_TIMEOUT": "12", "TOKEN_VAR": "s3cr3t"}))


def _run(*args: str) -> ConnectionSettings:
    seen.clear()
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return seen[0]


def test_flags_become_settings() -> None:
    s = _run(
        "--prometheus-url",
        "https://mimir.example/prometheus/",
        "--engine",
        "thanos",
        "--header",
        "X-Scope-OrgID: team-a",
        "--header",
        "THANOS-TENANT: t1",
        "--bearer-token-env",
        "TOKEN_VAR",
        "--workers",
        "7",
        "--allow-partial",
        "--param",
        "max_source_resolution=5m",
    )
    assert s.url == "https://mimir.example/prometheus"
    assert s.headers == (("X-Scope-OrgID", "team-a"), ("THANOS-TENANT", "t1"))
    assert s.workers == 7 and s.allow_partial is True
    assert s.timeout_s == 12.0  # from the environment
    assert s.query_params == {
        "partial_response": "false",
        "dedup": "true",
        "max_source_resolution": "5m",
    }
    assert s.bearer_token() == "s3cr3t"
    assert "s3cr3t" not in repr(s)


def test_flag_beats_env_beats_config(tmp_path: Path) -> None:
    cfg = tmp_path / "c.yaml"
    cfg.write_text("prometheus:\n  url: http://from-config:9090\n  timeout: 5\n  workers: 2\n")
    s = _run("--config", str(cfg), "--workers", "3")
    assert (s.url, s.timeout_s, s.workers) == ("http://from-config:9090", 12.0, 3)


def test_unknown_config_key_is_a_usage_error() -> None:
    with pytest.raises(UsageError, match="unknown key 'urll'"):
        ConnectionSettings.from_sources({}, {}, {"urll": "http://x"})


def test_bad_engine_and_bad_header() -> None:
    with pytest.raises(UsageError, match="--engine: expected one of"):
        ConnectionSettings.from_sources({"engine": "influx"}, {})
    with pytest.raises(UsageError, match="expected 'Name: value'") as err:
        ConnectionSettings.from_sources({"headers": ["Authorizationsecretvalue-very-long"]}, {})
    assert "very-long" not in str(err.value)


def test_missing_url_explains_both_ways() -> None:
    s = ConnectionSettings.from_sources({}, {})
    with pytest.raises(UsageError, match="SLO_PROMETHEUS_URL"):
        _ = s.base_url


def test_help_lists_the_flags() -> None:
    out = CliRunner().invoke(app, ["--help"]).output
    for flag in ("--prometheus-url", "--bearer-token-file", "--ca-bundle", "--from", "--config"):
        assert flag in out


def test_parse_at() -> None:
    from slo_cli.cli.connection import parse_at

    assert parse_at(None, 1000.0) == 940.0  # a minute in the past: the last bin is complete
    assert parse_at(None, 1000.0, lag_s=30) == 910.0
    assert parse_at("1767225600", 0) == 1767225600.0
    assert parse_at("2026-01-01T00:00:00Z", 0) == 1767225600.0
    assert parse_at("2026-01-01T01:00:00+01:00", 0) == 1767225600.0
    assert parse_at("2026-01-01 00:00", 0) == 1767225600.0  # naive means UTC
    with pytest.raises(UsageError, match="--at: expected epoch seconds or ISO 8601"):
        parse_at("yesterday", 0)
