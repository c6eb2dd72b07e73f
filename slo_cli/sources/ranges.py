"""Range queries on a grid of equal steps: chunked under the engine's points limit, split on
limit errors and server timeouts, and checked to answer on exactly the requested grid."""

from __future__ import annotations

import numpy as np

from slo_cli.sources import errors as E
from slo_cli.sources.grid import Segment
from slo_cli.sources.http import Transport
from slo_cli.sources.shapes import arrays

#: what makes each engine answer on the requested grid (README, "Engines")
OFF_GRID_FIX = {
    "victoriametrics": "VictoriaMetrics' response cache moves points onto multiples of the step;"
    " --engine victoriametrics sends nocache=1 (do not override it with --param), or run it"
    " with -search.disableCache",
    "thanos": "a Thanos query frontend aligns queries with the step when run with"
    " --query-range.align-range-with-step; turn it off or point slo at the querier",
    "mimir": "the Mimir query frontend aligns queries with the step when the tenant's"
    " align_queries_with_step limit is on; turn it off or point slo at the querier",
    "cortex": "the Cortex query frontend aligns queries with the step when run with"
    " -querier.align-querier-with-step; turn it off or point slo at the querier",
    "prometheus": "a frontend or cache moved the points: for VictoriaMetrics use --engine"
    " victoriametrics (sends nocache=1); for a Thanos, Mimir or Cortex query frontend turn off"
    " its step alignment (or use --engine thanos|mimir|cortex for the exact setting)",
}


def num(x: float) -> str:
    """Epoch seconds for a query parameter, exact to the millisecond."""
    ms = round(x * 1000)
    return str(ms // 1000) if ms % 1000 == 0 else f"{ms / 1000:.3f}"


class RangeQueries:
    """Range queries over a Transport; `engine` names the server in off-grid errors."""

    t: Transport
    max_points: int
    engine: str

    # ---- range queries ---------------------------------------------------------------------------

    def range_parts(self, query: str, seg: Segment) -> dict[str, np.ndarray]:
        """A tagged union query over one segment: values per `__slo_part`, NaN where absent."""
        out: dict[str, np.ndarray] = {}
        for metric, values in self._range(query, seg):
            part = metric.get("__slo_part", "")
            if part in out:  # a part must be one series (the sums have no labels left)
                raise E.BadResponseError(f"more than one series for part {part!r}", query=query)
            out[part] = values
        return out

    def range_series(self, query: str, seg: Segment) -> list[np.ndarray]:
        """Every series of a range query over one segment, as arrays indexed by bin."""
        return [values for _, values in self._range(query, seg)]

    def _range(self, query: str, seg: Segment) -> list[tuple[dict[str, str], np.ndarray]]:
        """Chunk a segment under the points limit; merge series by their labels."""
        merged: dict[tuple[tuple[str, str], ...], tuple[dict[str, str], np.ndarray]] = {}
        per_chunk = max(1, self.max_points)
        k = 0
        while k < seg.n:
            m = min(per_chunk, seg.n - k)
            for labels, idx, vals in self._range_chunk(query, seg, k, m):
                key = tuple(sorted(labels.items()))
                if key not in merged:
                    merged[key] = (labels, np.full(seg.n, np.nan))
                merged[key][1][idx] = vals
            k += m
        return list(merged.values())

    def _range_chunk(
        self, query: str, seg: Segment, k: int, m: int
    ) -> list[tuple[dict[str, str], np.ndarray, np.ndarray]]:
        """Bins k..k+m-1 of a segment; halves the chunk on limit errors and server timeouts."""
        start = seg.first_end + k * seg.step
        end = seg.first_end + (k + m - 1) * seg.step
        params = {"query": query, "start": num(start), "end": num(end), "step": num(seg.step)}
        try:
            env = self.t.call("/api/v1/query_range", params, query)
        except (E.LimitError, E.QueryTimeoutError):
            if m <= 1:
                raise
            half = m // 2
            return self._range_chunk(query, seg, k, half) + self._range_chunk(
                query, seg, k + half, m - half
            )
        data = env.data
        if not isinstance(data, dict) or data.get("resultType") != "matrix":
            raise E.BadResponseError("expected a matrix from query_range", query=query[:300])
        out = []
        for series in data.get("result") or []:
            ts, vs = arrays(series)
            pos = (ts - seg.first_end) / seg.step
            idx = np.rint(pos).astype(np.int64)
            # bins are indexed by the returned timestamps, never by position in the answer;
            # a point off the requested grid is an engine moving it: an error, never dropped
            ok = (np.abs(pos - idx) * seg.step < 1e-3) & (idx >= k) & (idx < k + m)
            if not ok.all():
                raise self._off_grid(query, start, end, seg.step, float(ts[~ok][0]))
            out.append((dict(series.get("metric") or {}), idx, vs))
        return out

    def _off_grid(
        self, query: str, start: float, end: float, step: float, got: float
    ) -> E.SourceError:
        """The error for a range answer whose timestamps are not the requested ones."""
        when = f"start={num(start)} end={num(end)} step={num(step)}"
        fix = OFF_GRID_FIX.get(self.engine, OFF_GRID_FIX["prometheus"])
        return E.OffGridError(
            f"the server ({self.engine}) answered a range query with a point at {num(got)}, "
            f"off the requested grid ({when}); its counts would be wrong, so none are used",
            query=query[:300],
            hint=fix,
        )
