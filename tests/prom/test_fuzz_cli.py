"""Fuzzing the whole CLI (issue 16): spec documents and server answers thrown at the real entry
point. Rule: bad specs are exit 2 and bad answers exit 3, each with one line on stderr — never
exit 70 (a bug) and never a traceback. Bounded for CI: ~50 examples per test, no per-example
deadline (the machine is shared), each run against a loopback server with a 5 s --timeout.
"""

from __future__ import annotations

import copy
import gzip
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.check.conftest import Run, slo
from tests.prom.faultserver import FaultServer, Reply, Seen, fault_server
from tests.prom.test_faults import is_raw, matrix, raw_samples

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = [ROOT / "examples" / n for n in ("auth.yaml", "checkout.yaml", "payments.yaml")]
EXAMPLES += sorted((ROOT / "examples" / "openslo").glob("*.yaml"))
EXAMPLES += sorted((ROOT / "examples" / "sloth").glob("*.yaml"))
DOCS = [list(yaml.safe_load_all(p.read_text(encoding="utf-8"))) for p in EXAMPLES]
AT = "1767000000"

FUZZ = settings(
    max_examples=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        ["90s", "1500ms", "1h30s", "99999999999999999999d", "0s", "367d", "5m", "30d", "month",
         "5.0e-324", "100", "99.9999999999", "{{window}}", 'x{a="b"}', "sum(rate(x[5m]))",
         "Europe/Nowhere", "timeslices", "occurrences", ">= 0.9", "ratio", "page"]
    )
    | st.just(5e-324)
)  # fmt: skip
VALUES = st.recursive(
    SCALARS,
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=8), c, max_size=3),
    max_leaves=8,
)
TAGGED = st.sampled_from(
    ["!!bool maybe", "!!int x", "!!float 1e", "*nowhere", "&a [*a]", "!!binary '%'", "{",
     "!!timestamp 2026-13-40", "!!set {a: 1}", "!!omap [a]", "!!python/object:os.system x"]
)  # fmt: skip


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, dict):
        for k, v in node.items():
            yield from _paths(v, (*path, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _paths(v, (*path, i))


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> Any:
    if not path:
        return value
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = value
    return doc


@st.composite
def spec_texts(draw: st.DrawFn) -> str:
    """An example spec file with a few values replaced, keys dropped or YAML tags inserted."""
    docs = copy.deepcopy(draw(st.sampled_from(DOCS)))
    for _ in range(draw(st.integers(1, 3))):
        i = draw(st.integers(0, len(docs) - 1))
        paths = list(_paths(docs[i]))
        path = draw(st.sampled_from(paths))
        if path and draw(st.booleans()) and isinstance(docs[i], dict):
            parent = docs[i]
            for key in path[:-1]:
                parent = parent[key]
            if isinstance(parent, dict):
                del parent[path[-1]]
                continue
        docs[i] = _set(docs[i], path, draw(VALUES))
    text = yaml.safe_dump_all(docs, sort_keys=False)
    if draw(st.booleans()):
        lines = text.splitlines()
        candidates = [n for n, line in enumerate(lines) if ": " in line]
        if candidates:
            n = draw(st.sampled_from(candidates))
            lines[n] = lines[n].split(": ", 1)[0] + ": " + draw(TAGGED)
            text = "\n".join(lines) + "\n"
    return text


class Script:
    """What the fault server answers right now (set by each example)."""

    reply: Reply = Reply(200, "")

    def __call__(self, req: Seen, i: int) -> Reply:
        return self.reply


SCRIPT = Script()


@pytest.fixture(scope="module")
def server() -> Iterator[FaultServer]:
    with fault_server(SCRIPT) as srv:
        yield srv


@pytest.fixture(scope="module")
def ok_server() -> Iterator[FaultServer]:
    def ok(req: Seen, i: int) -> Reply:
        if "step" in req.form:
            return Reply(200, matrix(req.form))
        if is_raw(req.form):
            return Reply(200, raw_samples(req.form))
        if req.path.endswith("/values"):
            return Reply(200, json.dumps({"status": "success", "data": ["0.1", "0.25", "1"]}))
        return Reply(200, matrix(req.form))  # no series: an instant query of cut bins' pieces

    with fault_server(ok) as srv:
        yield srv


def _sane(run: Run, allowed: set[int]) -> None:
    assert run.code in allowed, (run.code, run.stdout[-500:], run.stderr[-2000:])
    assert "Traceback" not in run.stderr and "internal error" not in run.stderr, run.stderr
    if run.code in (2, 3):
        assert (run.stderr + run.stdout).strip(), "an error needs a message"  # validate: stdout


@FUZZ
@given(text=spec_texts())
def test_fuzzed_specs_are_valid_or_exit_2(
    text: str, tmp_path_factory: pytest.TempPathFactory, ok_server: FaultServer
) -> None:
    path = tmp_path_factory.mktemp("fuzz") / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    _sane(slo("validate", str(path)), {0, 2})
    run = slo("check", str(path), "--prometheus-url", ok_server.url, "--at", AT, "--timeout", "5")
    # a valid spec is evaluated (0 pass, 1 breach, 4 no data); 3 only for a latency threshold
    # that is not a bucket boundary of the fake histogram
    _sane(run, {0, 1, 2, 3, 4})
    if run.code == 3:
        assert "bucket boundary" in run.stderr, run.stderr


# ------------------------------------------------------------------ answers

GOOD = {
    "status": "success",
    "data": {
        "resultType": "matrix",
        "result": [
            {"metric": {"__slo_part": "good"}, "values": [[1766978460, "5"], [1766978520, "6"]]},
            {"metric": {"__slo_part": "total"}, "values": [[1766978460, "9"], [1766978520, "9"]]},
        ],
    },
}
#: places in an answer where the wrong type breaks it
BREAKABLE = [
    ("data",),
    ("data", "resultType"),
    ("data", "result"),
    ("data", "result", 0),
    ("data", "result", 0, "metric"),
    ("data", "result", 0, "values"),
    ("data", "result", 0, "values", 0),
    ("data", "result", 0, "values", 0, 0),
    ("data", "result", 0, "values", 0, 1),
    ("warnings",),
    ("status",),
]
NOT_A_NUMBER_STRING = st.text(max_size=8).filter(lambda s: not _is_number(s))
WRONG = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | NOT_A_NUMBER_STRING
    | st.lists(st.integers() | st.text(max_size=4), max_size=3)
    | st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=4), max_size=2)
)


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


