"""Queries checked before they are sent: `slo validate` (and every command, since they all load
specs the same way) parses each PromQL expression of every spec format offline and names a bad
one at its file:line:col — the column of the token inside the expression, counted through plain,
quoted and block YAML scalars and through the `{{window}}` / `{{.window}}` placeholders.

The expected positions are counted by hand from the spec texts below (noted beside each case).
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from slo_specs import promql_check
from tests.clirun import slo

ROOT = Path(__file__).resolve().parents[2]

NATIVE = """\
version: slo/v1
service: checkout
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
{sli}"""


def _native(sli: str) -> str:
    return NATIVE.format(sli=textwrap.indent(textwrap.dedent(sli), "      "))


# (case id, spec text, the one expected problem line without the file name)
CASES = [
    (
        "native plain scalar: an extra closing brace",
        # line 9 `        bad: http_requests_total{...}}`: the value starts at col 14 and
        # `http_requests_total{service="checkout", code=~"5.."}` is 52 characters long
        _native(
            """\
            ratio:
              bad: http_requests_total{service="checkout", code=~"5.."}}
              total: http_requests_total{service="checkout"}
            """
        ),
        "9:66: slos[0].sli.ratio.bad: invalid PromQL: unexpected right brace '}'",
    ),
    (
        "native literal block scalar with {{window}}: an operator twice",
        # line 12 is `            / / sum(...)`: 12 spaces, then `/ `, the second `/` at col 15
        _native(
            """\
            raw:
              error_ratio: |
                1 - (
                  sum(rate(errors_total[{{window}}]))
                  / / sum(rate(requests_total[{{window}}]))
                )
            """
        ),
        "12:15: slos[0].sli.raw.error_ratio: invalid PromQL: unexpected '/'",
    ),
    (
        "native folded block scalar: an unknown function",
        # line 10 `          sum(rat(errors_total[{{window}}]))`: `rat` at col 15
        _native(
            """\
            raw:
              bad: >
                sum(rat(errors_total[{{window}}]))
              total: sum(increase(requests_total[{{window}}]))
            """
        ),
        "10:15: slos[0].sli.raw.bad: invalid PromQL: unknown function with name 'rat'",
    ),
    (
        "native double-quoted scalar with escaped quotes: an unquoted label value",
        # line 9 `        bad: "http_requests_total{code=~\\"5..\\", x=y}"`: the quote at col 14;
        # `http_requests_total{code=~\\"5..\\", x=` is 37 source characters, so `y` is at col 52
        _native(
            """\
            ratio:
              bad: "http_requests_total{code=~\\"5..\\", x=y}"
              total: http_requests_total
            """
        ),
        "9:52: slos[0].sli.ratio.bad: invalid PromQL: "
        "unexpected identifier 'y' in label matching, expected string",
    ),
    (
        "native latency selector: an invalid regular expression",
        # line 10 `        selector: '{service="checkout", code=~"5[0-9"}'`: the quote at col 19,
        # the value at col 20, the matcher's string `"5[0-9"` at offset 27: col 47
        _native(
            """\
            latency:
              histogram: http_request_duration_seconds
              selector: '{service="checkout", code=~"5[0-9"}'
              threshold: 300ms
            """
        ),
        "10:47: slos[0].sli.latency.selector: invalid PromQL: illegal regex for 5[0-9",
    ),
    (
        "native timeslices query: an unclosed parenthesis",
        # line 10 `        query: avg(probe_success{instance="auth"}`: `(` at col 19
        NATIVE.replace("    window: 30d\n", "    window: 30d\n    budgeting: timeslices\n").format(
            sli='      timeslices:\n        query: avg(probe_success{instance="auth"}\n'
            '        good_when: ">= 1"\n'
        ),
        "10:19: slos[0].sli.timeslices.query: invalid PromQL: unclosed left parenthesis",
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_validate_names_a_bad_native_query_at_its_token(
    tmp_path: Path, text: str, expected: str
) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(text, encoding="utf-8")
    run = slo("validate", str(spec))
    assert run.code == 2, run
    assert run.stdout.splitlines() == [f"{spec}:{expected}", "1 problem(s) in 1 of 1 file(s)"]
    assert "Traceback" not in run.stdout + run.stderr


OPENSLO = """\
apiVersion: openslo/v1
kind: SLO
metadata:
  name: availability
