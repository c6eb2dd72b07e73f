"""Composite SLOs in the spec model: one objective over several SLOs (docs/spec-language.md).

A service's ``composites:`` list holds objectives whose events are those of other SLOs, its
*members* (named ``service/name``, or ``name`` for an SLO of the same service). A composite has
its own objective, window, alert windows and gate, like any SLO; ``method`` says how the
members' counts become the composite's:

* ``weighted`` (default): weighted events. Per bin, good = Σ wᵢ·goodᵢ and total = Σ wᵢ·totalᵢ;
  everything else is the usual arithmetic on those counts with the composite's objective.
* ``least_healthy``: over every window, the composite is its member with the lowest SLI there
  (judged against the composite's objective): the journey is as healthy as its worst step.
* ``weighted_burn``: OpenSLO v1's composite (README, "Notes (Composite SLO)"): over every window
  the composite burns at Σ wᵢ·burnᵢ, each member's burn rate against its own objective.

Members must exist, be SLOs (not composites: so there are no cycles), appear once and share one
budgeting method; that is checked across every file loaded (:mod:`slo_specs.composite_links`).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    Field,
    PrivateAttr,
    WithJsonSchema,
    field_validator,
)

from slo_specs.errors import Problem
from slo_specs.model_fields import _STRICT, _objective, _percent_field, spec_error
from slo_specs.model_policies import Alerting, GatePolicy
from slo_specs.model_windows import Window

Method = Literal["weighted", "least_healthy", "weighted_burn"]
METHODS: tuple[Method, ...] = ("weighted", "least_healthy", "weighted_burn")

#: an objective as written (percent) and held (ratio): SLOs and composites alike
Objective = Annotated[
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
]

_NAME = r"^[a-zA-Z0-9][a-zA-Z0-9_.-]*$"
_MEMBER = r"^([a-zA-Z0-9][a-zA-Z0-9_.-]*/)?[a-zA-Z0-9][a-zA-Z0-9_.-]*$"


class Member(BaseModel):
    """One SLO of a composite and its weight."""

    model_config = _STRICT

    slo: str = Field(
        pattern=_MEMBER,
        description="The member SLO: service/name, or name for an SLO of the same service.",
        examples=["checkout/availability"],
    )
    weight: float = Field(
        default=1.0,
        description="How much the member counts (weighted, weighted_burn); default 1.",
        examples=[2],
    )

    @field_validator("weight")
    @classmethod
    def _positive(cls, value: float) -> float:
        if not value > 0 or value == float("inf"):
            raise spec_error(f"a weight must be a positive number, got {value:g}")
        return value


class Composite(BaseModel):
    """An objective over several SLOs, with its own budget, burn rates, alerts and gate."""

    model_config = _STRICT

    name: str = Field(
        pattern=_NAME,
        description="Unique among the service's SLOs and composites.",
        examples=["checkout-journey"],
    )
    description: str = Field(default="", description="What the composite promises, for people.")
    objective: Objective = Field(description="Target, written in percent (99.5).")
    window: Window = Field(description="Rolling (30d) or calendar ({calendar: month}) window.")
    method: Method = Field(
        default="weighted",
        description="weighted: weighted events; least_healthy: the member with the lowest SLI; "
        "weighted_burn: the weighted sum of the members' burn rates (OpenSLO v1).",
    )
    members: list[Member] = Field(min_length=2, description="The member SLOs (two or more).")
    alerting: Alerting | None = Field(default=None, description="Burn-rate alert windows.")
    gate: GatePolicy | None = Field(default=None, description="What makes `slo check` fail.")
    labels: dict[str, str] = Field(default_factory=dict, description="Extra labels.")
    service: str = Field(default="", description="Filled from the service on load.")
    #: where the composite is written (path, line), and each member (a Problem without message)
    _source: tuple[str, int] | None = PrivateAttr(default=None)
    _member_at: list[Problem] = PrivateAttr(default_factory=list)

    @property
    def key(self) -> str:
        """``service/name``."""
        return f"{self.service}/{self.name}"

    @property
    def source_line(self) -> int | None:
        """The line of the spec file the composite starts at (None when not from a file)."""
        return None if self._source is None else self._source[1]

    def member_key(self, index: int) -> str:
        """The ``service/name`` of member ``index`` (a bare name is of this service)."""
        name = self.members[index].slo
        return name if "/" in name else f"{self.service}/{name}"

    @property
    def member_keys(self) -> tuple[str, ...]:
        """Every member's ``service/name``, in order."""
        return tuple(self.member_key(i) for i in range(len(self.members)))

    @property
    def weights(self) -> tuple[float, ...]:
        """Every member's weight, in order."""
        return tuple(m.weight for m in self.members)
