"""Minimal Prometheus HTTP API reads for the rules tests (independent of slo's own client)."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request

import numpy as np


def _get(url: str, path: str, params: dict[str, str]) -> dict:
    body = urllib.parse.urlencode(params).encode()
    with urllib.request.urlopen(url + path, data=body, timeout=120) as resp:
        doc = json.loads(resp.read())
    assert doc["status"] == "success", doc
    return dict(doc["data"])


def instant(url: str, expr: str, t: float) -> list[tuple[dict[str, str], float]]:
    data = _get(url, "/api/v1/query", {"query": expr, "time": f"{t:.3f}"})
    return [(r["metric"], float(r["value"][1])) for r in data["result"]]


def range_(
    url: str, expr: str, start: float, end: float, step: float = 60.0
) -> list[tuple[dict[str, str], np.ndarray]]:
    """Each series as values on the grid start, start+step, ..., end (NaN where absent)."""
    data = _get(
        url,
        "/api/v1/query_range",
        {"query": expr, "start": f"{start:.3f}", "end": f"{end:.3f}", "step": f"{step:g}"},
    )
    n = round((end - start) / step) + 1
    out = []
    for r in data["result"]:
        values = np.full(n, np.nan)
        for t, v in r["values"]:
            values[round((float(t) - start) / step)] = float(v)
        out.append((r["metric"], values))
    return out
