"""The spec model (docs/design.md section 1): one definition gives validation and the JSON Schema.

Written forms differ from held forms in three places, converted on validation:

* percentages (``objective: 99.9``) are held as ratios (0.999, exact via Decimal) when validated
  with ``context={"percent": True}`` (what the loader does). Python code that builds models
  directly passes ratios and no context.
* durations (``30d``, ``300ms``) are held as float seconds; numbers are taken as seconds.
* conditions (``">= 1"``) are held as :class:`Condition`.

Every message raised here is a short sentence for users (see ``slo_specs.messages``).

The SLO and the service are defined here; their parts in ``model_fields`` (shared field types),
``model_windows``, ``model_sli`` and ``model_policies``. Import every model name from this module.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from slo_specs.durations import DURATION_PATTERN, format_duration
from slo_specs.model_adjustments import Adjustment, Adjustments
from slo_specs.model_composite import Composite, Member, Objective
from slo_specs.model_fields import (
    _STRICT,
    MIN_BUDGET,
    Duration,
    PositiveDuration,
    WindowDuration,
    _type_name,
    spec_error,
)
from slo_specs.model_policies import (
    Alerting,
    AlertWindow,
    GatePolicy,
    MinCoverage,
    TimesliceSettings,
)
from slo_specs.model_sli import (
    SLI,
    WINDOW_PLACEHOLDER,
    Condition,
    LatencySLI,
    RatioSLI,
    RawSLI,
    Selector,
    SLIKind,
    TimeslicesSLI,
)
from slo_specs.model_windows import CalendarWindow, RollingWindow, Window
from slo_specs.selectors import LABEL_NAME

#: the model's names, wherever in slo_specs.model_* they are defined (importers use this module)
__all__ = [
    "LOADER_FIELDS",
    "MAX_GROUPS",
    "MIN_BUDGET",
    "SLI",
    "SLO",
    "VERSION",
    "WINDOW_PLACEHOLDER",
    "Adjustment",
    "AlertWindow",
    "Alerting",
    "Budgeting",
    "CalendarWindow",
    "Composite",
    "Condition",
    "Duration",
    "GatePolicy",
    "Labels",
    "LatencySLI",
    "Member",
    "PositiveDuration",
    "RatioSLI",
    "RawSLI",
    "RollingWindow",
    "SLIKind",
    "Selector",
    "ServiceSpec",
    "TimesliceSettings",
    "TimeslicesSLI",
    "Window",
    "WindowDuration",
    "_type_name",
    "json_schema",
    "spec_error",
]

VERSION = "slo/v1"

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
    objective: Objective = Field(
        description="Target, written in percent (99.9), held as a ratio (0.999)."
    )
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
    min_coverage: MinCoverage = Field(
        default=None,
        description="Minimum coverage (written in percent); default: the service's, else 50.",
    )
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
    adjustments: Adjustments = Field(
        default_factory=list,
        description="Excluded periods (maintenance, upstream outages): their events count "
        "neither as good nor as bad.",
    )
    service: str = Field(default="", description="Filled from the service on load.")
    #: where the SLO is written (path, line): set by the loader, for messages about this SLO
    _source: tuple[str, int] | None = PrivateAttr(default=None)

    @property
    def source_line(self) -> int | None:
        """The line of the spec file the SLO starts at (None when not loaded from a file)."""
        return None if self._source is None else self._source[1]

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
    min_coverage: MinCoverage = Field(
        default=None,
        description="Minimum coverage (written in percent) of every SLO without its own.",
    )
    composites: list[Composite] = Field(
        default_factory=list,
        description="Objectives over several SLOs (of this or other services).",
    )
    slos: list[SLO] = Field(
        default_factory=list, description="The service's SLOs (may be empty with composites)."
    )
    adjustments: Adjustments = Field(
        default_factory=list,
        description="Excluded periods of every SLO of the service (added to each SLO's own).",
    )
    source_path: str | None = Field(default=None, description="Set by the loader.")
    source_format: Literal["native", "openslo", "sloth"] = Field(
        default="native", description="Set by the loader."
    )

    @model_validator(mode="after")
    def _fill_and_check(self) -> ServiceSpec:
        seen: dict[str, int] = {}
        named: list[SLO | Composite] = [*self.slos, *self.composites]
        for index, slo in enumerate(named):
            slo.service = self.service
            if isinstance(slo, SLO) and slo.min_coverage is None:
                slo.min_coverage = self.min_coverage
            if slo.name in seen:
                # the loader reports it at its place (names of SLOs and composites together)
                raise PydanticCustomError(
                    "duplicate_name",
                    "duplicate SLO name {name!r} (also slos[{first}])",
                    {"name": slo.name, "first": seen[slo.name], "index": index},
                )
            seen[slo.name] = index
        return self

    @field_validator("slos")
    @classmethod
    def _some(cls, value: list[SLO], info: ValidationInfo) -> list[SLO]:
        if not value and info.data.get("composites", [None]) == []:  # not when they failed
            raise PydanticCustomError("too_short", "must not be empty")
        return value


LOADER_FIELDS = ("source_path", "source_format")
"""ServiceSpec fields set by the loader, never written in specs (kept out of the JSON Schema)."""


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the written native format (what editors and `slo schema` use)."""
    schema = ServiceSpec.model_json_schema(mode="validation")
    for name in LOADER_FIELDS:
        schema["properties"].pop(name, None)
    schema["$defs"]["SLO"]["properties"].pop("service", None)
    schema["$defs"]["Composite"]["properties"].pop("service", None)
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
