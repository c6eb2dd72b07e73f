"""The invalid-spec corpus: each case, named by a sentence, yields its exact messages and places.

Expected positions are counted by hand from the case text (1-based line and column of the
offending value, or of the key for unknown/duplicate keys, or of the enclosing mapping for
problems that concern several keys at once).
"""

from __future__ import annotations

import pytest

from slo_specs.errors import SpecError
from slo_specs.loader import load_text

# Line numbers: 1 version, 2 service, 3 slos, 4 "- name", 5 objective (value col 16),
# 6 window (value col 13), 7 sli, 8 ratio (col 7), 9 bad (key col 9, value col 14),
# 10 total (value col 16).
BASE = """\
version: slo/v1
service: checkout
slos:
  - name: availability
    objective: 99.9
    window: 30d
    sli:
      ratio:
        bad: 'http_requests_total{code=~"5.."}'
        total: http_requests_total
"""

LATENCY_SLI = """\
    sli:
      latency:
        histogram: http_request_duration_seconds
        selector: '{service="checkout"}'
        threshold: 300ms
"""
RATIO_SLI = """\
    sli:
      ratio:
        bad: 'http_requests_total{code=~"5.."}'
        total: http_requests_total
"""


def edit(old: str, new: str, text: str = BASE) -> str:
    """BASE with one exact piece replaced (the piece must be there)."""
    assert text.count(old) == 1, old
    return text.replace(old, new)


