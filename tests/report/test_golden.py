"""Golden files: `slo report` over the offline examples, in every format, byte for byte.

The reports are deterministic: same snapshot and flags, same bytes (the generation time is fixed
with --generated-at). Regenerate after an intended change with SLO_UPDATE_GOLDEN=1 and review
the diff.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from slo_cli.render.formats import ReportFormat
from tests.report.conftest import FIXTURE, GENERATED_AT, GOLDEN, report, slo

#: golden file -> the arguments after `slo report examples/ --from … --generated-at …`
CASES: dict[str, tuple[str, ...]] = {
    "7d.md": ("--period", "7d"),
    "week.md": ("--period", "week"),
    "7d.json": ("--period", "7d", "--format", "json"),
    "week.csv": ("--period", "week", "--format", "csv"),
    "7d.csv": ("--period", "7d", "--format", "csv"),
}
#: HTML carries one inline SVG per SLO: its golden file covers two services to stay small
HTML_SPECS = ("examples/auth.yaml", "examples/payments.yaml")


def _compare(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("SLO_UPDATE_GOLDEN") == "1":
        path.write_text(text, encoding="utf-8", newline="")
    assert path.exists(), f"missing golden file {path}; run with SLO_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.mark.parametrize("name", sorted(CASES))
def test_report_matches_golden_file(name: str) -> None:
    run = report(*CASES[name])
    assert run.code == 0, run.stderr
    assert run.stderr == ""  # not a terminal: no progress bar, nothing but the report
    _compare(name, run.stdout)


def _html(tmp: Path) -> str:
    tmp.mkdir()
    out = tmp / "report.html"
    run = slo(
        "report",
        *HTML_SPECS,
        "--from",
        str(FIXTURE),
        "--generated-at",
        GENERATED_AT,
        "--period",
        "7d",
        "--format",
        "html",
        "--output",
        str(out),
    )
    assert run.code == 0, run.stderr
    assert run.stdout == ""
    return out.read_text(encoding="utf-8")


def test_html_report_matches_golden_file_and_is_deterministic(tmp_path: Path) -> None:
    first = _html(tmp_path / "a")
    second = _html(tmp_path / "b")
    assert first == second
    _compare("7d-auth-payments.html", first)


def test_markdown_with_charts_links_svg_files_beside_it(tmp_path: Path) -> None:
    out = tmp_path / "weekly.md"
    run = slo(
        "report",
        *HTML_SPECS,
        "--from",
        str(FIXTURE),
        "--generated-at",
        GENERATED_AT,
        "--output",
        str(out),
        "--charts",
        str(tmp_path / "charts"),
    )
    assert run.code == 0, run.stderr
    text = out.read_text(encoding="utf-8")
    names = sorted(p.name for p in (tmp_path / "charts").iterdir())
    assert names == [
        "auth--availability.svg",
        "auth--probe-uptime.svg",
        "payments--availability.svg",
    ]
    for name in names:
        assert f"](charts/{name})" in text
        svg = (tmp_path / "charts" / name).read_text(encoding="utf-8")
        assert svg.lstrip().startswith("<?xml") and "<path" in svg
        assert svg.rstrip().endswith("</svg>")
    # the charts are deterministic too
    again = tmp_path / "again"
    slo("report", *HTML_SPECS, "--from", str(FIXTURE), "--charts", str(again))
    for name in names:
        assert (again / name).read_bytes() == (tmp_path / "charts" / name).read_bytes()


def test_json_report_validates_against_its_published_schema() -> None:
    import jsonschema

    from slo_cli.render.report_json import SCHEMA_FILE

    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    for period in ("7d", "week"):
        doc = json.loads(report("--period", period, "--format", "json").stdout)
        jsonschema.Draft202012Validator(schema).validate(doc)
        assert doc["schema"] == "slo/report/v1"


def test_every_format_has_a_renderer() -> None:
    for fmt in ReportFormat:
        run = report("--period", "7d", "--format", fmt.value, "--charts", "/dev/null/x")
        # --charts into an impossible directory is a one-line usage error in every format
        assert run.code == 2 and run.stderr.startswith("slo: error: --charts"), run.stderr
        run = report("--format", fmt.value)
        assert run.code == 0 and run.stdout, (fmt, run.stderr)


def test_charts_drawn_by_worker_processes_equal_charts_drawn_one_by_one() -> None:
    from slo_cli.render import report_charts
    from slo_cli.report.build import build_report
    from slo_cli.report.period import resolve_period
    from slo_cli.sources.recorded import RecordedSource
    from slo_specs import load_paths

    source = RecordedSource(FIXTURE)
    rep = build_report(
        load_paths(["examples"]), source, resolve_period("7d", source.at), at=source.at,
        generated_at=0.0,
    )  # fmt: skip
    slos = [s for s in rep.slos if s.current.total > 0]
    assert len(slos) >= report_charts.PARALLEL_MIN_CHARTS
    pooled = report_charts.chart_svgs(rep, slos)
    assert pooled == {s.key: report_charts.chart_svg(rep, s) for s in slos}
