"""Budget adjustments of the spec model: periods whose events count neither as good nor as bad.

Written per SLO or per service as a list ``adjustments:`` (and in a separate file given to
``--adjustments FILE``, see ``slo_specs.adjustments_file``). Two kinds:

* one-off: ``start`` and ``end`` (RFC 3339 with an offset, or epoch seconds), ``reason``;
* recurring: ``rrule`` (an RFC 5545 RRULE value such as ``FREQ=WEEKLY;BYDAY=SU;BYHOUR=2``),
  ``duration``, ``timezone`` (IANA, default UTC), ``reason``, optional ``dtstart`` and ``until``
  (local date and time in that zone; dtstart absent: 2020-01-01 00:00 local, so the rule's BYDAY,
  BYHOUR and BYMINUTE place the occurrences).

Each occurrence starts at its local wall-clock time in the zone (so a weekly 02:00 Berlin window
is at 01:00 UTC in winter and 00:00 UTC in summer) and lasts ``duration`` of real time. A local
time skipped by a DST change starts at the UTC offset before the change; a repeated one is the
first of the two.

Refused, each with its position: an end not after its start, overlapping one-off periods of one
list, a recurring rule whose occurrences overlap each other (duration at least the gap between
two occurrences, checked over the rule's first two years), an unknown zone, an RRULE that
python-dateutil cannot parse (its message), a rule without occurrences, a missing reason.
Periods of different lists (service, SLO, file) may overlap: an event is excluded once.

python-dateutil is imported lazily, on the first recurring adjustment.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    PrivateAttr,
    ValidationError,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from slo_specs.durations import format_duration
from slo_specs.model_fields import _STRICT, PositiveDuration, _type_name, known_zone, spec_error

#: the anchor of a rule without dtstart (local time in its zone)
DEFAULT_DTSTART = "2020-01-01 00:00:00"
#: how far from dtstart a rule's occurrences are checked for overlapping each other
OVERLAP_CHECK_S = 2 * 366 * 86400.0
#: most occurrences checked for overlapping each other
OVERLAP_CHECK_MAX = 2000


def _instant(value: Any) -> float:
    """RFC 3339 with an offset (or a YAML timestamp with one), or epoch seconds → epoch."""
    if isinstance(value, bool):
        raise spec_error("expected an RFC 3339 time like 2026-11-18T06:10:00Z, got a boolean")
    if isinstance(value, int | float):
        if not math.isfinite(value):
            raise spec_error(f"expected a finite number of epoch seconds, got {value}")
        return float(value)
    when = value
    if isinstance(value, str):
        try:
            when = dt.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise spec_error(
                f"expected an RFC 3339 time like 2026-11-18T06:10:00Z, got {value!r}"
            ) from None
    if not isinstance(when, dt.datetime):
        raise spec_error(
            f"expected an RFC 3339 time like 2026-11-18T06:10:00Z, got {_type_name(value)}"
        )
    if when.tzinfo is None:
        raise spec_error("give the time with its UTC offset, like 2026-11-18T06:10:00Z")
    return when.timestamp()


def _local(value: Any) -> str:
    """A local date and time without offset → ``YYYY-MM-DD HH:MM:SS``."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise spec_error("write it without a UTC offset: a local time in 'timezone'")
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return f"{value.isoformat()} 00:00:00"
    if not isinstance(value, str):
        raise spec_error(f"expected a local time like 2026-01-04 02:00:00, got {_type_name(value)}")
    try:
        parsed = dt.datetime.fromisoformat(value.strip())
    except ValueError:
        raise spec_error(f"expected a local time like 2026-01-04 02:00:00, got {value!r}") from None
    if parsed.tzinfo is not None:
        raise spec_error("write it without a UTC offset: a local time in 'timezone'")
    return parsed.isoformat(sep=" ")


def _iso(t: float) -> str:
    """``2026-03-29T01:00:00Z`` (seconds only when not zero)."""
    when = dt.datetime.fromtimestamp(t, dt.timezone.utc)
    text = when.strftime("%Y-%m-%dT%H:%M:%S" if when.second else "%Y-%m-%dT%H:%M")
    return text + "Z"


