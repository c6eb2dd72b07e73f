"""The loader and model on valid input: examples, held values, file discovery, format dispatch."""

from __future__ import annotations

import json
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

import slo_specs
from slo_specs import loader
from slo_specs.durations import DurationError, format_duration, parse_duration
from slo_specs.errors import SpecError
from slo_specs.loader import check_paths, load_file, load_paths, load_text
from slo_specs.model import SLO, CalendarWindow, RollingWindow
from slo_specs.selectors import selector_problem
from slo_specs.yamlio import Locator, read_text

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
NATIVE_EXAMPLES = sorted(EXAMPLES.glob("*.yaml"))


# ----------------------------------------------------------------------------- examples


def test_there_are_native_examples() -> None:
    names = {p.name for p in NATIVE_EXAMPLES}
    assert {"checkout.yaml", "search.yaml", "payments.yaml", "auth.yaml"} <= names


@pytest.mark.parametrize("path", NATIVE_EXAMPLES, ids=lambda p: p.name)
def test_every_native_example_loads_and_points_editors_at_the_schema(path: Path) -> None:
    specs = load_file(path)
    assert specs and all(spec.source_format == "native" for spec in specs)
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../slo_specs/schema/slo-v1.schema.json"
    assert (path.parent / "../slo_specs/schema/slo-v1.schema.json").resolve().is_file()


def _by_key() -> dict[str, SLO]:
    return {slo.key: slo for spec in load_paths(NATIVE_EXAMPLES) for slo in spec.slos}


def test_examples_hold_the_demo_services_exactly() -> None:
    slos = _by_key()
    # objectives: percent in the files, ratios after loading (99.9 % = 999/1000)
    assert slos["checkout/availability"].objective == 0.999
    assert slos["checkout/latency"].objective == 0.99
    assert slos["search/availability"].objective == 0.995
    assert slos["payments/availability"].objective == 0.9995
    assert slos["auth/availability"].objective == 0.999
    assert slos["auth/probe-uptime"].objective == 0.995
    assert slos["legacy-reports/availability"].objective == 0.99
    # windows: 30 d = 30 * 86400 s, 28 d = 28 * 86400 s, 7 d = 7 * 86400 s
    assert slos["checkout/availability"].window == RollingWindow(seconds=30 * 86400)
    assert slos["checkout/latency"].window == RollingWindow(seconds=28 * 86400)
    assert slos["auth/availability"].window == RollingWindow(seconds=7 * 86400)
    assert slos["payments/availability"].window == CalendarWindow(
        calendar="month", timezone="Europe/Berlin"
    )
    assert slos["auth/probe-uptime"].window == CalendarWindow(calendar="week", timezone="UTC")


def test_examples_use_the_demo_metric_names() -> None:
    slos = _by_key()
    ratio = slos["checkout/availability"].sli.ratio
    assert ratio is not None
    assert ratio.bad == 'http_requests_total{service="checkout",code=~"5.."}'
    assert ratio.total == 'http_requests_total{service="checkout"}'
    latency = slos["checkout/latency"].sli.latency
    assert latency is not None
    assert (latency.histogram, latency.selector, latency.threshold) == (
        "http_request_duration_seconds",
        '{service="checkout"}',
        0.3,
    )
    search = slos["search/availability"].sli.ratio
    assert search is not None and search.good == 'http_requests_total{service="search",code!~"5.."}'
    payments = slos["payments/availability"]
    assert payments.gate is not None and payments.gate.fail_on == "page"
    assert payments.sli.ratio is not None
    assert payments.sli.ratio.bad == 'http_requests_total{service="payments",code=~"5.."}'
    probe = slos["auth/probe-uptime"]
    assert probe.budgeting == "timeslices" and probe.sli.kind == "timeslices"
    ts = probe.sli.timeslices
    assert ts is not None
    assert (ts.query, ts.good_when.op, ts.good_when.value, ts.slice) == (
        'probe_success{instance="auth"}',
        ">=",
        1.0,
        60.0,
    )
    legacy = slos["legacy-reports/availability"].sli.ratio
    assert legacy is not None and legacy.total == 'http_requests_total{service="legacy-reports"}'


# ----------------------------------------------------------------------------- held values


