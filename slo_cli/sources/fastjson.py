"""The fast reading of a well-formed answer: a success envelope of a matrix or a vector,
decoded by msgspec against its exact shape in C, each series' samples straight into arrays.

Anything else — an error envelope, another result type, a histogram, a value that is not a
number in a string, a non-finite time, a number longer than shapes._MAX_NUMBER_CHARS, invalid
JSON — is not read here (None): the caller reads it the slow way (`http._envelope`, then
`shapes.check_data`), which words what is wrong. So this path changes how fast an answer is
read, never what an answer is taken to say (tests/prom/test_fastjson.py compares the two).

msgspec (https://jcristharif.com/msgspec/) was chosen over orjson because it checks the shape
while decoding (types of times, values and labels) instead of building Python objects for
every point that then have to be checked one by one: on 200 SLOs' recorded answers (10 MB) it
reads them in a third of the time of `json.loads` plus the checks.
"""

from __future__ import annotations

import functools
from typing import Annotated, Any

import msgspec
import numpy as np

from slo_cli.sources.shapes import _MAX_NUMBER_CHARS, ARRAYS, _sample, sample_arrays

_Number = Annotated[str, msgspec.Meta(max_length=_MAX_NUMBER_CHARS)]


class _Series(msgspec.Struct):
    metric: dict[str, str]
    values: list[tuple[float, _Number]] | None = None
    value: tuple[float, _Number] | None = None
    histograms: msgspec.Raw | None = None
    histogram: msgspec.Raw | None = None


class _Data(msgspec.Struct):
    resultType: str
    result: list[_Series]


class _Envelope(msgspec.Struct):
    status: str
    data: _Data
    warnings: list[str] | None = None
    isPartial: bool = False


@functools.cache
def _decoder() -> msgspec.json.Decoder[_Envelope]:
    return msgspec.json.Decoder(_Envelope)


def envelope(text: str) -> dict[str, Any] | None:
    """The envelope of a well-formed success answer with a matrix or vector, as the slow path
    would leave it after checking (matrix series carry shapes.ARRAYS), or None."""
    try:
        env = _decoder().decode(text)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    kind = env.data.resultType
    if env.status != "success" or kind not in ("matrix", "vector"):
        return None
    result: list[dict[str, Any]] = []
    for s in env.data.result:
        if s.histograms is not None or s.histogram is not None:
            return None
        if kind == "vector":
            if s.value is None or s.values is not None:
                return None
            value = list(s.value)
            if _sample(value) is not None:  # a time that is not finite, a value not a number
                return None
            result.append({"metric": s.metric, "value": value})
            continue
        if s.values is None or s.value is not None:
            return None
        got = _arrays(s.values)
        if got is None:
            return None
        result.append({"metric": s.metric, ARRAYS: got})
    out: dict[str, Any] = {"status": "success", "data": {"resultType": kind, "result": result}}
    if env.warnings is not None:
        out["warnings"] = env.warnings
    if env.isPartial:
        out["isPartial"] = True
    return out


def _arrays(rows: list[tuple[float, str]]) -> tuple[np.ndarray, np.ndarray] | None:
    if not rows:
        return np.empty(0), np.empty(0)
    ts, vs = zip(*rows, strict=True)
    return sample_arrays(ts, vs)
