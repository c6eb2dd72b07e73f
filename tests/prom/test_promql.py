"""PromQL text helpers: durations, selectors, `le` regexes, client-side label matching."""

from __future__ import annotations

import re

import pytest

from slo_cli.sources import promql


def test_durations() -> None:
    assert [promql.dur(x) for x in (60, 3600, 0.5, 86700)] == ["60s", "3600s", "500ms", "86700s"]


def test_le_regex_matches_exactly_the_spellings() -> None:
    rx = promql.le_regex(["0.3", "0.30", "+Inf"])
    assert rx == r"\\+Inf|0\\.3|0\\.30"  # backslashes doubled for a double-quoted PromQL string
    plain = rx.replace("\\\\", "\\")
    assert [bool(re.fullmatch(plain, v)) for v in ("0.3", "0.30", "0x3", "+Inf", "0.300")] == [
        True, True, False, True, False,
    ]  # fmt: skip


def test_add_matcher() -> None:
    assert (
        promql.add_matcher('{service="x"}', "h_bucket", 'le="1"') == 'h_bucket{service="x",le="1"}'
    )
    assert promql.add_matcher("", "h_count", "") == "h_count"


@pytest.mark.parametrize(
    ("sub", "sup", "extra"),
    [
        ('m{a="1",code!~"5.."}', 'm{a="1"}', (("code", "!~", "5.."),)),
        ('m{a=\'1\', b="x\\"y"}', "m{a='1'}", (("b", "=", 'x"y'),)),
        ('m{a="2",code="500"}', 'm{a="1"}', None),  # not a subset: a differs
        ('n{a="1"}', 'm{a="1"}', None),  # another metric
        ('sum(m{a="1"})', 'm{a="1"}', None),  # not a plain selector
    ],
)
def test_subset_detection(sub: str, sup: str, extra: object) -> None:
    assert promql.extra_matchers(sub, sup) == extra


def test_label_matching_is_anchored_and_missing_is_empty() -> None:
    assert promql.matches({"code": "503"}, (("code", "=~", "5.."),))
    assert not promql.matches({"code": "1503"}, (("code", "=~", "5.."),))
    assert promql.matches({}, (("code", "!~", "5.."),))
    assert promql.matches({}, (("zone", "=", ""),))
    assert not promql.matches({"zone": "a"}, (("zone", "!=", "a"),))
