"""The project's error base classes. The CLI maps each to one exit code (slo_cli.cli.app)."""

from __future__ import annotations


class SloError(Exception):
    """Base of every error we raise on purpose. ``str(err)`` is a one-line user message."""


class UsageError(SloError):
    """Bad flags or arguments (exit 2)."""


class NoDataError(SloError):
    """An SLO has no data or too little (exit 4)."""