CASES: list[tuple[str, str, list[str]]] = [
    (
        "an objective above 100 percent is out of range",
        edit("objective: 99.9", "objective: 101"),
        ["5:16: slos[0].objective: must be between 0 and 100 (exclusive), got 101"],
    ),
    (
        "an objective of 0 leaves nothing to promise",
        edit("objective: 99.9", "objective: 0"),
        ["5:16: slos[0].objective: must be between 0 and 100 (exclusive), got 0"],
    ),
    (
        "an objective of 100 percent has no error budget",
        edit("objective: 99.9", "objective: 100.0"),
        ["5:16: slos[0].objective: must be between 0 and 100 (exclusive), got 100"],
    ),
    (
        "an objective written with a percent sign is a string, not a number",
        edit("objective: 99.9", 'objective: "99.9%"'),
        ["5:16: slos[0].objective: expected a number (percent), got a string"],
    ),
    (
        "a misspelled key is unknown, suggests the right one, and the right one is missing",
        edit("objective: 99.9", "objectiv: 99.9"),
        [
            "4:5: slos[0]: missing required key 'objective'",
            "5:5: slos[0]: unknown key 'objectiv' (did you mean 'objective'?)",
        ],
    ),
    (
        "an unknown key that resembles no known key gets no suggestion",
        edit("slos:\n", "owner: bob\nslos:\n"),
        ["3:1: unknown key 'owner'"],
    ),
    (
        "a missing service is reported at the start of the document",
        edit("service: checkout\n", ""),
        ["1:1: missing required key 'service'"],
    ),
    (
        "an unknown version suggests the closest known one",
        edit("version: slo/v1", "version: slo/v2"),
        [
            "1:10: version: unknown version 'slo/v2' (did you mean 'slo/v1'?); "
            "expected 'slo/v1' or 'prometheus/v1' (Sloth)"
        ],
    ),
    (
        "a YAML mapping without a version is not an SLO spec and is reported, not skipped",
        "name: my-app\nreplicas: 3\n",
        [
            "1:1: not an SLO spec: no 'version' key; expected 'version: slo/v1', "
            "'version: prometheus/v1' (Sloth) or 'apiVersion: openslo/v1'"
        ],
    ),
    (
        "a YAML list is not an SLO spec",
        "- a\n- b\n",
        [
            "1:1: not an SLO spec: the document is a list; expected 'version: slo/v1', "
            "'version: prometheus/v1' (Sloth) or 'apiVersion: openslo/v1'"
        ],
    ),
    (
        "an unsupported OpenSLO version is named",
        "apiVersion: openslo/v2\nkind: SLO\n",
        ["1:13: apiVersion: unsupported OpenSLO version 'openslo/v2' (supported: openslo/v1)"],
    ),
    (
        "a key indented too far is a YAML syntax error at the offending colon",
        edit("    objective: 99.9", "     objective: 99.9"),
        ["5:15: YAML syntax error: mapping values are not allowed here"],
    ),
    (
        "an unclosed flow mapping is a YAML syntax error",
        edit("window: 30d", "window: {calendar: month"),
        # the flow mapping runs on into the next line; its "sli" is read as a key, and the
        # colon after it (line 7, column 8) is where the parser gives up
        ["7:8: YAML syntax error: while parsing a flow mapping: expected ',' or '}', but got ':'"],
    ),
    (
        "a key written twice in one mapping is reported at the second one",
        edit("    window: 30d\n", "    window: 30d\n    window: 7d\n"),
        ["7:5: slos[0]: duplicate key 'window'"],
    ),
    (
        "a duration with an unknown unit is not a duration",
        edit("window: 30d", "window: 30x"),
        ["6:13: slos[0].window: not a duration: '30x' (write e.g. 300ms, 5m, 1h30m, 30d or 1w)"],
    ),
    (
        "duration units must come largest first",
        edit("window: 30d", "window: 1m1h"),
        [
            "6:13: slos[0].window: units must appear once each, largest first "
            "(w d h m s ms), got '1m1h'"
        ],
    ),
    (
        "a zero-length window is not positive",
        edit("window: 30d", "window: 0s"),
        ["6:13: slos[0].window: must be positive, got 0s"],
    ),
    (
        "a window that is a list is neither rolling nor calendar",
        edit("window: 30d", "window: [30d]"),
        ["6:13: slos[0].window: expected a duration like 30d or a mapping like {calendar: month}"],
    ),
    (
        "an unknown calendar period suggests the closest one",
        edit("window: 30d", "window: {calendar: mnth}"),
        [
            "6:24: slos[0].window.calendar: must be one of 'week', 'month' or 'quarter', "
            "got 'mnth' (did you mean 'month'?)"
        ],
    ),
    (
        "a time zone that is not an IANA name is rejected",
        edit("window: 30d", "window: {calendar: month, timezone: Europe/Berln}"),
        [
            "6:41: slos[0].window.timezone: unknown time zone 'Europe/Berln' "
            "(use an IANA name like Europe/Berlin or UTC)"
        ],
    ),
    (
        "two SLOs of one service may not share a name",
        BASE + "  - name: availability\n    objective: 99\n    window: 7d\n" + RATIO_SLI,
        ["11:11: slos[1].name: duplicate SLO name 'availability' (also slos[0])"],
    ),
    (
        "a ratio SLI with both good and bad is ambiguous",
        edit("        total:", "        good: http_requests_total\n        total:"),
        ["9:9: slos[0].sli.ratio: give exactly one of 'good' or 'bad' (with 'total')"],
    ),
    (
        "a ratio SLI with neither good nor bad has nothing to count",
        edit("""        bad: 'http_requests_total{code=~"5.."}'\n""", ""),
        ["9:9: slos[0].sli.ratio: give exactly one of 'good' or 'bad' (with 'total')"],
    ),
    (
        "a selector with an unquoted label value is not a vector selector",
        edit(
            """bad: 'http_requests_total{code=~"5.."}'""", "bad: 'http_requests_total{code=~5..}'"
        ),
        # the PromQL parser's message, at the character it is about
        ["9:41: slos[0].sli.ratio.bad: invalid PromQL: unexpected character inside braces: '5'"],
    ),
    (
        "a rate() expression is not a counter selector",
        edit("total: http_requests_total", "total: rate(http_requests_total[5m])"),
        ["10:16: slos[0].sli.ratio.total: not a vector selector: unexpected '(' at position 5"],
    ),
    (
        "a selector with an unclosed brace is not a vector selector",
        edit("total: http_requests_total", "total: 'http_requests_total{code=\"200\"'"),
        ["10:36: slos[0].sli.ratio.total: invalid PromQL: unexpected end of input inside braces"],
    ),
    (
        "a latency threshold of zero is not positive",
        edit(RATIO_SLI, LATENCY_SLI.replace("300ms", "0ms")),
        ["11:20: slos[0].sli.latency.threshold: must be positive, got 0s"],
    ),
    (
        "a negative latency threshold (in seconds) is not positive",
        edit(RATIO_SLI, LATENCY_SLI.replace("300ms", "-0.5")),
        ["11:20: slos[0].sli.latency.threshold: must be positive, got -0.5s"],
    ),
    (
        "a histogram named with its _bucket suffix gets the name to write",
        edit(RATIO_SLI, LATENCY_SLI.replace("seconds\n", "seconds_bucket\n")),
        [
            "9:20: slos[0].sli.latency.histogram: write the histogram name without _bucket: "
            "'http_request_duration_seconds'"
        ],
    ),
    (
        "a latency selector holds only label matchers",
        edit(RATIO_SLI, LATENCY_SLI.replace("'{service=", "'http_requests_total{service=")),
        [
            "10:19: slos[0].sli.latency.selector: write only the label matchers here, "
            'like {service="x"} (no metric name)'
        ],
    ),
    (
        "a raw template without the window placeholder cannot be evaluated over windows",
        edit(
            RATIO_SLI, "    sli:\n      raw:\n        error_ratio: 'sum(rate(errors_total[5m]))'\n"
        ),
        ["9:22: slos[0].sli.raw.error_ratio: must contain the {{window}} placeholder"],
    ),
    (
        "a raw template with the Sloth placeholder spelling gets a hint",
        edit(
            RATIO_SLI,
            "    sli:\n      raw:\n        bad: 'sum(increase(e[{{.window}}]))'\n"
            "        total: 'sum(increase(t[{{window}}]))'\n",
        ),
        [
            "9:14: slos[0].sli.raw.bad: must contain the {{window}} placeholder "
            "(found {{.window}}, the Sloth spelling)"
        ],
    ),
    (
        "an SLI with two kinds is ambiguous",
        edit(RATIO_SLI, RATIO_SLI + LATENCY_SLI.replace("    sli:\n", "")),
        [
            "8:7: slos[0].sli: give exactly one of 'ratio', 'latency', 'timeslices' or 'raw', "
            "got 'ratio' and 'latency'"
        ],
    ),
    (
        "an empty SLI has no kind",
        edit(RATIO_SLI, "    sli: {}\n"),
        [
            "7:10: slos[0].sli: give exactly one of 'ratio', 'latency', 'timeslices' or 'raw', "
            "got none"
        ],
    ),
    (
        "a timeslices SLI needs timeslices budgeting",
        edit(
            RATIO_SLI,
            "    sli:\n      timeslices: {query: 'probe_success', good_when: '>= 1'}\n",
        ),
        ["4:5: slos[0]: a timeslices SLI needs budgeting: timeslices"],
    ),
    (
        "a good_when condition needs an operator and a number",
        edit(
            RATIO_SLI,
            "    budgeting: timeslices\n"
            "    sli:\n      timeslices: {query: 'probe_success', good_when: '=> 1'}\n",
        ),
        [
            "9:55: slos[0].sli.timeslices.good_when: not a condition: '=> 1' "
            "(write an operator and a number, like '>= 1')"
        ],
    ),
    (
        "an unknown budgeting method suggests the closest one",
        edit("    sli:\n", "    budgeting: timeslice\n    sli:\n"),
        [
            "7:16: slos[0].budgeting: must be one of 'occurrences', 'timeslices' or "
            "'ratio_timeslices', got 'timeslice' (did you mean 'timeslices'?)"
        ],
    ),
    (
        "a service without SLOs is reported",
        "version: slo/v1\nservice: checkout\nslos: []\n",
        ["3:7: slos: must not be empty"],
    ),
    (
        "a label value that is a number must be quoted",
        edit("slos:\n", "labels: {tier: 1}\nslos:\n"),
        ["3:16: labels.tier: expected a string, got a number"],
    ),
    (
        "a label key that is a number must be quoted",
        edit("slos:\n", "labels: {1: one}\nslos:\n"),
        ["3:10: labels: key 1 must be a string, got a number"],
    ),
    (
        "an infinite latency threshold is refused",
        edit(RATIO_SLI, LATENCY_SLI.replace("300ms", ".inf")),
        ["11:20: slos[0].sli.latency.threshold: expected a finite duration, got inf"],
    ),
    (
        "an SLO name with a space is not a valid name",
        edit("name: availability", "name: 'avail ability'"),
        [
            "4:11: slos[0].name: 'avail ability' is not a valid name: start with a letter or "
            "digit, then letters, digits, '-', '_' or '.'"
        ],
    ),
    (
        "an alert whose short window is not shorter than its long window is rejected",
        BASE
        + "    alerting:\n      windows:\n"
        + "        - {severity: page, long: 5m, short: 1h, burn_rate: 14.4}\n",
        [
            "13:11: slos[0].alerting.windows[0]: the short window (1h) must be shorter than "
            "the long window (5m)"
        ],
    ),
    (
        "timeslice budgeting of a ratio SLI needs the slice settings",
        edit("    sli:\n", "    budgeting: timeslices\n    sli:\n"),
        [
            "4:5: slos[0]: budgeting: timeslices with a ratio SLI needs "
            "'timeslice: {slice: 1m, target: 99}'"
        ],
    ),
    (
        "an alert with both a budget share and a burn rate is ambiguous",
        BASE
        + "    alerting:\n      windows:\n"
        + "        - {severity: page, long: 1h, short: 5m, budget_consumed: 2, burn_rate: 14.4}\n",
        [
            "13:11: slos[0].alerting.windows[0]: "
            "give exactly one of 'budget_consumed' or 'burn_rate'"
        ],
    ),
    (
        "a budget share above 100 percent is out of range",
        BASE
        + "    alerting:\n      windows:\n"
        + "        - {severity: page, long: 1h, short: 5m, budget_consumed: 150}\n",
        [
            "13:66: slos[0].alerting.windows[0].budget_consumed: must be more than 0 and "
            "at most 100, got 150"
        ],
    ),
    (
        "an unknown gate severity suggests the closest one",
        BASE + "    gate: {fail_on: pages}\n",
        [
            "11:21: slos[0].gate.fail_on: must be one of 'exhausted', 'page', 'ticket' or "
            "'never', got 'pages' (did you mean 'page'?)"
        ],
    ),
    (
        "a key the loader sets may not be written in a spec",
        BASE + "source_format: sloth\n",
        ["11:1: unknown key 'source_format' (set by the loader, not in specs)"],
    ),
    (
        "every problem of a file is reported at once, in line order",
        edit("objective: 99.9", "objective: 101", edit("window: 30d", "window: 30x")),
        [
            "5:16: slos[0].objective: must be between 0 and 100 (exclusive), got 101",
            "6:13: slos[0].window: not a duration: '30x' (write e.g. 300ms, 5m, 1h30m, 30d or 1w)",
        ],
    ),
    (
        "an alias bomb is refused before it is expanded",
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 10)}]\n"
            for i in range(6)
        ),
        ["1:1: document too large once aliases are expanded (more than 100000 nodes)"],
    ),
    (
        "a recursive alias is refused",
        "version: slo/v1\nservice: &s [*s]\n",
        ["1:1: recursive alias (an anchor used inside itself)"],
    ),
    (
        "a file with no documents holds no spec",
        "# just a comment\n",
        [
            "1:1: no SLO spec in this file; expected 'version: slo/v1', "
            "'version: prometheus/v1' (Sloth) or 'apiVersion: openslo/v1'"
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_spec_reports_exact_problems(text: str, expected: list[str]) -> None:
    with pytest.raises(SpecError) as info:
        load_text(text, "spec.yaml")
    assert [str(p) for p in info.value.problems] == [f"spec.yaml:{e}" for e in expected]


def test_corpus_is_big_enough_and_named_uniquely() -> None:
    names = [c[0] for c in CASES]
    assert len(CASES) >= 25
    assert len(set(names)) == len(names)


def test_base_document_of_the_corpus_is_valid() -> None:
    # Otherwise a case could pass for a reason other than the one it names.
    (spec,) = load_text(BASE, "spec.yaml")
    assert spec.slos[0].objective == 0.999
