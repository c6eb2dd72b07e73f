"""The data types every source speaks: what the caller asks for and the counts it gets back."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

if TYPE_CHECKING:
    from slo_specs.model import SLO

#: progress(done, total): called after each finished unit of work (the CLI draws a bar)
Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class FetchRequest:
    """Counts wanted for one SLO on the bin grid `edges` (epoch seconds, strictly increasing)."""

    key: str
    slo: SLO | Any
    edges: np.ndarray


@dataclass(frozen=True)
class SeriesCounts:
    """Good and total events (or good slices / slices with data) per bin of `edges`.

    `good`, `total` have len(edges) - 1 entries; NaN means no data in that bin. `exact` is False
    for approximate SLI kinds (raw templated expressions).
    """

    key: str
    edges: np.ndarray
    good: np.ndarray
    total: np.ndarray
    exact: bool = True
    notes: tuple[str, ...] = field(default=())
    #: a grouped SLO (``group_by``): counts per group (slo_cli.sources.groups.GroupCounts);
    #: good/total are then their sums
    groups: tuple[Any, ...] = field(default=())
    #: the SourceError (one of errors.PER_SLO_ERRORS) that stopped this SLO's queries: its
    #: counts are then all NaN and the SLO's result is an ERROR row
    error: Any = None
    #: the SLO's own selectors (as its spec writes them) that matched no series at all over
    #: the grid: a misspelt metric or label (slo_cli.nodata names them)
    unmatched: tuple[str, ...] = field(default=())
    #: (start, end, counter part) of each bin counted again from raw samples (a counter reset,
    #: a new series, a scrape gap): what `slo check --explain` lists
    refined: tuple[tuple[float, float, str], ...] = field(default=())


def failed_counts(req: FetchRequest, error: Exception) -> SeriesCounts:
    """The answer for an SLO whose own queries failed (a rejected query, a limit): no counts,
    the error kept for its result row."""
    nan = np.full(req.edges.size - 1, np.nan)
    return SeriesCounts(req.key, req.edges, nan, nan.copy(), error=error)


class Source(Protocol):
    """Where counts come from: a live server or a recorded snapshot."""

    def fetch(
        self, requests: Sequence[FetchRequest], progress: Progress | None = None
    ) -> list[SeriesCounts]:
        """Counts for each request, in the same order."""
        ...

    def close(self) -> None:
        """Release sessions and threads."""
        ...
