"""The SLO window of the spec model: rolling (``30d``) or calendar (``{calendar: month}``)."""

from __future__ import annotations

from typing import Annotated, Any, Literal, Union

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    field_validator,
    model_validator,
)

from slo_specs.durations import format_duration
from slo_specs.model_fields import (
    _DURATION_SCHEMA,
    _STRICT,
    WindowDuration,
    _type_name,
    known_zone,
    spec_error,
)


class RollingWindow(BaseModel):
    """A rolling window: the last ``seconds`` before evaluation time. Written ``window: 30d``."""

    model_config = ConfigDict(extra="forbid")

    seconds: WindowDuration = Field(description="Length of the window in seconds.")

    @model_validator(mode="before")
    @classmethod
    def _from_duration(cls, data: Any) -> Any:
        if isinstance(data, str | int | float) and not isinstance(data, bool):
            return {"seconds": data}
        return data

    @classmethod
    def __get_pydantic_json_schema__(cls, core_schema: Any, handler: Any) -> dict[str, Any]:
        # the written form is a duration string, not the {seconds: ...} it is held as
        return {**_DURATION_SCHEMA, "title": "RollingWindow", "examples": ["30d", "7d", "28d"]}

    @property
    def label(self) -> str:
        """The window for display, e.g. ``30d``: whole days in days (``7d``, ``28d``), never
        ``1w``, which would read like the calendar ``week``."""
        if self.seconds > 0 and self.seconds % 86400 == 0:
            return f"{int(self.seconds // 86400)}d"
        return format_duration(self.seconds)


class CalendarWindow(BaseModel):
    """A calendar window that resets at each week, month or quarter boundary in a time zone."""

    model_config = _STRICT

    calendar: Literal["week", "month", "quarter"] = Field(
        description="Calendar period: weeks start on Monday.", examples=["month"]
    )
    timezone: str = Field(
        default="UTC",
        description="IANA time zone in which the period starts (midnight local time).",
        examples=["Europe/Berlin", "UTC"],
    )

    start: str | None = Field(
        default=None,
        description="Local date and time the periods count from (OpenSLO calendar startTime), "
        "like '2026-01-15 09:00:00': each period starts at that day and time of the week, month "
        "or quarter. Absent: midnight on Monday, on the 1st.",
        examples=["2026-01-15 09:00:00"],
    )

    @field_validator("start", mode="before")
    @classmethod
    def _local_start(cls, value: Any) -> Any:
        import datetime

        if value is None:
            return None
        if isinstance(value, datetime.datetime):
            if value.tzinfo is not None:
                raise spec_error("write the start without a time zone (the window's timezone)")
            value = value.isoformat(sep=" ")
        elif isinstance(value, datetime.date):
            value = f"{value.isoformat()} 00:00:00"
        if not isinstance(value, str):
            raise spec_error(
                f"expected a date and time like 2026-01-15 09:00:00, got {_type_name(value)}"
            )
        try:
            parsed = datetime.datetime.fromisoformat(value.strip())
        except ValueError:
            raise spec_error(
                f"expected a date and time like 2026-01-15 09:00:00, got {value!r}"
            ) from None
        if parsed.tzinfo is not None:
            raise spec_error("write the start without a time zone (the window's timezone)")
        return parsed.isoformat(sep=" ")

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def label(self) -> str:
        """The window for display, e.g. ``month (Europe/Berlin)``."""
        if self.start is not None:
            return f"{self.calendar} ({self.timezone}, from {self.start})"
        return f"{self.calendar} ({self.timezone})"


def _window_tag(value: Any) -> str | None:
    if isinstance(value, RollingWindow):
        return "rolling-window"
    if isinstance(value, CalendarWindow):
        return "calendar-window"
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return "rolling-window"
    if isinstance(value, dict):
        return (
            "rolling-window"
            if "seconds" in value and "calendar" not in value
            else "calendar-window"
        )
    return None


Window = Annotated[
    Union[
        Annotated[RollingWindow, Tag("rolling-window")],
        Annotated[CalendarWindow, Tag("calendar-window")],
    ],
    Discriminator(
        _window_tag,
        custom_error_type="spec",
        custom_error_message="expected a duration like 30d or a mapping like {calendar: month}",
    ),
]
