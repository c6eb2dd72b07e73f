"""The fast reading of answers (sources/fastjson.py) takes every answer to say what the slow
reading (json.loads, then shapes.check_data) takes it to say, and reads nothing the slow one
would refuse: on such answers it steps aside (None) and the slow path words the error."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from slo_cli.sources import errors as E
from slo_cli.sources.fastjson import envelope
from slo_cli.sources.shapes import ARRAYS, arrays, check_data

ROOT = Path(__file__).resolve().parents[2]


def _slow(text: str) -> dict[str, Any]:
    body = json.loads(text)
    check_data(body["data"], None, "u")
    return body


def _same(fast: dict[str, Any], slow: dict[str, Any]) -> None:
    assert fast["status"] == slow["status"]
    assert fast.get("warnings") == slow.get("warnings")
    assert bool(fast.get("isPartial")) == bool(slow.get("isPartial"))
    fd, sd = fast["data"], slow["data"]
    assert fd["resultType"] == sd["resultType"]
    assert len(fd["result"]) == len(sd["result"])
    for f, s in zip(fd["result"], sd["result"], strict=True):
        assert f["metric"] == s["metric"]
        if sd["resultType"] == "vector":
            assert float(f["value"][0]) == float(s["value"][0])
            assert f["value"][1] == s["value"][1]
            continue
        (ft, fv), (st, sv) = f[ARRAYS], arrays(s)
        assert ft.tolist() == st.tolist()
        assert np.array_equal(fv, sv, equal_nan=True)


def _recorded_answers() -> list[str]:
    snap = json.loads((ROOT / "examples" / "snapshot.json").read_text(encoding="utf-8"))
    return [a["body"] for a in snap["answers"] if a.get("status") == 200]


def test_every_recorded_answer_reads_the_same_both_ways() -> None:
    bodies = _recorded_answers()
    read = 0
    for text in bodies:
        fast = envelope(text)
        if fast is None:  # not a matrix or vector: the slow path alone reads it
            data = json.loads(text)["data"]
            assert not isinstance(data, dict) or data["resultType"] not in ("matrix", "vector")
            continue
        _same(fast, _slow(text))
        read += 1
    assert read > 10  # the example snapshot is mostly matrices


def _matrix(values: Sequence[object], **extra: object) -> str:
    return json.dumps(
        {
            "status": "success",
            "data": {"resultType": "matrix", "result": [{"metric": {"a": "b"}, "values": values}]},
            **extra,
        }
    )


def test_special_values_warnings_and_partial_read_the_same_both_ways() -> None:
    rows = [[1700000000 + i, str(i * 1.5)] for i in range(50)]
    rows += [[1700000100.25, "NaN"], [1700000101, "-1e3"], [1700000102, "+Inf"]]
    for text in (
        _matrix(rows),
        _matrix(rows, warnings=["one store was slow"]),
        _matrix([], isPartial=True),
        json.dumps(
            {
                "status": "success",
                "data": {
                    "resultType": "vector",
                    "result": [{"metric": {"x": "1"}, "value": [1700000000.5, "42"]}],
                },
            }
        ),
    ):
        fast = envelope(text)
        assert fast is not None
        _same(fast, _slow(text))
    got = envelope(_matrix(rows))
    assert got is not None
    assert math.isnan(got["data"]["result"][0][ARRAYS][1][50])


@pytest.mark.parametrize(
    "text",
    [
        _matrix([[1700000500, "x"]]),
        _matrix([[1700000500]]),
        _matrix([[1700000500, "1", "2"]]),
        _matrix([[True, "1"]]),
        _matrix([["1700000500", "1"]]),
        _matrix([[1700000500, 1.0]]),
        _matrix([[1700000500, "1" * 65]]),
        _matrix([None]),
        '{"status": "success", "data": {"resultType": "matrix", "result": 5}}',
        '{"status": "success", "data": {"resultType": "matrix", "result": '
        '[{"metric": {"le": 42}, "values": []}]}}',
        '{"status": "success", "data": {"resultType": "matrix", "result": '
        '[{"metric": {}, "histograms": [[1, {}]]}]}}',
        '{"status": "success", "data": {"resultType": "scalar", "result": [1, "2"]}}',
        '{"status": "success", "data": ["a", "b"]}',
        '{"status": "error", "errorType": "bad_data", "error": "parse error"}',
        '{"status": "success", "data": {"resultType": "matrix", "result": []}, "warnings": 5}',
        '{"status": "success", "data": {"resultType": "matrix", "result": [',
        "<html>login</html>",
    ],
)
def test_what_the_fast_path_does_not_read_is_left_to_the_slow_one(text: str) -> None:
    assert envelope(text) is None


def test_a_bad_value_among_many_is_left_to_the_slow_path_which_names_it() -> None:
    rows: list[object] = [[1700000000 + i, str(i)] for i in range(500)]
    rows.insert(250, [1700000250.5, "x"])
    text = _matrix(rows)
    assert envelope(text) is None
    with pytest.raises(E.BadResponseError, match="'x' is not a number"):
        _slow(text)