@pytest.mark.parametrize(
    ("written", "ratio"),
    [("99.9", 0.999), ("99.95", 0.9995), ("99", 0.99), ("99.999", 0.99999), ("50", 0.5)],
)
def test_objective_percent_becomes_the_nearest_float_to_the_exact_ratio(
    written: str, ratio: float
) -> None:
    text = f"""version: slo/v1
service: s
slos:
  - name: a
    objective: {written}
    window: 1d
    sli: {{ratio: {{good: g, total: t}}}}
"""
    (spec,) = load_text(text)
    # float("0.999") is the float nearest 999/1000; 99.9 / 100 in floats would be 0.9990000000000001
    assert spec.slos[0].objective == ratio


def test_models_built_in_python_take_ratios() -> None:
    slo = SLO.model_validate(
        {
            "name": "a",
            "objective": 0.999,
            "window": "30d",
            "sli": {"ratio": {"good": "g", "total": "t"}},
        }
    )
    assert slo.objective == 0.999 and slo.window == RollingWindow(seconds=2592000.0)
    with pytest.raises(ValueError, match=r"must be between 0 and 1 \(exclusive\), got 99.9"):
        SLO.model_validate(
            {
                "name": "a",
                "objective": 99.9,
                "window": "30d",
                "sli": {"raw": {"error_ratio": "x{{window}}"}},
            }
        )


def test_slo_key_and_service_come_from_the_parent() -> None:
    (spec,) = load_file(EXAMPLES / "auth.yaml")
    assert [s.key for s in spec.slos] == ["auth/availability", "auth/probe-uptime"]
    assert spec.source_path == str(EXAMPLES / "auth.yaml")


@pytest.mark.parametrize(
    ("text", "seconds", "canonical"),
    [
        ("300ms", 0.3, "300ms"),
        ("5m", 300.0, "5m"),
        ("1h30m", 5400.0, "1h30m"),
        ("30d", 2592000.0, "30d"),
        ("1w", 604800.0, "1w"),
        ("14d", 1209600.0, "2w"),
        # weeks are written only for whole weeks, so 1w2d is spelled in days (9d)
        ("1w2d3h4m5s6ms", 604800 + 2 * 86400 + 3 * 3600 + 4 * 60 + 5 + 0.006, "9d3h4m5s6ms"),
    ],
)
def test_durations_parse_to_seconds_and_back(text: str, seconds: float, canonical: str) -> None:
    assert parse_duration(text) == pytest.approx(seconds, abs=1e-9)
    assert format_duration(parse_duration(text)) == canonical
    assert parse_duration(canonical) == parse_duration(text)


@given(st.integers(min_value=0, max_value=10**13))
def test_every_whole_number_of_milliseconds_round_trips(millis: int) -> None:
    seconds = millis / 1000
    assert parse_duration(format_duration(seconds)) == seconds


@pytest.mark.parametrize("text", ["", "5", "m", "1.5h", "5mm", "1h 30m", "1m1h", "1h1h", "-5m"])
def test_non_durations_are_refused(text: str) -> None:
    with pytest.raises(DurationError):
        parse_duration(text)


@pytest.mark.parametrize(
    "selector",
    [
        "up",
        'http_requests_total{service="checkout",code=~"5.."}',
        "http_requests_total{ service = 'a' , code !~ `5..`, }",
        '{__name__="up"}',
        "metric:recorded:rate5m",
        'x{a="with \\" quote"}',
    ],
)
def test_vector_selectors_pass_the_light_check(selector: str) -> None:
    assert selector_problem(selector) is None


@pytest.mark.parametrize(
    "selector",
    [
        "",
        "sum(up)",
        'up{a="b"}[5m]',
        "up{a=b}",
        'up{a=="b"}',
        'up{"a"="b"}',
        'up{a="b" c="d"}',
        "1up",
    ],
)
def test_non_selectors_fail_the_light_check(selector: str) -> None:
    assert selector_problem(selector) is not None


# ----------------------------------------------------------------------------- files


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


VALID = """version: slo/v1
service: {service}
slos:
  - name: availability
    objective: 99
    window: 7d
    sli: {{ratio: {{good: g, total: t}}}}
"""


