"""The per-SLO policies of the spec model: timeslice settings, burn-rate alerting, the gate."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    Field,
    WithJsonSchema,
    model_validator,
)

from slo_specs.durations import format_duration
from slo_specs.model_fields import (
    _STRICT,
    PositiveDuration,
    WindowDuration,
    _percent_field,
    spec_error,
)


class TimesliceSettings(BaseModel):
    """Timeslice budgeting of a ratio or latency SLI: a slice is good when its ratio >= target."""

    model_config = _STRICT

    slice: PositiveDuration = Field(default=60.0, description="Slice length (default 1m).")
    target: Annotated[
        float | None,
        _percent_field(low_inclusive=False, high_inclusive=True),
        WithJsonSchema(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 100,
                "description": "Percent of good events a slice needs to be good.",
            }
        ),
    ] = Field(
        default=None,
        description="Ratio a slice needs to count as good (written in percent); "
        "needed for budgeting: timeslices.",
    )


class AlertWindow(BaseModel):
    """One multi-window burn-rate alert: fires when both windows burn faster than the rate."""

    model_config = _STRICT

    severity: Literal["page", "ticket"]
    long: WindowDuration = Field(description="Long window, e.g. 1h.", examples=["1h"])
    short: WindowDuration | None = Field(
        default=None,
        description="Short window, e.g. 5m (absent: the alert looks at the long window only).",
        examples=["5m"],
    )
    budget_consumed: Annotated[
        float | None,
        _percent_field(low_inclusive=False, high_inclusive=True),
        WithJsonSchema(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "maximum": 100,
                "description": "Percent of the budget spent in the long window when it fires.",
            }
        ),
    ] = Field(default=None, description="Budget share (written in percent), held as a ratio.")
    burn_rate: float | None = Field(
        default=None, gt=0, description="Burn-rate factor (instead of budget_consumed)."
    )

    @model_validator(mode="after")
    def _check(self) -> AlertWindow:
        if (self.budget_consumed is None) == (self.burn_rate is None):
            raise spec_error("give exactly one of 'budget_consumed' or 'burn_rate'")
        if self.short is not None and self.short >= self.long:
            raise spec_error(
                f"the short window ({format_duration(self.short)}) must be shorter than the "
                f"long window ({format_duration(self.long)})"
            )
        return self


class Alerting(BaseModel):
    """Per-SLO burn-rate alert windows (absent: the SRE Workbook defaults)."""

    model_config = _STRICT

    windows: list[AlertWindow] = Field(
        description="The alerts; an empty list turns burn-rate alerting off for the SLO."
    )


def _percent_schema(description: str) -> WithJsonSchema:
    """The JSON Schema of an optional percentage from 0 to 100 (both allowed)."""
    return WithJsonSchema(
        {"type": "number", "minimum": 0, "maximum": 100, "description": description}
    )


class GatePolicy(BaseModel):
    """What makes ``slo check`` fail (exit 1) for this SLO."""

    model_config = _STRICT

    fail_on: Literal["exhausted", "page", "ticket", "never"] = Field(
        default="page",
        description="Fail when the budget is exhausted, or when an alert of this severity fires.",
    )
    min_remaining: Annotated[
        float | None,
        _percent_field(low_inclusive=True, high_inclusive=True),
        _percent_schema("Also fail when less than this percent of the budget remains."),
    ] = Field(default=None, description="Minimum remaining budget (written in percent).")


#: the written minimum coverage (percent, held as a ratio): below it an SLO is not evaluated
#: (status NO_DATA); a young SLO at or above it is evaluated over its history, as partial
MinCoverage = Annotated[
    float | None,
    _percent_field(low_inclusive=True, high_inclusive=True),
    _percent_schema(
        "Minimum percent of the window with data before the SLO is evaluated (default 50); "
        "below it the status is no data, with its reason. A young SLO at or above it is "
        "evaluated over the history it has, marked partial."
    ),
]
