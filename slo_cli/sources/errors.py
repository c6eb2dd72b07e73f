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