@st.composite
def broken_answers(draw: st.DrawFn) -> Reply:
    body = copy.deepcopy(GOOD)
    path = draw(st.sampled_from(BREAKABLE))
    value = draw(WRONG)
    if path == ("status",) and value in ("success", "error"):
        value = None
    if path == ("warnings",) and value in (None, [], {}, "", 0, False):
        value = 5  # absent or empty warnings are no warnings
    if path[-1:] == (0,) and path[-2:-1] == (0,) and isinstance(value, int | float):
        value = "t"  # a number is a well-formed time (off the grid: the data path's concern)
    if path in (("data", "result"), ("data", "result", 0, "values")) and value == []:
        value = 5  # an empty result is a well-formed answer (no data)
    if path[-1:] == (0,) and path[-2:-1] == ("values",) and isinstance(value, list):
        value = 5  # a list could be a well-formed sample
    if (
        path == ("data", "result", 0, "metric")
        and isinstance(value, dict)
        and all(isinstance(v, str) for v in value.values())
    ):
        value = {"le": 42}
    if path == ("data", "resultType") and value == "matrix":
        value = 5
    if path == ("data",) and isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = 5  # a list of strings is a label-values answer
    if path == ("data", "result", 0) and isinstance(value, dict) and not value:
        value = 5
    _set(body, path, value)
    text = json.dumps(body, allow_nan=True)
    return Reply(200, text)


@st.composite
def any_answers(draw: st.DrawFn) -> Reply:
    """Any status, content type and body: random bytes, random JSON, gzip garbage."""
    status = draw(st.sampled_from([200, 200, 200, 204, 301, 400, 401, 404, 422, 429, 500, 503]))
    kind = draw(st.sampled_from(["bytes", "json", "gzip", "broken"]))
    headers = {"Content-Type": draw(st.sampled_from(["application/json", "text/html", ""]))}
    if kind == "bytes":
        body: bytes | str = draw(st.binary(max_size=200))
    elif kind == "json":
        body = json.dumps(draw(VALUES), allow_nan=True)
    elif kind == "gzip":
        body = gzip.compress(draw(st.binary(max_size=100)))[: draw(st.integers(0, 60))]
        headers["Content-Encoding"] = "gzip"
    else:
        body = draw(broken_answers()).body
    return Reply(status, body, headers)


def _answer_run(server: FaultServer, spec: Path, reply: Reply) -> Run:
    SCRIPT.reply = reply
    return slo(
        "check", str(spec), "--prometheus-url", server.url, "--at", AT, "--timeout", "5",
        "--workers", "1",
    )  # fmt: skip


@pytest.fixture(scope="module")
def ratio_spec(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("spec") / "shop.yaml"
    path.write_text(
        "version: slo/v1\nservice: shop\nslos:\n  - name: avail\n    objective: 99\n"
        "    window: 1d\n    sli: {ratio: {good: 'req_total{code=\"200\"}', total: req_total}}\n"
    )
    return path


@FUZZ
@given(reply=broken_answers())
def test_malformed_success_answers_are_exit_3(
    reply: Reply, server: FaultServer, ratio_spec: Path
) -> None:
    _sane(_answer_run(server, ratio_spec, reply), {3})


@FUZZ
@given(reply=any_answers())
def test_any_answer_is_a_result_or_exit_3(
    reply: Reply, server: FaultServer, ratio_spec: Path
) -> None:
    # a body that still reads as a well-formed answer may be evaluated (0, 1, 4)
    _sane(_answer_run(server, ratio_spec, reply), {0, 1, 3, 4})


def test_an_slo_whose_queries_fail_is_named_on_stderr_whatever_the_format(
    tmp_path: Path, ok_server: FaultServer
) -> None:
    """Exit 3 for one SLO's own failed queries: its row (or JSON record) says why, and so does
    one `slo: error:` line on stderr, so a CI log shows it whatever stdout holds."""
    spec = tmp_path / "lat.yaml"
    spec.write_text(
        "version: slo/v1\nservice: s\nslos:\n  - name: lat\n    objective: 99\n"
        "    window: 30d\n    sli: {latency: {histogram: h, selector: '{a=\"b\"}', "
        "threshold: 0.3}}\n",
        encoding="utf-8",
    )
    for fmt in ("table", "json", "junit"):
        run = slo("check", str(spec), "--prometheus-url", ok_server.url, "--at", AT, "-f", fmt)
        assert run.code == 3, run.stderr
        lines = run.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith(f"slo: error: s/lat: {spec}:4: "), lines
        assert "not a bucket boundary" in lines[0] and "0.1, 0.25, 1" in lines[0]
        assert "not a bucket boundary" in run.stdout, fmt
