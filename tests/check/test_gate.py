"""The gate: which SLO fails at which level, command line over spec, unknown never passes."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slo_cli.exit_codes import ExitCode
from slo_cli.gate import apply_gate, effective_gate, exit_code, judge
from slo_cli.results import Gate
from tests.check.factory import evaluation, no_data, result

HEALTHY = result()
EXHAUSTED = result(remaining=-0.2, consumed=1.2, status="CRITICAL", time_to_exhaustion_s=0.0)
PAGING = result(page=True, ticket=True, remaining=0.6, status="CRITICAL")
TICKET = result(ticket=True, remaining=0.5, status="WARNING")
LOW = result(remaining=0.2, status="WARNING")


@pytest.mark.parametrize(
    ("case", "r", "fail_on", "breached", "reasons"),
    [
        ("a healthy SLO passes even the strictest level", HEALTHY, "ticket", False, ()),
        (
            "an exhausted budget fails at exhausted",
            EXHAUSTED,
            "exhausted",
            True,
            ("budget exhausted",),
        ),
        ("an exhausted budget fails at page", EXHAUSTED, "page", True, ("budget exhausted",)),
        ("an exhausted budget passes at never", EXHAUSTED, "never", False, ()),
        ("a page passes at exhausted", PAGING, "exhausted", False, ()),
        ("a page fails at page", PAGING, "page", True, ("page alert firing",)),
        ("a page fails at ticket as a page", PAGING, "ticket", True, ("page alert firing",)),
        ("a ticket passes at page", TICKET, "page", False, ()),
        ("a ticket fails at ticket", TICKET, "ticket", True, ("ticket alert firing",)),
        (
            "exactly zero remaining is exhausted",
            result(remaining=0.0),
            "exhausted",
            True,
            ("budget exhausted",),
        ),
    ],
)
def test_fail_on_levels(case: str, r, fail_on, breached: bool, reasons: tuple[str, ...]) -> None:
    verdict = judge(r, Gate(fail_on=fail_on))
    assert (verdict.breached, verdict.unknown, verdict.reasons) == (breached, False, reasons), case


def test_min_remaining_fails_below_the_threshold_only() -> None:
    gate = Gate(fail_on="never", min_remaining=0.25)
    assert judge(LOW, gate).reasons == ("remaining below 25%",)
    assert not judge(result(remaining=0.25), gate).breached  # at the threshold: passes
    assert not judge(HEALTHY, gate).breached


def test_no_data_is_unknown_at_every_level() -> None:
    for level in ("exhausted", "page", "ticket", "never"):
        v = judge(no_data(), Gate(fail_on=level))  # type: ignore[arg-type]
        assert (v.breached, v.unknown, v.reasons) == (False, True, ("no data",))


def test_inconsistent_counts_are_unknown() -> None:
    v = judge(result(data_error=True), Gate())
    assert v.unknown and v.reasons == ("good events exceed total events",)


def test_command_line_overrides_the_spec_field_by_field() -> None:
    spec = Gate(fail_on="exhausted", min_remaining=0.5, origin="spec")
    assert effective_gate(spec, None, None) is spec
    assert effective_gate(spec, "ticket", None) == Gate("ticket", 0.5, "command line")
    assert effective_gate(spec, None, 0.1) == Gate("exhausted", 0.1, "command line")
    assert effective_gate(None, None, None) == Gate("page", None, "default")


def test_spec_policy_applies_per_slo() -> None:
    lenient = result(name="lenient", ticket=True, gate=Gate("exhausted", origin="spec"))
    strict = result(name="strict", ticket=True, gate=Gate("ticket", origin="spec"))
    ev = apply_gate(evaluation(lenient, strict))
    assert [r.name for r in ev.breached] == ["strict"]
    # the command line wins over both specs
    assert apply_gate(evaluation(lenient, strict), fail_on="never").breached == ()


@pytest.mark.parametrize(
    ("results", "allow", "code"),
    [
        ((HEALTHY,), False, ExitCode.OK),
        ((HEALTHY, PAGING), False, ExitCode.GATE_BREACHED),
        ((HEALTHY, no_data()), False, ExitCode.NO_DATA),
        ((HEALTHY, no_data()), True, ExitCode.OK),
        ((EXHAUSTED, no_data()), False, ExitCode.GATE_BREACHED),
        ((EXHAUSTED, no_data()), True, ExitCode.GATE_BREACHED),
    ],
)
def test_exit_code(results, allow: bool, code: ExitCode) -> None:
    assert exit_code(apply_gate(evaluation(*results)), allow_no_data=allow) == code


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["OK", "WARNING", "CRITICAL", "NO_DATA"]),
            st.one_of(st.floats(-2.0, 1.0), st.just(float("nan"))),
            st.booleans(),
            st.booleans(),
            st.booleans(),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([None, "exhausted", "page", "ticket", "never"]),
    st.one_of(st.none(), st.floats(0.0, 1.0)),
    st.booleans(),
)
def test_exit_0_only_when_every_slo_is_known_and_within_every_rule(
    rows, fail_on, min_remaining, allow
) -> None:
    results = [
        result(name=f"s{i}", status=status, remaining=rem, page=page, ticket=ticket, data_error=err)
        for i, (status, rem, page, ticket, err) in enumerate(rows)
    ]
    ev = apply_gate(evaluation(*results), fail_on=fail_on, min_remaining=min_remaining)
    code = exit_code(ev, allow_no_data=allow)
    level = fail_on or "page"
    for r in ev.slos:
        unknown = r.status == "NO_DATA" or r.data_error or r.remaining != r.remaining
        if code == ExitCode.OK:
            assert allow or not unknown
            if not unknown:
                assert level == "never" or r.remaining > 0
                assert not (level in ("page", "ticket") and r.page)
                assert not (level == "ticket" and r.ticket)
                assert min_remaining is None or r.remaining >= min_remaining
