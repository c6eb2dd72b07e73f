"""Record and replay: a snapshot file holds the raw answers needed to evaluate SLOs at one instant.

Format (JSON, `"format": "slo/snapshot/v1"`): `at` (the evaluation instant, epoch seconds),
`recorded_at`, `engine`, and `answers`: each call's path, its parameters (the engine's extra
parameters and the server-side timeout left out), HTTP status, content type and the raw body.
No URL, header, token or password is written. Replay sends the same calls to a transport that
answers from the file, so answers go through the very parsing code a live run uses.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from slo_cli.errors import UsageError
from slo_cli.files import write_atomically
from slo_cli.sources.errors import PER_SLO_ERRORS, SnapshotError
from slo_cli.sources.fetch import LOOKBACK_S, Fetcher
from slo_cli.sources.http import QueryLog, RawAnswer, Recorder, Transport, answer_key
from slo_cli.sources.model import FetchRequest, Progress, SeriesCounts, failed_counts

FORMAT = "slo/snapshot/v1"


class ReplayTransport(Transport):
    """Answers calls from a snapshot's recorded answers."""

    def __init__(self, answers: dict[str, dict[str, Any]], path: str) -> None:
        super().__init__(allow_partial=False, url=f"snapshot {path}", max_retries=0)
        self.answers = answers
        self.path = path

    def _send(self, path: str, params: dict[str, str], method: str) -> RawAnswer:
        self.requests_sent += 1
        rec = self.answers.get(answer_key(path, params))
        if rec is None:
            query = params.get("query") or params.get("match[]") or ""
            raise SnapshotError(
                f"snapshot {self.path} has no answer for {path} at "
                f"{params.get('time') or params.get('end') or '?'}",
                query=query[:300] or None,
                hint="record it again with `slo snapshot` for these SLOs and this --at",
            )
        return RawAnswer(int(rec["status"]), str(rec.get("content_type", "")), str(rec["body"]))


class RecordedSource:
    """A Source replaying a snapshot file offline (`--from FILE`). `at` is its instant."""

    def __init__(self, path: str | Path, *, query_log: QueryLog | None = None) -> None:
        self.path = str(path)
        try:
            doc = json.loads(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise SnapshotError(f"cannot read snapshot {path}: {exc.strerror}") from None
        except ValueError:
            raise SnapshotError(f"snapshot {path} is not valid JSON") from None
        if not isinstance(doc, dict) or doc.get("format") != FORMAT:
            got = doc.get("format") if isinstance(doc, dict) else None
            raise SnapshotError(
                f"snapshot {path}: expected format {FORMAT!r}, got {got!r}",
                hint="record it again with this version's `slo snapshot`",
            )
        self.at = float(doc["at"])
        self.engine = str(doc.get("engine", "prometheus"))
        self.max_points = int(doc.get("max_points", 11_000))
        self.lookback_s = float(doc.get("lookback_s", LOOKBACK_S))
        answers = {
            answer_key(a["path"], {str(k): str(v) for k, v in a["params"].items()}): a
            for a in doc.get("answers", [])
        }
        self.transport = ReplayTransport(answers, self.path)
        self.transport.log = query_log  # the recorded calls replayed (`slo check --explain`)
        self.fetcher = Fetcher(
            self.transport,
            max_points=self.max_points,
            lookback_s=self.lookback_s,
            engine=self.engine,
        )

    def fetch(
        self, requests: Sequence[FetchRequest], progress: Progress | None = None
    ) -> list[SeriesCounts]:
        """Counts for each request, computed from the recorded answers; SLOs of one SLI share
        them as in a live run (slo_cli.sources.share), unless the calls are being listed."""
        from slo_cli.sources.share import SharedAnswers, counted_once, groups

        out: list[SeriesCounts | None] = [None] * len(requests)
        done = 0
        share = self.transport.log is None
        for group in groups(requests, share):
            if len(group) > 1:
                self.transport.shared = SharedAnswers(ranges=self.engine == "prometheus")
            try:
                for i, counts in counted_once(group, self._one, share):
                    out[i] = counts
                    done += 1
                    if progress is not None:
                        progress(done, len(requests))
            finally:
                self.transport.shared = None
        return [c for c in out if c is not None]

    def _one(self, req: FetchRequest) -> SeriesCounts:
        try:
            return self.fetcher.counts(req)
        except PER_SLO_ERRORS as exc:  # e.g. a recorded NotABucketBoundary answer
            return failed_counts(req, exc)

    def close(self) -> None:
        """Nothing to release."""


def write_snapshot(
    path: str | Path,
    recorder: Recorder,
    *,
    at: float,
    recorded_at: float,
    engine: str,
    max_points: int,
    lookback_s: float = LOOKBACK_S,
    extra: dict[str, Any] | None = None,
) -> int:
    """Write the recorded answers atomically (temp file + rename). Returns the answer count.

    ``recorded_at`` is the wall-clock time of the recording (epoch seconds), read by the caller:
    the clock is read only in the CLI."""
    doc = {
        "format": FORMAT,
        "at": at,
        "recorded_at": recorded_at,
        "engine": engine,
        "max_points": max_points,
        "lookback_s": lookback_s,
        **(extra or {}),
        "answers": [recorder.answers[k] for k in sorted(recorder.answers)],
    }
    target = Path(path)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"--out {path}: {exc.strerror}") from None
    write_atomically(target, json.dumps(doc, separators=(",", ":")) + "\n", option="--out")
    return len(doc["answers"])
