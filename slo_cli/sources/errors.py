"""The data source's error: every transport or server failure becomes one of these (exit 3)."""

from __future__ import annotations

from slo_cli.errors import SloError


class SourceError(SloError):
    """A data source failed. Carries what a user needs to fix it, never a secret."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        error_type: str | None = None,
        query: str | None = None,
        hint: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.error_type = error_type
        self.query = query
        self.hint = hint

    def __str__(self) -> str:
        parts = [self.message]
        if self.status is not None:
            parts.append(f"HTTP {self.status}")
        if self.error_type:
            parts.append(f"errorType={self.error_type}")
        text = " | ".join(parts)
        if self.hint:
            text += f" (hint: {self.hint})"
        return text


class UnreachableError(SourceError):
    """No HTTP answer at all: connection refused, DNS, TLS handshake, timeout."""


class AuthError(SourceError):
    """401/403: credentials or tenant rejected."""


class NotFoundError(SourceError):
    """404: usually a wrong path prefix in the URL."""


class BadQueryError(SourceError):
    """400 bad_data, or 422 execution errors that are not limits: the query itself is wrong."""


class LimitError(SourceError):
    """422 (or 400) because the query touched too many samples/series/points; splittable."""


class QueryTimeoutError(SourceError):
    """503 `timeout`: the server gave up on the query. Never replayed as-is."""


class DeadlineError(SourceError):
    """No complete answer within --timeout (one request, retries included) or --deadline (the
    whole run). Unlike a server's 503 timeout, never split and tried again."""


class AnswerTooLargeError(SourceError):
    """The answer (after decompression) exceeds --max-answer-size."""


class RedirectError(SourceError):
    """A redirect to another origin (not followed: it would receive our credentials), or too
    many redirects."""


class OverloadedError(SourceError):
    """429 too many requests (after honouring Retry-After a bounded number of times)."""


class ProxyError(SourceError):
    """502/503/504 without the Prometheus JSON envelope: a proxy in between (after retries)."""


class BadResponseError(SourceError):
    """An answer that is not the Prometheus JSON envelope: an HTML login page, truncated JSON."""


class OffGridError(SourceError):
    """A range answer with points off the requested grid (an engine's cache or frontend
    moved them onto multiples of the step): the counts cannot be placed, so nothing is used."""


class PartialDataError(SourceError):
    """The answer is marked partial (warnings / isPartial) and partial data is not allowed."""


class NotABucketBoundaryError(SourceError):
    """A latency threshold that no `le` label of the histogram equals."""


class SnapshotError(SourceError):
    """A recorded snapshot is unreadable, of another version, or lacks an answer we need."""


#: errors that concern one SLO's queries, not the server: the SLO's row becomes an ERROR result
#: and the other SLOs are still evaluated (exit 3 all the same). Any other SourceError
#: (unreachable, auth, a wrong path prefix, the run's deadline, …) stops the run early.
PER_SLO_ERRORS: tuple[type[SourceError], ...] = (
    BadQueryError,
    LimitError,
    NotABucketBoundaryError,
    QueryTimeoutError,
)
