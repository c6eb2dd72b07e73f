"""The whole-array sample check (no Python loop per point) finds what the per-point check finds."""

from __future__ import annotations

import math

import numpy as np
import pytest

from slo_cli.sources import errors as E
from slo_cli.sources.shapes import _sample, arrays, check_data

GOOD = [[1700000000 + i, str(i * 1.5)] for i in range(1000)]


def _matrix(values: list[object]) -> dict[str, object]:
    return {"resultType": "matrix", "result": [{"metric": {"a": "b"}, "values": values}]}


def test_a_clean_matrix_becomes_arrays_equal_to_per_point_floats() -> None:
    data = _matrix([*GOOD, [1700001000.25, "NaN"], [1700001001, "+Inf"], [1700001002, "-1e3"]])
    check_data(data, None, "u")
    t, v = arrays(data["result"][0])  # type: ignore[index]
    rows = data["result"][0]["values"]  # type: ignore[index]
    assert t.tolist() == [float(r[0]) for r in rows]
    assert np.array_equal(v, np.array([float(r[1]) for r in rows]), equal_nan=True)
    assert math.isinf(v[-2]) and v[-1] == -1000.0


@pytest.mark.parametrize(
    "bad",
    [
        [1700000500, "x"],
        [1700000500],
        [1700000500, "1", "2"],
        [True, "1"],
        [10**400, "1"],
        [float("inf"), "1"],
        ["1700000500", "1"],
        [1700000500, 1.0],
        [1700000500, "1" * 65],
        (1700000500, "1"),
        None,
    ],
    ids=[
        "value-x",
        "short",
        "long",
        "bool",
        "huge",
        "inf",
        "str-time",
        "num-value",
        "65",
        "tuple",
        "none",
    ],
)
def test_one_bad_sample_among_many_is_named_like_the_per_point_check(bad: object) -> None:
    rows = [*GOOD[:500], bad, *GOOD[500:]]
    expected = _sample(bad)
    assert expected is not None
    with pytest.raises(E.BadResponseError) as got:
        check_data(_matrix(rows), None, "u")
    assert expected in str(got.value)