def test_directories_are_searched_recursively_and_other_yaml_is_reported(tmp_path: Path) -> None:
    _write(tmp_path / "a.yaml", VALID.format(service="a"))
    _write(tmp_path / "deep" / "er" / "b.yml", VALID.format(service="b"))
    _write(tmp_path / "deep" / "notes.txt", "not yaml at all: [")
    _write(tmp_path / ".hidden" / "c.yaml", "garbage: [")
    _write(tmp_path / "deep" / "compose.yaml", "services:\n  web: {image: nginx}\n")
    # clearly not a spec: skipped by default (issue 15), reported with strict
    report = check_paths([tmp_path])
    assert sorted(Path(f).name for f in report.files) == ["a.yaml", "b.yml"]
    assert sorted(s.service for s in report.specs) == ["a", "b"]
    assert report.problems == ()
    assert [Path(p.path).name for p in report.skipped] == ["compose.yaml"]
    report = check_paths([tmp_path], strict=True)
    assert sorted(Path(f).name for f in report.files) == ["a.yaml", "b.yml", "compose.yaml"]
    assert sorted(s.service for s in report.specs) == ["a", "b"]
    assert [(Path(p.path).name, p.line, p.col) for p in report.problems] == [("compose.yaml", 1, 1)]
    assert report.problems[0].message.startswith("not an SLO spec: no 'version' key")


def test_multi_document_files_give_one_spec_per_document(tmp_path: Path) -> None:
    path = _write(
        tmp_path / "two.yaml",
        VALID.format(service="a") + "---\n" + VALID.format(service="b") + "---\n",
    )
    assert [s.service for s in load_file(path)] == ["a", "b"]


def test_problems_in_later_documents_carry_their_own_line(tmp_path: Path) -> None:
    text = VALID.format(service="a") + "---\n" + VALID.format(service="b").replace("99", "101")
    with pytest.raises(SpecError) as info:
        load_text(text, "m.yaml")
    # the second document starts on line 9; its objective is its 5th line
    assert [str(p) for p in info.value.problems] == [
        "m.yaml:13:16: slos[0].objective: must be between 0 and 100 (exclusive), got 101"
    ]


def test_the_same_slo_in_two_files_is_reported(tmp_path: Path) -> None:
    _write(tmp_path / "one.yaml", VALID.format(service="a"))
    _write(tmp_path / "two.yaml", VALID.format(service="a"))
    with pytest.raises(SpecError) as info:
        load_paths([tmp_path])
    assert [p.message for p in info.value.problems] == [
        f"SLO 'a/availability' is also defined in {tmp_path / 'one.yaml'}"
    ]


