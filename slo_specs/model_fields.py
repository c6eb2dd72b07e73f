"""Field types and validators shared by the spec model's parts (``slo_specs.model``).

Percentages, durations and windows are converted here from written to held form; every message is
a short sentence for users (see ``slo_specs.messages``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    ValidationInfo,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

from slo_specs.durations import (
    DURATION_PATTERN,
    DurationError,
    format_duration,
    parse_duration,
    window_problem,
)


def spec_error(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to users as is."""
    return PydanticCustomError("spec", message)


def known_zone(value: str) -> str:
    """``value`` if it names an IANA zone, else a spec error."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        if not value or value != value.strip() or ".." in value or value.startswith("/"):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise spec_error(
            f"unknown time zone {value!r} (use an IANA name like Europe/Berlin or UTC)"
        ) from None
    return value


def _type_name(value: Any) -> str:
    """The YAML name of a Python value's type, for messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    return type(value).__name__


def _number(value: Any, what: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise spec_error(f"expected {what}, got {_type_name(value)}")
    if value != value or value in (float("inf"), float("-inf")):
        raise spec_error(f"expected a finite number, got {value}")
    return Decimal(str(value))


def _fmt(value: Decimal) -> str:
    """A number as written by people: 101, 99.95 (no exponent, no trailing zeros)."""
    return format(value.normalize(), "f")


def _percent_field(*, low_inclusive: bool, high_inclusive: bool) -> Any:
    """A before-validator: a percentage (written) or a ratio (Python) into a ratio float."""

    def convert(value: Any, info: ValidationInfo) -> float | None:
        if value is None:
            return None  # optional fields; required ones then fail as "expected a number"
        percent = bool(info.context and info.context.get("percent"))
        number = _number(value, "a number (percent)" if percent else "a number (ratio)")
        high = Decimal(100) if percent else Decimal(1)
        # Sloth allows an objective of 100 % (0 < objective <= 100): its converter asks for it
        top = high_inclusive or bool(
            info.context and info.context.get("full_objective") and info.field_name == "objective"
        )
        low_ok = number >= 0 if low_inclusive else number > 0
        high_ok = number <= high if top else number < high
        if not (low_ok and high_ok):
            if top and not low_inclusive:
                rule = f"must be more than 0 and at most {high}"
            elif not low_inclusive and not high_inclusive:
                rule = f"must be between 0 and {high} (exclusive)"
            elif low_inclusive and high_inclusive:
                rule = f"must be between 0 and {high}"
            elif not low_inclusive:
                rule = f"must be more than 0 and at most {high}"
            else:
                rule = f"must be at least 0 and less than {high}"
            raise spec_error(f"{rule}, got {_fmt(number)}")
        ratio = number / 100 if percent else number
        return float(ratio)

    return BeforeValidator(convert)


def _duration(value: Any) -> float:
    if isinstance(value, bool):
        raise spec_error("expected a duration like 5m or 30d, got a boolean")
    if isinstance(value, int | float):
        seconds = float(value)
        if seconds != seconds or seconds in (float("inf"), float("-inf")):
            raise spec_error(f"expected a finite duration, got {value}")
        return seconds
    if not isinstance(value, str):
        raise spec_error(f"expected a duration like 5m or 30d, got {_type_name(value)}")
    try:
        return parse_duration(value)
    except DurationError as exc:
        raise spec_error(str(exc)) from None


_DURATION_SCHEMA = {
    "type": "string",
    "pattern": DURATION_PATTERN,
    "description": "A duration: integer amounts of w, d, h, m, s, ms, largest unit first.",
    "examples": ["5m", "1h30m", "30d"],
}

Duration = Annotated[float, BeforeValidator(_duration), WithJsonSchema(_DURATION_SCHEMA)]
"""Seconds (float), written as a duration string like ``5m`` (a plain number means seconds)."""


def _positive(value: float) -> float:
    if value <= 0:
        raise spec_error(f"must be positive, got {format_duration(value)}")
    return value


PositiveDuration = Annotated[
    float,
    BeforeValidator(_positive),
    BeforeValidator(_duration),
    WithJsonSchema(_DURATION_SCHEMA),
]


def _window(value: float) -> float:
    problem = window_problem(value)
    if problem:
        raise spec_error(problem)
    return value


#: an SLO or alert window: positive, whole minutes, at most 366d
WindowDuration = Annotated[PositiveDuration, AfterValidator(_window)]

#: the finest objective that can be measured: 99.9999999 % (a budget of 1e-9 of the events)
MIN_BUDGET = 1e-9


def _objective(value: float, info: ValidationInfo) -> float:
    if value == 1 and info.context and info.context.get("full_objective"):
        return value  # Sloth's objective: 100 (no budget: any bad event exhausts it)
    if not MIN_BUDGET <= value <= 1 - MIN_BUDGET:
        raise spec_error(
            "must be from 0.0000001 to 99.9999999 (finer objectives cannot be measured)"
        )
    return value


_STRICT = ConfigDict(extra="forbid", validate_default=True)
