"""The indicators of the spec model: ratio, latency, timeslices and raw SLIs, and :class:`SLI`."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from slo_specs.model_fields import _STRICT, PositiveDuration, _type_name, spec_error
from slo_specs.promql_forms import selector_terms
from slo_specs.selectors import metric_name_problem, selector_problem

WINDOW_PLACEHOLDER = "{{window}}"
_SLOTH_PLACEHOLDER = re.compile(r"\{\{-?\s*\.window\s*-?\}\}")


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
