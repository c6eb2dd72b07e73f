"""The spec model (docs/design.md section 1): one definition gives validation and the JSON Schema.

Written forms differ from held forms in three places, converted on validation:

* percentages (``objective: 99.9``) are held as ratios (0.999, exact via Decimal) when validated
  with ``context={"percent": True}`` (what the loader does). Python code that builds models
  directly passes ratios and no context.
* durations (``30d``, ``300ms``) are held as float seconds; numbers are taken as seconds.
* conditions (``">= 1"``) are held as :class:`Condition`.

Every message raised here is a short sentence for users (see ``slo_specs.messages``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Annotated, Any, Literal, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from slo_specs.durations import (
    DURATION_PATTERN,
    DurationError,
    format_duration,
    parse_duration,
    window_problem,
)
from slo_specs.promql_forms import selector_terms
from slo_specs.selectors import LABEL_NAME, metric_name_problem, selector_problem

VERSION = "slo/v1"
WINDOW_PLACEHOLDER = "{{window}}"
_SLOTH_PLACEHOLDER = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")


def spec_error(message: str) -> PydanticCustomError:
    """A validation error whose message is shown to users as is."""
    return PydanticCustomError("spec", message)


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


# ----------------------------------------------------------------------------- windows


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

# ----------------------------------------------------------------------------- SLIs


def _check_selector(value: str) -> str:
    """A counter selector, or a sum of them (``a{x="1"} + b - c``, as foreign SLIs read)."""
    problem = selector_problem(value)
    if problem and selector_terms(value) is None:
        raise spec_error(problem)
    return value


Selector = Annotated[
    str,
    Field(
        description="A PromQL vector selector of a counter (or a sum of them: a + b - c).",
        examples=['http_requests_total{service="checkout"}'],
    ),
]


class RatioSLI(BaseModel):
    """Occurrences: good/total or bad/total from counter selectors (exactly one of good, bad)."""

    model_config = _STRICT

    good: Selector | None = Field(
        default=None,
        description="Counter selector of good events.",
        examples=['http_requests_total{service="search",code!~"5.."}'],
    )
    bad: Selector | None = Field(
        default=None,
        description="Counter selector of bad events.",
        examples=['http_requests_total{service="checkout",code=~"5.."}'],
    )
    total: Selector = Field(
        description="Counter selector of all events.",
        examples=['http_requests_total{service="checkout"}'],
    )

    @field_validator("good", "bad", "total")
    @classmethod
    def _selector(cls, value: str | None) -> str | None:
        return None if value is None else _check_selector(value)

    @model_validator(mode="after")
    def _one_of_good_bad(self) -> RatioSLI:
        if (self.good is None) == (self.bad is None):
            raise spec_error("give exactly one of 'good' or 'bad' (with 'total')")
        return self


class LatencySLI(BaseModel):
    """A classic histogram: requests faster than ``threshold`` are good."""

    model_config = _STRICT

    histogram: str = Field(
        description="Histogram metric name without the _bucket suffix.",
        examples=["http_request_duration_seconds"],
    )
    selector: str = Field(
        default="",
        description="Label matchers in braces that select the series.",
        examples=['{service="checkout"}'],
    )
    threshold: PositiveDuration = Field(
        description="Latency threshold (must be one of the histogram's bucket boundaries).",
        examples=["300ms"],
    )

    @field_validator("histogram")
    @classmethod
    def _metric(cls, value: str) -> str:
        name = value.strip()
        if name.endswith("_bucket"):
            raise spec_error(
                f"write the histogram name without _bucket: {name[: -len('_bucket')]!r}"
            )
        problem = metric_name_problem(name)
        if problem:
            raise spec_error(problem)
        return name

    @field_validator("selector")
    @classmethod
    def _matchers(cls, value: str) -> str:
        if not value.strip():
            return ""
        problem = selector_problem(value, allow_metric=False)
        if problem:
            raise spec_error(problem)
        return value.strip()


_CONDITION = re.compile(r"^\s*(>=|<=|==|!=|>|<)\s*(\S+)\s*$")


class Condition(BaseModel):
    """When a gauge sample counts as good, written like ``">= 1"``."""

    model_config = _STRICT

    op: Literal[">=", ">", "<=", "<", "==", "!="]
    value: float

    @model_validator(mode="before")
    @classmethod
    def _parse(cls, data: Any) -> Any:
        if isinstance(data, str):
            match = _CONDITION.match(data)
            number: float | None = None
            if match:
                try:
                    number = float(match.group(2))
                except ValueError:
                    number = None
            if match is None or number is None or number != number:
                raise spec_error(
                    f"not a condition: {data!r} (write an operator and a number, like '>= 1')"
                )
            return {"op": match.group(1), "value": number}
        if isinstance(data, dict | Condition):
            return data
        raise spec_error(f"expected a condition like '>= 1', got {_type_name(data)}")

    def __str__(self) -> str:
        return f"{self.op} {self.value:g}"


class TimeslicesSLI(BaseModel):
    """A gauge sampled once per slice; a slice is good when its value meets ``good_when``."""

    model_config = _STRICT

    query: str = Field(
        description="PromQL giving a gauge (e.g. probe_success).",
        examples=['probe_success{instance="auth"}'],
    )
    good_when: Annotated[
        Condition,
        WithJsonSchema(
            {
                "type": "string",
                "pattern": r"^\s*(>=|<=|==|!=|>|<)\s*\S+\s*$",
                "description": "Operator and number: a slice is good when the value meets it.",
                "examples": [">= 1", "< 0.5"],
            }
        ),
    ] = Field(description="When a slice is good, e.g. '>= 1'.")
    slice: PositiveDuration = Field(default=60.0, description="Slice length (default 1m).")

    @field_validator("query")
    @classmethod
    def _not_empty(cls, value: str) -> str:
        if not value.strip():
            raise spec_error("must not be empty")
        return value


def _template(value: str | None) -> str | None:
    if value is None:
        return None
    if WINDOW_PLACEHOLDER not in value:
        hint = (
            " (found {{.window}}, the Sloth spelling)" if _SLOTH_PLACEHOLDER.search(value) else ""
        )
        raise spec_error(f"must contain the {WINDOW_PLACEHOLDER} placeholder{hint}")
    return value


class RawSLI(BaseModel):
    """PromQL templates with a ``{{window}}`` placeholder, for SLIs that are not plain counters.

    Either ``error_ratio`` alone, or ``total`` with one of ``good``/``bad`` (event counts over the
    window). Raw SLIs are evaluated by Prometheus and so are approximate.
    """

    model_config = _STRICT

    error_ratio: str | None = Field(
        default=None,
        description="PromQL of the error ratio over {{window}}.",
        examples=['1 - avg_over_time(probe_success{job="x"}[{{window}}])'],
    )
    good: str | None = Field(default=None, description="PromQL of good events over {{window}}.")
    bad: str | None = Field(
        default=None,
        description="PromQL of bad events over {{window}}.",
        examples=["sum(increase(errors_total[{{window}}]))"],
    )
    total: str | None = Field(
        default=None,
        description="PromQL of all events over {{window}}.",
        examples=["sum(increase(requests_total[{{window}}]))"],
    )

    unit: Literal["events", "per_second"] = Field(
        default="events",
        description="What good/bad/total give: events over {{window}} (events), or events per "
        "second averaged over it (per_second, as Sloth's rate() queries).",
    )

    @field_validator("error_ratio", "good", "bad", "total")
    @classmethod
    def _placeholder(cls, value: str | None) -> str | None:
        return _template(value)

    @model_validator(mode="after")
    def _one_form(self) -> RawSLI:
        events = self.good is not None or self.bad is not None or self.total is not None
        if self.error_ratio is not None and events:
            raise spec_error("give either 'error_ratio' or 'total' with 'good'/'bad', not both")
        if self.error_ratio is None and (
            self.total is None or (self.good is None) == (self.bad is None)
        ):
            raise spec_error("give 'error_ratio', or 'total' with exactly one of 'good' or 'bad'")
        return self


SLIKind = Literal["ratio", "latency", "timeslices", "raw"]


class SLI(BaseModel):
    """The indicator: exactly one of ``ratio``, ``latency``, ``timeslices``, ``raw``."""

    # exactly one kind: also told to editors, so they flag a second one
    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        json_schema_extra={"minProperties": 1, "maxProperties": 1},
    )

    ratio: RatioSLI | None = Field(
        default=None, description="Good (or bad) events over all events, from counters."
    )
    latency: LatencySLI | None = Field(
        default=None, description="Requests faster than a threshold, from a classic histogram."
    )
    timeslices: TimeslicesSLI | None = Field(
        default=None, description="Time slices in which a gauge meets a condition."
    )
    raw: RawSLI | None = Field(
        default=None, description="PromQL templates with {{window}} (approximate)."
    )

    @model_validator(mode="after")
    def _exactly_one(self) -> SLI:
        given = [
            k for k in ("ratio", "latency", "timeslices", "raw") if getattr(self, k) is not None
        ]
        if len(given) != 1:
            what = "none" if not given else " and ".join(repr(k) for k in given)
            raise spec_error(
                f"give exactly one of 'ratio', 'latency', 'timeslices' or 'raw', got {what}"
            )
        return self

    @property
    def kind(self) -> SLIKind:
        """Which SLI form this is."""
        for k in ("ratio", "latency", "timeslices", "raw"):
            if getattr(self, k) is not None:
                return k
        raise AssertionError("validated SLI has a kind")


# ----------------------------------------------------------------------------- policies


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
        WithJsonSchema(
            {
                "type": "number",
                "minimum": 0,
                "maximum": 100,
                "description": "Also fail when less than this percent of the budget remains.",
            }
        ),
    ] = Field(default=None, description="Minimum remaining budget (written in percent).")


# ----------------------------------------------------------------------------- SLO, service

Budgeting = Literal["occurrences", "timeslices", "ratio_timeslices"]
MAX_GROUPS = 100
"""Default limit on the groups of one grouped SLO (``max_groups``)."""
Labels = dict[str, str]


class SLO(BaseModel):
    """One objective of a service."""

    model_config = _STRICT

    name: str = Field(
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$",
        description="Unique within the service: letters, digits, '-', '_', '.'.",
        examples=["availability"],
    )
    description: str = Field(default="", description="What the SLO promises, for people.")
    objective: Annotated[
        float,
        _percent_field(low_inclusive=False, high_inclusive=False),
        AfterValidator(_objective),
        WithJsonSchema(
            {
                "type": "number",
                "exclusiveMinimum": 0,
                "exclusiveMaximum": 100,
                "description": "Target in percent of good events (or good slices).",
                "examples": [99.9, 99.5],
            }
        ),
    ] = Field(description="Target, written in percent (99.9), held as a ratio (0.999).")
    window: Window = Field(description="Rolling (30d) or calendar ({calendar: month}) window.")
    budgeting: Budgeting = Field(
        default="occurrences",
        description="occurrences: good/total events; timeslices: good/total time slices.",
    )
    sli: SLI = Field(description="The indicator: one of ratio, latency, timeslices, raw.")
    timeslice: TimesliceSettings | None = Field(
        default=None,
        description="Slice settings when a ratio or latency SLI is budgeted by timeslices.",
    )
    alerting: Alerting | None = Field(default=None, description="Burn-rate alert windows.")
    runbook_url: str | None = Field(
        default=None,
        description="Runbook URL: put into the annotations of the alerts `slo rules` writes.",
        examples=["https://runbooks.example/checkout/availability"],
    )
    gate: GatePolicy | None = Field(default=None, description="What makes `slo check` fail.")
    labels: Labels = Field(default_factory=dict, description="Extra labels for this SLO.")
    group_by: list[str] = Field(
        default_factory=list,
        description="Label names: one SLO per value combination (its own budget, alerts, gate).",
        examples=[["request_host"]],
    )
    max_groups: int = Field(
        default=MAX_GROUPS,
        ge=1,
        le=10_000,
        description="Most groups a grouped SLO may have; more is an error, never a silent cut.",
    )
    service: str = Field(default="", description="Filled from the service on load.")

    @field_validator("group_by")
    @classmethod
    def _label_names(cls, value: list[str]) -> list[str]:
        for name in value:
            if not LABEL_NAME.fullmatch(name) or name.startswith("__"):
                raise spec_error(f"not a label name: {name!r}")
        if len(set(value)) != len(value):
            raise spec_error("each label may appear once")
        return value

    @property
    def key(self) -> str:
        """``service/name``: unique across all loaded specs of one service."""
        return f"{self.service}/{self.name}"

    @model_validator(mode="after")
    def _budgeting_fits_sli(self) -> SLO:
        kind = self.sli.kind
        if self.group_by and kind not in ("ratio", "latency"):
            raise spec_error(f"group_by needs a ratio or latency SLI (counters), not a {kind} SLI")
        if kind == "timeslices":
            if self.budgeting != "timeslices":
                raise spec_error("a timeslices SLI needs budgeting: timeslices")
            if self.timeslice is not None:
                raise spec_error(
                    "'timeslice' is for ratio and latency SLIs; a timeslices SLI has its own slice"
                )
        elif kind == "raw" and self.budgeting != "occurrences":
            raise spec_error(
                f"budgeting: {self.budgeting} needs a ratio, latency or timeslices SLI: a raw "
                "SLI's templates are evaluated per bin, not per slice (use occurrences)"
            )
        elif self.budgeting == "occurrences":
            if self.timeslice is not None:
                raise spec_error("'timeslice' needs budgeting: timeslices or ratio_timeslices")
        elif self.budgeting == "timeslices" and (
            self.timeslice is None or self.timeslice.target is None
        ):
            raise spec_error(
                f"budgeting: timeslices with a {kind} SLI needs "
                "'timeslice: {slice: 1m, target: 99}'"
            )
        return self


class ServiceSpec(BaseModel):
    """A service and its SLOs: one native ``version: slo/v1`` document."""

    model_config = ConfigDict(
        extra="forbid",
        validate_default=True,
        title="slo spec (slo/v1)",
        json_schema_extra={"$schema": "https://json-schema.org/draft/2020-12/schema"},
    )

    version: Literal["slo/v1"] = Field(description="Format version.", examples=["slo/v1"])
    service: str = Field(
        pattern=r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$",
        description="Service name: letters, digits, '-', '_', '.'.",
        examples=["checkout"],
    )
    labels: Labels = Field(default_factory=dict, description="Labels for the service (team, tier).")
    slos: list[SLO] = Field(min_length=1, description="The service's SLOs.")
    source_path: str | None = Field(default=None, description="Set by the loader.")
    source_format: Literal["native", "openslo", "sloth"] = Field(
        default="native", description="Set by the loader."
    )

    @model_validator(mode="after")
    def _fill_and_check(self) -> ServiceSpec:
        seen: dict[str, int] = {}
        for index, slo in enumerate(self.slos):
            slo.service = self.service
            if slo.name in seen:
                raise PydanticCustomError(
                    "duplicate_name",
                    "duplicate SLO name {name!r} (also slos[{first}])",
                    {"name": slo.name, "first": seen[slo.name], "index": index},
                )
            seen[slo.name] = index
        return self


LOADER_FIELDS = ("source_path", "source_format")
"""ServiceSpec fields set by the loader, never written in specs (kept out of the JSON Schema)."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the written native format (what editors and `slo schema` use)."""
    schema = ServiceSpec.model_json_schema(mode="validation")
    for name in LOADER_FIELDS:
        schema["properties"].pop(name, None)
    schema["$defs"]["SLO"]["properties"].pop("service", None)
    schema["description"] = "An slo spec: a service and its SLOs (native format slo/v1)."
    _written_defaults(schema)
    return schema


def _written_defaults(node: Any) -> None:
    """Show defaults as written: a duration default of 60.0 seconds reads ``1m`` in the schema."""
    if isinstance(node, dict):
        if node.get("pattern") == DURATION_PATTERN and isinstance(node.get("default"), float):
            node["default"] = format_duration(node["default"])
        for value in node.values():
            _written_defaults(value)
    elif isinstance(node, list):
        for value in node:
            _written_defaults(value)