spec:
  service: checkout
  indicator:
    metadata:
      name: errors
    spec:
      ratioMetric:
        counter: true
        bad:
          metricSource:
            type: Prometheus
            spec:
              query: http_requests_total{service="checkout", code=~"5.."}
        total:
          metricSource:
            type: Prometheus
            spec:
              query: >-
                sum(rate(http_requests_total{service="checkout"}[5m]))
                by (code,
  timeWindow:
    - duration: 30d
      isRolling: true
  budgetingMethod: Occurrences
  objectives:
    - target: 0.999
"""

SLOTH = """\
version: "prometheus/v1"
service: "search"
slos:
  - name: "availability"
    objective: 99.9
    sli:
      events:
        error_query: sum(rate(http_requests_total{code=~"5.."}[{{.window}}])) + 1 +
        total_query: sum(rate(http_requests_total[{{ .window }}])) offset
"""


def test_validate_names_bad_openslo_and_sloth_queries(tmp_path: Path) -> None:
    openslo = tmp_path / "openslo.yaml"
    openslo.write_text(OPENSLO, encoding="utf-8")
    sloth = tmp_path / "sloth.yaml"
    sloth.write_text(SLOTH, encoding="utf-8")
    run = slo("validate", str(openslo), str(sloth))
    assert run.code == 2, run
    prefix = "spec.indicator.spec.ratioMetric.total.metricSource.spec.query"
    assert run.stdout.splitlines() == [
        # folded block: line 24 `                by (code,` — the `(` at col 20 is left open
        f"{openslo}:24:20: {prefix}: invalid PromQL: unclosed left parenthesis",
        # `        error_query: ` is 21 characters; the value (col 22) is 62 characters
        # long with its 11-character {{.window}}: the expression ends at col 84
        f"{sloth}:8:84: slos[0].sli.events.error_query: invalid PromQL: "
        "the expression ends too early",
        # `{{ .window }}` (13 characters) stands for a duration; the value (col 22) ends
        # with `offset` at col 68-73, where a duration is missing: col 74
        f"{sloth}:9:74: slos[0].sli.events.total_query: invalid PromQL: "
        "unexpected end of input in offset, expected duration",
        "3 problem(s) in 2 of 2 file(s)",
    ], run.stdout


def test_every_command_refuses_a_bad_query_before_sending_anything(tmp_path: Path) -> None:
    spec = tmp_path / "bad.yaml"
    spec.write_text(CASES[0][1], encoding="utf-8")
    # nothing listens on port 9: a command that sent a query would fail with exit 3 instead
    env = {"SLO_PROMETHEUS_URL": "http://127.0.0.1:9"}
    expected = f"{spec}:{CASES[0][2]}"
    for command in (["check"], ["report"], ["snapshot", "-o", str(tmp_path / "s.json")]):
        run = slo(*command, str(spec), env=env)
        assert run.code == 2, (command, run)
        assert expected in run.stderr + run.stdout, (command, run)
        assert "Traceback" not in run.stdout + run.stderr


def test_shipped_examples_and_fixtures_still_validate() -> None:
    for path in ("examples", "tests/rules/fixtures"):
        run = slo("validate", str(ROOT / path))
        assert run.code == 0, run


def _snapshot_queries() -> list[str]:
    snapshot = json.loads((ROOT / "examples" / "snapshot.json").read_text(encoding="utf-8"))
    found = {
        answer["params"][key]
        for answer in snapshot["answers"]
        for key in ("query", "match[]")
        if key in answer["params"]
    }
    return sorted(found)


def test_the_parser_accepts_every_query_the_tool_sends_for_the_examples() -> None:
    """Guards against the parser refusing valid PromQL: everything our planner generated for
    the examples (and Prometheus answered) parses."""
    queries = _snapshot_queries()
    assert len(queries) > 20
    assert {q: promql_check.parse_error(q) for q in queries} == dict.fromkeys(queries)


def test_the_parser_accepts_every_rule_slo_rules_writes(tmp_path: Path) -> None:
    import yaml

    out = tmp_path / "rules.yaml"
    run = slo("rules", str(ROOT / "examples"), "-o", str(out))
    assert run.code == 0, run
    exprs = [
        rule["expr"]
        for group in yaml.safe_load(out.read_text(encoding="utf-8"))["groups"]
        for rule in group["rules"]
    ]
    assert len(exprs) > 20
    assert {e: promql_check.parse_error(e) for e in exprs} == dict.fromkeys(exprs)


@pytest.mark.parametrize(
    "query",
    [
        'sum by (code) (rate(http_requests_total{code=~"5..",le="0.3"}[5m] offset 1h))',
        "histogram_quantile(0.99, sum by (le) (rate(h_bucket[5m])))",
        "max_over_time(rate(x[5m])[1h:1m])",
        "x @ 1609746000",
        "x @ end()",
        "rate(x{a=~`\\d+`}[5m])",  # a raw string: no escapes inside
        "holt_winters(x[1h], 0.5, 0.5)",  # Prometheus 2
        "sum(rate(x[5m])) # a comment",
        "1 - sum(rate(a[5m])) / sum(rate(b[5m])) or on() vector(0)",
    ],
)
def test_valid_promql_parses(query: str) -> None:
    assert promql_check.check(query) is None


@pytest.mark.parametrize(
    ("query", "marked"),
    [
        ("sum(rate(x[5m])) / / 2", "sum(rate(x[5m])) / ⟨/ 2"),
        ("sum by (a) rate(x[5m])", "sum by (a) ⟨rate(x[5m])"),
        ("rate(x[5m]) + rate(y)", "rate(x[5m]) + ⟨rate(y)"),
        ('x{a="\\d"}', 'x{a="⟨\\d"}'),
        ("x{a~'b'}", "x{a⟨~'b'}"),
        ("x{a}", "x{a⟨}"),
        ("sum(x) /", "sum(x) /⟨"),
        ("x[5x]", "x[⟨5x]"),
        (
            "histogram_quantile(0.9, rate(x_bucket{a=b}[5m]))",
            "histogram_quantile(0.9, rate(x_bucket{a=⟨b}[5m]))",
        ),
        ("rate(x[{{window}}]) / / 1", "rate(x[{{window}}]) / ⟨/ 1"),
        ("rate(x{a=`b`}[5m]) y", "rate(x{a=`b`}[5m]) ⟨y"),
    ],
)
def test_the_error_is_located_at_its_token(query: str, marked: str) -> None:
    found = promql_check.check(query, promql_check.NATIVE_PLACEHOLDER)
    assert found is not None
    assert query[: found[0]] + "⟨" + query[found[0] :] == marked


@pytest.mark.parametrize(
    ("yaml_text", "offset", "position"),
    [
        ("q: abc def\n", 4, (1, 8)),
        ("q: 'it''s x'\n", 6, (1, 12)),  # `''` is one quote
        ('q: "a\\tb c"\n', 4, (1, 10)),  # `\\t` is one character
        ("q: |\n  ab\n  cd\n", 4, (3, 4)),
        ("q: >\n  ab\n  cd\n", 4, (3, 4)),
        ("q: ab\n  cd\n", 3, (2, 3)),  # a plain scalar folded over two lines
        ("q: abc\n", 3, (1, 7)),  # the end of the value
    ],
)
def test_scalar_position_maps_value_offsets_to_the_file(
    yaml_text: str, offset: int, position: tuple[int, int]
) -> None:
    import yaml

    node = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    assert isinstance(node, yaml.MappingNode)
    assert promql_check.scalar_position(node.value[0][1], offset) == position