_TIME_SCHEMA = {
    "type": ["string", "number"],
    "description": "RFC 3339 with an offset (2026-11-18T06:10:00Z) or epoch seconds.",
    "examples": ["2026-11-18T06:10:00Z"],
}
_LOCAL_SCHEMA = {
    "type": "string",
    "description": "Local date and time in the adjustment's timezone, without an offset.",
    "examples": ["2026-01-04 02:00:00"],
}
Instant = Annotated[float, BeforeValidator(_instant), WithJsonSchema(_TIME_SCHEMA)]
LocalTime = Annotated[str, BeforeValidator(_local), WithJsonSchema(_LOCAL_SCHEMA)]


class Adjustment(BaseModel):
    """An excluded period: one-off (start, end) or recurring (rrule, duration, timezone)."""

    model_config = _STRICT

    reason: str = Field(
        min_length=1,
        description="Why these events do not count (shown in every output).",
        examples=["planned maintenance", "upstream outage (INC-2047)"],
    )
    start: Instant | None = Field(default=None, description="One-off: first excluded instant.")
    end: Instant | None = Field(default=None, description="One-off: end (exclusive).")
    timezone: Annotated[str, AfterValidator(known_zone)] = Field(
        default="UTC",
        description="Recurring: IANA zone the rule's local times are in.",
        examples=["Europe/Berlin"],
    )
    dtstart: LocalTime | None = Field(
        default=None,
        description=f"Recurring: first occurrence, local time (absent: {DEFAULT_DTSTART}).",
    )
    until: LocalTime | None = Field(
        default=None, description="Recurring: no occurrence starts after this local time."
    )
    duration: PositiveDuration | None = Field(
        default=None, description="Recurring: length of each occurrence.", examples=["2h"]
    )
    rrule: str | None = Field(
        default=None,
        description="Recurring: an RFC 5545 RRULE value.",
        examples=["FREQ=WEEKLY;BYDAY=SU;BYHOUR=2;BYMINUTE=0"],
    )
    #: where it is written, for people ("file:line"); set by the loader
    _origin: str = PrivateAttr(default="")

    @field_validator("end")
    @classmethod
    def _after_start(cls, value: float | None, info: ValidationInfo) -> float | None:
        start = info.data.get("start")
        if value is not None and start is not None and not value > start:
            raise spec_error(f"end ({_iso(value)}) must be after start ({_iso(start)})")
        return value

    @field_validator("rrule")
    @classmethod
    def _parse_rule(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        text = value.strip()
        if text.upper().startswith("RRULE:"):
            text = text[len("RRULE:") :]
        if "\n" in text or "DTSTART" in text.upper():
            raise spec_error("write only the RRULE value here; give dtstart as its own key")
        data = info.data
        rule = _rule(text, data.get("dtstart"), data.get("until"))
        zone, duration = data.get("timezone"), data.get("duration")
        if zone is not None and duration is not None:
            _check_overlap(rule, zone, duration)
        return text

    @model_validator(mode="after")
    def _one_kind(self) -> Adjustment:
        one_off = self.start is not None or self.end is not None
        recurring = any(v is not None for v in (self.rrule, self.duration, self.dtstart))
        if one_off and (recurring or self.until is not None):
            raise spec_error(
                "give either start and end (one-off) or rrule and duration (recurring), not both"
            )
        if one_off and (self.start is None or self.end is None):
            raise spec_error("a one-off adjustment needs both start and end")
        if recurring and (self.rrule is None or self.duration is None):
            raise spec_error("a recurring adjustment needs both rrule and duration")
        if not one_off and not recurring:
            raise spec_error(
                "give start and end (one-off) or rrule and duration (recurring, e.g. "
                "rrule: FREQ=WEEKLY;BYDAY=SU;BYHOUR=2, duration: 2h)"
            )
        return self

    @property
    def recurring(self) -> bool:
        """An RRULE (else a one-off period)."""
        return self.rrule is not None

    @property
    def origin(self) -> str:
        """Where it is written (``file:line``), ``""`` when not loaded from a file."""
        return self._origin

    def describe(self) -> str:
        """The period for people: ``2026-11-18T06:10Z–2026-11-18T07:00Z`` or ``FREQ=…, 2h
        (Europe/Berlin)``."""
        if self.rrule is None:
            assert self.start is not None and self.end is not None
            return f"{_iso(self.start)}–{_iso(self.end)}"
        assert self.duration is not None
        return f"{self.rrule}, {format_duration(self.duration)} ({self.timezone})"

    def intervals(self, lo: float, hi: float) -> list[tuple[float, float]]:
        """The excluded intervals [start, end) (epoch seconds, UTC) overlapping [lo, hi),
        clipped to it, in time order."""
        if self.rrule is None:
            assert self.start is not None and self.end is not None
            a, b = max(self.start, lo), min(self.end, hi)
            return [(a, b)] if a < b else []
        assert self.duration is not None
        from zoneinfo import ZoneInfo

        zone = ZoneInfo(self.timezone)
        rule = _rule(self.rrule, self.dtstart, self.until)
        margin = self.duration + 2 * 86400.0  # DST shifts are at most hours
        first = _naive(lo - margin, zone)
        last = _naive(hi + 2 * 86400.0, zone)
        out = []
        for when in rule.between(first, last, inc=True):
            a = when.replace(tzinfo=zone).timestamp()
            b = a + self.duration
            if a < hi and b > lo:
                out.append((max(a, lo), min(b, hi)))
        return out


def _naive(t: float, zone: Any) -> dt.datetime:
    return dt.datetime.fromtimestamp(t, zone).replace(tzinfo=None)


def _rule(text: str, dtstart: str | None, until: str | None) -> Any:
    """The dateutil rrule of ``text`` anchored at ``dtstart`` (local, naive), or a spec error
    with the parser's message."""
    from dateutil.rrule import rrulestr

    start = dt.datetime.fromisoformat(dtstart or DEFAULT_DTSTART)
    try:
        rule = rrulestr(text, dtstart=start)
    except (ValueError, TypeError, KeyError, IndexError) as exc:
        raise spec_error(f"not a valid RRULE: {exc or type(exc).__name__}") from None
    if until is not None:
        if rule._until is not None or rule._count is not None:
            raise spec_error("the RRULE has UNTIL or COUNT already: drop 'until' or them")
        rule = rule.replace(until=dt.datetime.fromisoformat(until))
    if next(iter(rule), None) is None:
        raise spec_error("the RRULE has no occurrences (check UNTIL, COUNT and dtstart)")
    return rule


def _check_overlap(rule: Any, zone_name: str, duration: float) -> None:
    """Refuse a rule two of whose occurrences (in its first two years) overlap."""
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(zone_name)
    starts: list[float] = []
    for when in rule:
        t = when.replace(tzinfo=zone).timestamp()
        if starts and (t - starts[0] > OVERLAP_CHECK_S or len(starts) >= OVERLAP_CHECK_MAX):
            break
        if starts and t - starts[-1] < duration:
            raise spec_error(
                f"occurrences overlap: {_iso(starts[-1])} and {_iso(t)} are "
                f"{format_duration(t - starts[-1])} apart, less than the duration "
                f"{format_duration(duration)}"
            )
        starts.append(t)


def no_overlaps(items: list[Adjustment]) -> list[Adjustment]:
    """An AfterValidator of a list: its one-off periods must not overlap each other."""
    spans = sorted(
        (a.start, a.end, i)
        for i, a in enumerate(items)
        if a.start is not None and a.end is not None
    )
    errors = []
    reach: tuple[float, int] | None = None  # the furthest end so far, and whose it is
    for start, end, j in spans:
        if reach is not None and start < reach[0]:
            i = reach[1]
            message = f"overlaps adjustment [{i}] ({items[i].describe()}): merge them into one"
            errors.append(
                InitErrorDetails(
                    type=PydanticCustomError("spec", message), loc=(j, "start"), input=start
                )
            )
        if reach is None or end > reach[0]:
            reach = (end, j)
    if errors:
        raise ValidationError.from_exception_data("adjustments", errors)
    return items


Adjustments = Annotated[list[Adjustment], AfterValidator(no_overlaps)]
"""A list of adjustments whose one-off periods do not overlap."""


def place_origins(spec: Any, locator: Any, prefix: tuple[str | int, ...], translate: Any) -> None:
    """Set each adjustment's origin (``file:line``) of a validated ServiceSpec, for the outputs
    that say which applied (``translate``/``prefix`` as in ``loader.validate_service``)."""
    lists: list[tuple[tuple[str | int, ...], Any]] = [(("adjustments",), spec.adjustments)]
    lists += [(("slos", i, "adjustments"), s.adjustments) for i, s in enumerate(spec.slos)]
    for base, items in lists:
        for j, item in enumerate(items):
            loc = (*base, j)
            where = locator.problem((*prefix, *(translate(loc) if translate else loc)), "")
            item._origin = f"{where.path}:{where.line}"
