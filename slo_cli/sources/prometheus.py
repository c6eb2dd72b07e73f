"""PrometheusSource: fetch counts for many SLOs in parallel from a live server."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from typing import TYPE_CHECKING

from slo_cli.sources.bincache import BinCache
from slo_cli.sources.errors import PER_SLO_ERRORS
from slo_cli.sources.fetch import LOOKBACK_S, Fetcher
from slo_cli.sources.http import BACKOFF_S, MAX_RETRIES, Clock, QueryLog, Recorder
from slo_cli.sources.live import LiveTransport
from slo_cli.sources.model import FetchRequest, Progress, SeriesCounts, failed_counts
from slo_cli.sources.settings import ConnectionSettings
from slo_cli.sources.share import groups

if TYPE_CHECKING:
    from slo_cli.sources.batch import Batcher


class PrometheusSource:
    """Counts from a Prometheus-compatible server, `workers` SLOs at a time.

    Each worker thread has its own HTTP session (requests sessions are not thread-safe).
    `recorder` collects every successful raw answer for `slo snapshot`; `clock` is the CLI's
    (sources never read the clock themselves).
    """

    def __init__(
        self,
        settings: ConnectionSettings,
        *,
        clock: Clock,
        workers: int = 4,
        allow_partial: bool = False,
        recorder: Recorder | None = None,
        max_retries: int = MAX_RETRIES,
        backoff_s: float = BACKOFF_S,
        lookback_s: float = LOOKBACK_S,
        run_deadline: float | None = None,
        query_log: QueryLog | None = None,
        cache: BinCache | None = None,
    ) -> None:
        from dataclasses import replace

        self.settings = replace(settings, allow_partial=allow_partial)
        settings.base_url  # noqa: B018 - a missing URL is a usage error now, not in a thread
        settings.check_files()  # so is a missing CA bundle or certificate
        self.workers = max(1, int(workers))
        self.recorder = recorder
        self.clock = clock
        self.max_retries = max_retries
        self.backoff_s = backoff_s
        self.lookback_s = lookback_s
        #: the monotonic instant (on `clock`) every request must end by: --deadline
        self.run_deadline = run_deadline
        #: every call each worker makes is logged here (`slo check --explain`)
        self.query_log = query_log
        #: the bin cache (slo_cli.sources.bincache) shared by the workers; None: off
        self.cache = cache
        self._local = threading.local()
        self._transports: list[LiveTransport] = []
        self._lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        #: the prefetch threads of batched queries (batch.Batcher._ahead)
        self._ahead_pool: ThreadPoolExecutor | None = None
        #: at most `workers` queries in flight, the prefetches' included
        self._gate = threading.BoundedSemaphore(self.workers)
        #: this fetch's batcher (slo_cli.sources.batch), None: each SLO sends its own queries
        self._batcher: Batcher | None = None

    @property
    def requests_sent(self) -> int:
        """HTTP requests sent so far, over all workers (retries included)."""
        with self._lock:
            return sum(t.requests_sent for t in self._transports)

    @property
    def notes(self) -> list[str]:
        """Partial-data notes collected when partial data is allowed."""
        with self._lock:
            return [n for t in self._transports for n in t.partial_notes]

    def set_deadline(self, run_deadline: float | None) -> None:
        """A new `run_deadline` for every call from now on: each refresh of `slo check --watch`
        is a run of its own (--deadline bounds one refresh, not the whole watch)."""
        self.run_deadline = run_deadline
        with self._lock:
            for t in self._transports:
                t.run_deadline = run_deadline

    def _fetcher(self) -> Fetcher:
        fetcher = getattr(self._local, "fetcher", None)
        if fetcher is None:
            transport = LiveTransport(
                self.settings,
                clock=self.clock,
                recorder=self.recorder,
                max_retries=self.max_retries,
                backoff_s=self.backoff_s,
                run_deadline=self.run_deadline,
            )
            transport.log = self.query_log
            transport.gate = self._gate
            with self._lock:
                self._transports.append(transport)
            fetcher = Fetcher(
                transport,
                max_points=self.settings.max_points,
                lookback_s=self.lookback_s,
                engine=self.settings.engine,
                cache=self.cache,
            )
            self._local.fetcher = fetcher
        return fetcher

    def _one(self, req: FetchRequest) -> SeriesCounts:
        fetcher = self._fetcher()
        batcher = self._batcher
        member = None if batcher is None else batcher.members.get(req.key)
        fetcher.t.batch = None if batcher is None or member is None else (batcher, member)
        try:
            return fetcher.counts(req)
        except PER_SLO_ERRORS as exc:  # this SLO's own queries: the others go on
            return failed_counts(req, exc)
        finally:
            fetcher.t.batch = None

    @property
    def shares(self) -> bool:
        """Whether SLOs over the same SLI share answers (slo_cli.sources.share): not while
        recording answers (a snapshot holds every call) or logging calls (--explain)."""
        return self.recorder is None and self.query_log is None

    def _group(self, group: list[tuple[int, FetchRequest]]) -> list[tuple[int, SeriesCounts]]:
        """The SLOs of one SLI, one after another on this worker, sharing their answers (and
        their counts, when they are the same request)."""
        from slo_cli.sources.share import SharedAnswers, counted_once

        transport = self._fetcher().t
        if self.shares and len(group) > 1:
            transport.shared = SharedAnswers(ranges=self.settings.engine == "prometheus")
        try:
            return list(counted_once(group, self._one, self.shares))
        finally:
            transport.shared = None

    def fetch(
        self, requests: Sequence[FetchRequest], progress: Progress | None = None
    ) -> list[SeriesCounts]:
        """Counts for each request, in order. An error of one SLO's own queries
        (errors.PER_SLO_ERRORS) comes back as that SLO's `SeriesCounts.error`; any other error
        (the server is unreachable, auth, …) cancels the rest and is raised."""
        if not requests:
            return []
        if self._pool is None:
            self._pool = ThreadPoolExecutor(self.workers, thread_name_prefix="slo-fetch")
        with self._lock:  # the notes of this fetch only (a watch fetches again and again)
            for t in self._transports:
                t.partial_notes.clear()
        if self.cache is not None:  # what is settled is counted from this fetch's clock
            self.cache.now = self.clock.now()
        self._batcher = None
        if self.shares:  # SLOs that differ in one label's value: one query for many
            from slo_cli.sources.batch import Batcher, families

            members = families(requests)
            if members and self._ahead_pool is None:
                self._ahead_pool = ThreadPoolExecutor(
                    max(1, self.workers // 2), thread_name_prefix="slo-ahead"
                )
            pool = self._ahead_pool
            self._batcher = (
                Batcher(
                    members,
                    parts=self.workers,
                    spawn=None if pool is None else pool.submit,
                    transport=lambda: self._fetcher().t,
                )
                if members
                else None
            )
        futures = [self._pool.submit(self._group, g) for g in groups(requests, self.shares)]
        results: list[SeriesCounts | None] = [None] * len(requests)
        done = 0
        try:
            for fut in as_completed(futures):
                for i, counts in fut.result():
                    results[i] = counts
                    done += 1
                if progress is not None:
                    progress(done, len(requests))
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        out = [r for r in results if r is not None]
        if self.cache is not None:
            self.cache.save()  # once per run (per refresh of a watch)
        notes = tuple(dict.fromkeys(self.notes))
        if notes:
            from dataclasses import replace

            out = [replace(r, notes=r.notes + notes) for r in out]
        return out

    def close(self) -> None:
        """Stop the workers and close every session."""
        for pool in (self._pool, self._ahead_pool):
            if pool is not None:
                pool.shutdown(wait=True, cancel_futures=True)
        self._pool = self._ahead_pool = None
        with self._lock:
            for t in self._transports:
                t.close()
            self._transports.clear()
        self._local = threading.local()