def test_missing_paths_and_empty_directories_are_problems(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    report = check_paths([tmp_path / "nope.yaml", tmp_path / "empty"])
    assert [p.message for p in report.problems] == [
        "no such file or directory",
        "no *.yaml or *.yml files in this directory",
    ]


def test_huge_files_are_refused_unread(tmp_path: Path) -> None:
    path = _write(tmp_path / "big.yaml", "# " + "x" * (1024 * 1024) + "\n")
    with pytest.raises(SpecError) as info:
        load_file(path)
    assert [p.message for p in info.value.problems] == [
        "file too large (the limit is 1048576 bytes)"
    ]


def test_unsafe_yaml_tags_are_refused() -> None:
    with pytest.raises(SpecError) as info:
        load_text("version: !!python/object/apply:os.system ['true']\n", "evil.yaml")
    (problem,) = info.value.problems
    assert problem.message.startswith("YAML syntax error:")
    assert "python/object/apply" in problem.message


def test_locator_points_at_values_keys_and_falls_back_to_the_nearest_parent() -> None:
    result = read_text("a:\n  b: [x, {c: 1}]\n", "l.yaml")
    locator = result.documents[0].locator
    # line 2 is '  b: [x, {c: 1}]': b at col 3, '{' at col 10, the 1 at col 14
    assert locator.position(("a", "b", 1, "c")) == (2, 14)
    assert locator.position(("a", "b"), key=True) == (2, 3)
    assert locator.position(("a", "b", 1, "nope")) == (2, 10)
    assert locator.position(("zzz",)) == (1, 1)
    assert isinstance(locator, Locator)


# ----------------------------------------------------------------------------- foreign formats


class _FakeConverter:
    """Stands in for slo_specs.openslo / slo_specs.sloth to check what the loader hands over."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, str, Any]] = []

    def module(self) -> types.SimpleNamespace:
        def convert(documents: Any, path: str, locator: Any, **_options: Any) -> list[Any]:
            self.calls.append((documents, path, locator))
            return []

        return types.SimpleNamespace(convert=convert)


def test_openslo_documents_of_a_file_go_to_the_converter_together(monkeypatch: Any) -> None:
    fake = _FakeConverter()
    monkeypatch.setattr(
        loader, "_converter", lambda name: fake.module() if name == "openslo" else None
    )
    text = "apiVersion: openslo/v1\nkind: Service\n---\napiVersion: openslo/v1\nkind: SLO\n"
    assert load_text(text, "o.yaml") == []
    ((documents, path, locator),) = fake.calls
    assert documents == [
        {"apiVersion": "openslo/v1", "kind": "Service"},
        {"apiVersion": "openslo/v1", "kind": "SLO"},
    ]
    assert path == "o.yaml"
    # loc paths start with the index into `documents`; the index is not shown
    assert str(locator.problem((1, "kind"), "bad")) == "o.yaml:5:7: kind: bad"


def test_sloth_documents_go_to_the_converter_one_by_one(monkeypatch: Any) -> None:
    fake = _FakeConverter()
    monkeypatch.setattr(
        loader, "_converter", lambda name: fake.module() if name == "sloth" else None
    )
    load_text(
        "version: prometheus/v1\nservice: a\n---\nversion: prometheus/v1\nservice: b\n", "s.yaml"
    )
    assert [c[0]["service"] for c in fake.calls] == ["a", "b"]
    assert str(fake.calls[1][2].problem(("service",), "bad")) == "s.yaml:5:10: service: bad"


def test_sloth_kubernetes_resources_go_to_the_sloth_converter(monkeypatch: Any) -> None:
    fake = _FakeConverter()
    monkeypatch.setattr(
        loader, "_converter", lambda name: fake.module() if name == "sloth" else None
    )
    load_text("apiVersion: sloth.slok.dev/v1\nkind: PrometheusServiceLevel\n", "k.yaml")
    assert [c[0]["kind"] for c in fake.calls] == ["PrometheusServiceLevel"]


def test_without_converters_foreign_files_are_problems_not_crashes(monkeypatch: Any) -> None:
    monkeypatch.setattr(loader, "_converter", lambda name: None)
    with pytest.raises(SpecError) as info:
        load_text("apiVersion: openslo/v1\nkind: SLO\n---\nversion: prometheus/v1\n", "f.yaml")
    assert [str(p) for p in info.value.problems] == [
        "f.yaml:1:1: OpenSLO support not installed",
        "f.yaml:4:1: Sloth support not installed",
    ]


# ----------------------------------------------------------------------------- schema, imports


def test_published_schema_equals_the_generated_one() -> None:
    published = json.loads(
        (ROOT / "slo_specs" / "schema" / "slo-v1.schema.json").read_text("utf-8")
    )
    assert published == slo_specs.json_schema()


def test_schema_describes_the_written_form() -> None:
    schema = slo_specs.json_schema()
    assert "source_path" not in schema["properties"]
    slo = schema["$defs"]["SLO"]["properties"]
    assert slo["objective"]["exclusiveMaximum"] == 100
    assert schema["$defs"]["RollingWindow"]["type"] == "string"
    assert slo["objective"]["description"]


def test_importing_slo_specs_loads_no_numpy_requests_or_rich() -> None:
    code = (
        "import sys, slo_specs\n"
        "slo_specs.load_paths(['examples/checkout.yaml'])\n"
        "loaded = {m.split('.')[0] for m in sys.modules}\n"
        "print(sorted(loaded & {'numpy', 'requests', 'rich', 'slo_cli'}))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    assert out.strip() == "[]"


FULL = """\
version: slo/v1
service: api
labels: {team: core}
slos:
  - name: errors
    description: every optional part written once
    objective: 99.5
    window: {calendar: quarter, timezone: America/New_York}
    budgeting: timeslices
    timeslice: {slice: 5m, target: 95}
    sli:
      ratio:
        bad: errors_total
        total: requests_total
    alerting:
      windows:
        - {severity: page, long: 1h, short: 5m, budget_consumed: 2}
        - {severity: ticket, long: 3d, short: 6h, burn_rate: 1}
    gate: {fail_on: exhausted, min_remaining: 25}
    labels: {tier: "1"}
  - name: ratio-slices
    objective: 90
    window: 1h30m
    budgeting: ratio_timeslices
    sli: {ratio: {good: 'up_total{ok="1"}', total: up_total}}
"""


def test_every_optional_part_is_held_in_its_unit() -> None:
    (spec,) = load_text(FULL, "full.yaml")
    errors, slices = spec.slos
    assert errors.window == CalendarWindow(calendar="quarter", timezone="America/New_York")
    assert errors.timeslice is not None
    assert (errors.timeslice.slice, errors.timeslice.target) == (300.0, 0.95)
    # (timeslice budgeting needs counters: a raw SLI is refused with it, see test_spec_errors)
    assert errors.sli.kind == "ratio" and errors.sli.ratio is not None
    assert errors.sli.ratio.good is None
    assert errors.alerting is not None
    page, ticket = errors.alerting.windows
    # budget_consumed is written in percent of the budget: 2 -> 0.02
    assert (page.severity, page.long, page.short, page.budget_consumed, page.burn_rate) == (
        "page",
        3600.0,
        300.0,
        0.02,
        None,
    )
    assert (ticket.long, ticket.short, ticket.burn_rate, ticket.budget_consumed) == (
        3 * 86400.0,
        6 * 3600.0,
        1.0,
        None,
    )
    assert errors.gate is not None
    assert (errors.gate.fail_on, errors.gate.min_remaining) == ("exhausted", 0.25)
    assert errors.labels == {"tier": "1"} and spec.labels == {"team": "core"}
    assert slices.window == RollingWindow(seconds=5400.0) and slices.window.label == "1h30m"
    assert slices.budgeting == "ratio_timeslices" and slices.objective == 0.9


def _schema_validator() -> Any:
    import jsonschema

    schema = json.loads((ROOT / "slo_specs" / "schema" / "slo-v1.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", NATIVE_EXAMPLES, ids=lambda p: p.name)
def test_examples_satisfy_the_published_schema(path: Path) -> None:
    # what editors check must agree with the loader on the files we ship
    document = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert list(_schema_validator().iter_errors(document)) == []


def test_a_spec_using_every_option_satisfies_the_published_schema() -> None:
    assert list(_schema_validator().iter_errors(yaml.safe_load(FULL))) == []


@pytest.mark.parametrize(
    ("change", "value"),
    [
        ("objective", 101),
        ("objective", 0),
        ("window", "30 days"),
        ("budgeting", "sometimes"),
        ("objectiv", 99.9),
    ],
)
def test_the_published_schema_rejects_what_the_loader_rejects(change: str, value: Any) -> None:
    document = yaml.safe_load(VALID.format(service="a"))
    document["slos"][0][change] = value
    with pytest.raises(SpecError):
        load_text(yaml.safe_dump(document))
    assert list(_schema_validator().iter_errors(document)) != []


def test_the_spec_language_doc_example_loads() -> None:
    text = (ROOT / "docs" / "spec-language.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    (spec,) = load_text(block, "docs/spec-language.md")
    (slo,) = spec.slos
    assert slo.key == "checkout/availability" and slo.objective == 0.999
    assert slo.gate is not None and slo.gate.min_remaining == 0.1


def test_every_file_under_examples_validates_in_whatever_format() -> None:
    report = check_paths([EXAMPLES])
    assert [str(p) for p in report.problems] == []
    formats = {spec.source_format for spec in report.specs}
    assert "native" in formats
    # every YAML file outside hidden directories/files (examples/ci keeps its CI jobs in
    # .github/ and .gitlab-ci.yml, which discovery skips like .git)
    visible = [
        p
        for p in [*EXAMPLES.rglob("*.yaml"), *EXAMPLES.rglob("*.yml")]
        if not any(part.startswith(".") for part in p.relative_to(EXAMPLES).parts)
    ]
    assert len(report.files) == len(visible)
