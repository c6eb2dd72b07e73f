"""Issue 16 item 13 (flags): bad flag values are the user's fault: exit 2 with one line, never
exit 70 (a bug) and never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.check.conftest import slo

SNAP = ("examples/", "--from", "examples/snapshot.json")
URL = "http://127.0.0.1:9"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (("check", *SNAP, "--timeout", "nan"), "--timeout"),
        (("check", *SNAP, "--timeout", "inf"), "--timeout"),
        (("check", *SNAP, "--deadline", "-1"), "--deadline"),
        (("check", *SNAP, "--at", "nan"), "--at"),
        (("check", *SNAP, "--at", "1e300"), "--at"),
        (("check", *SNAP, "--at", "-1e18"), "--at"),
        (("check", *SNAP, "--at", "99999-01-01"), "--at"),
        (("check", "examples/", "--prometheus-url", "http://h:99999"), "port"),
        (("check", "examples/", "--prometheus-url", "http://[::1:9090"), "IPv6"),
        (("check", "examples/", "--prometheus-url", "ftp://h"), "http://"),
        (("check", "examples/", "--prometheus-url", URL, "--header", "X-T: ü€"), "Latin-1"),
        (("check", "examples/", "--prometheus-url", URL, "--header", "X-T: a\nb"), "line break"),
        (
            (
                "check",
                "examples/",
                "--prometheus-url",
                URL,
                "--client-cert",
                "/no/c.pem",
                "--client-key",
                "/no/k.pem",
            ),
            "--client-cert /no/c.pem",
        ),
        (
            ("check", "examples/", "--prometheus-url", URL, "--ca-bundle", "/no/ca.pem"),
            "--ca-bundle /no/ca.pem",
        ),
        (
            ("check", "examples/", "--prometheus-url", URL, "--max-answer-size", "lots"),
            "--max-answer-size",
        ),
        (("report", *SNAP, "--period", "1000000d"), "--period"),
        (("report", *SNAP, "--generated-at", "nan"), "--generated-at"),
    ],
)
def test_bad_flags_are_exit_2_with_one_line(args: tuple[str, ...], says: str) -> None:
    run = slo(*args)
    assert run.code == 2, (run.code, run.stderr)
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and says in lines[0], run.stderr
    assert "internal error" not in run.stderr


@pytest.mark.parametrize(
    "yaml_value",
    ["!!bool maybe", "!!int abc", "!!float x", "!!timestamp 2026-99-99", "!!binary '%%%'"],
)
def test_a_bad_explicit_tag_is_a_located_spec_error(tmp_path: Path, yaml_value: str) -> None:
    spec = tmp_path / "s.yaml"
    spec.write_text(f"version: slo/v1\nservice: shop\nslos: {yaml_value}\n")
    run = slo("validate", str(spec))
    assert run.code == 2 and f"{spec}:3:7:" in run.stderr + run.stdout, run.stderr
    assert "internal error" not in run.stderr
