"""Properties of the epoch-aligned counting grid (slo_cli.sources.grid.cut_plan) on the grids
plan_grid builds for real runs: any evaluation instant, any lookback, any window starts and
period bounds as extra edges.

What must hold, by definition of the plan (docs/design.md §3), checked by arithmetic on the
edges here rather than against the code's own output:

- the counting grid ends where the requested one does and starts at or before it;
- every bin of the counting grid is a whole minute, hour or day starting on a multiple of its
  width (so a settled bin has one identity in every run: the bin cache), a cut's parent an hour
  or a day;
- each cut's points run from its parent bin's start to its end through requested edges only,
  and its pieces are exactly the requested bins it stands for (the first piece lying before the
  grid only when `outside`);
- each requested bin lies inside the counting bin `index` names, in order.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from slo_cli.sources.grid import cut_plan, plan_cuts, plan_grid

DAY = 86400.0
T0 = 1_700_000_000.0  # 2023-11-14 22:13:20 UTC: not on any whole hour


def _on_tier(lo: float, hi: float) -> bool:
    width = hi - lo
    return width in (60.0, 3600.0, DAY) and lo % width == 0


@st.composite
def grids(draw: st.DrawFn) -> np.ndarray:
    end = T0 + draw(st.integers(0, 40 * 86400))
    lookback = draw(st.sampled_from([3600.0, 6 * 3600.0, DAY, 3 * DAY, 7 * DAY, 30 * DAY]))
    lookback += draw(st.integers(0, 5 * 86400))
    starts = draw(st.lists(st.integers(1, int(lookback) - 1), max_size=6))
    far = draw(st.sampled_from([DAY, None]))
    return plan_grid(end, lookback, must_edges=[end - s for s in starts], far_step_s=far)


@settings(max_examples=1500, deadline=None)
@given(grids())
def test_the_counting_grid_is_aligned_and_its_cuts_tile_the_requested_bins(
    edges: np.ndarray,
) -> None:
    lo, hi = edges[:-1], edges[1:]
    plan = cut_plan(edges)
    if plan is None:
        assert all(_on_tier(float(a), float(b)) for a, b in zip(lo, hi, strict=True))
        return
    grid = plan.grid
    assert grid[-1] == edges[-1] and grid[0] <= edges[0]
    assert np.all(np.diff(grid) > 0)
    parents = {c.parent for c in plan.cuts}
    for k in range(grid.size - 1):
        a, b = float(grid[k]), float(grid[k + 1])
        if k in parents:
            assert b - a in (3600.0, DAY) and a % (b - a) == 0, (a, b)
        else:
            assert _on_tier(a, b), (a, b)
    covered: list[int] = []
    for cut in plan.cuts:
        pts = cut.points
        assert pts[0] == grid[cut.parent] and pts[-1] == grid[cut.parent + 1]
        assert np.all(np.diff(pts) > 0)
        inside = pts[1:] if cut.outside else pts
        assert cut.outside == (pts[0] < edges[0])
        if cut.outside:
            assert cut.first == 0 and math.isclose(inside[0], edges[0])
        n = len(inside) - 1
        assert tuple(edges[cut.first : cut.first + n + 1].tolist()) == inside
        covered += range(cut.first, cut.first + n)
    assert len(covered) == len(set(covered))
    index = plan.index
    assert np.all(np.diff(index) >= 0)
    assert np.all(grid[index] <= lo) and np.all(hi <= grid[index + 1])
    for i in set(range(lo.size)) - set(covered):
        # a bin outside every cut is a bin of the counting grid as it is
        assert (grid[index[i]], grid[index[i] + 1]) == (lo[i], hi[i])


@settings(max_examples=200, deadline=None)
@given(grids())
def test_a_remembered_plan_is_the_plan_of_those_edges_and_cannot_be_changed(
    edges: np.ndarray,
) -> None:
    first, again, fresh = cut_plan(edges), cut_plan(edges.copy()), plan_cuts(edges)
    assert again is first
    if fresh is None:
        assert first is None
        return
    assert first is not None
    assert first.cuts == fresh.cuts
    assert np.array_equal(first.grid, fresh.grid) and np.array_equal(first.index, fresh.index)
    with pytest.raises(ValueError):
        first.grid[0] = 0.0
