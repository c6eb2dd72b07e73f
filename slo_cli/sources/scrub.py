"""Scrubbing: no value we send that may be secret is ever printed, not even when a server
echoes it back in an error, a warning or a login page."""

from __future__ import annotations

from collections.abc import Sequence

from slo_cli.sources.errors import SourceError

MASK = "***"


def scrub(text: str, secrets: Sequence[str]) -> str:
    """`text` with every secret (longest first) replaced by ***."""
    for value in sorted(secrets, key=len, reverse=True):
        if value and value in text:
            text = text.replace(value, MASK)
    return text


def scrub_error(exc: SourceError, secrets: Sequence[str]) -> SourceError:
    """The same error with every secret scrubbed from its message, hint, errorType and query."""
    if not secrets:
        return exc
    exc.message = scrub(exc.message, secrets)
    exc.args = (exc.message,)
    if exc.hint:
        exc.hint = scrub(exc.hint, secrets)
    if exc.error_type:
        exc.error_type = scrub(exc.error_type, secrets)
    if exc.query:
        exc.query = scrub(exc.query, secrets)
    return exc
