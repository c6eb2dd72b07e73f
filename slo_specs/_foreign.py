"""Reading helpers for the foreign formats (OpenSLO, Sloth): typed access with located problems.

A foreign document is plain YAML data (dicts, lists, scalars). These helpers read one field at a
time, and when the field is missing or of the wrong type they record a located problem and hand
back ``None`` so the converter can go on and report every other problem of the file too.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal, Protocol

from slo_specs.errors import Problem, SpecError
from slo_specs.messages import did_you_mean
from slo_specs.model import _type_name as type_name
from slo_specs.yamlio import Loc


class Locator(Protocol):
    """What the loader hands over: ``slo_specs.yamlio.Locator`` or ``DocumentsLocator``."""

    def problem(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        shown: Sequence[str | int] | None = None,
    ) -> Problem: ...

    def node(self, loc: Sequence[str | int]) -> Any: ...


class Reader:
    """Collects the problems of one file while its documents are read."""

    def __init__(self, path: str, locator: Locator, prefix: Loc = ()) -> None:
        self.path = path
        self.locator = locator
        self.prefix = prefix
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def at(self, prefix: Loc) -> Reader:
        """A reader for one document of a multi-document file, sharing the problem lists."""
        child = Reader(self.path, self.locator, prefix)
        child.problems, child.warnings = self.problems, self.warnings
        return child

    def warn(self, loc: Loc, message: str, *, key: bool = False) -> None:
        """Record something read but not used (``slo validate`` shows it; exit 0)."""
        self.warnings.append(self.make(loc, message, key=key))

    def problem(self, loc: Loc, message: str, *, key: bool = False) -> None:
        """Record a problem at ``loc`` in this reader's document (``key``: point at the key)."""
        self.problems.append(self.make(loc, message, key=key))

    def make(self, loc: Loc, message: str, *, key: bool = False) -> Problem:
        """The located Problem for ``loc`` (shown without the document prefix)."""
        return self.locator.problem((*self.prefix, *loc), message, key=key, shown=loc)

    def promql(self, loc: Loc, text: str, *, sloth: bool = False) -> bool:
        """Parse the PromQL ``text`` written at ``loc`` offline (``sloth``: with the
        ``{{.window}}`` placeholder); a bad one is a problem at its token. Whether it parsed."""
        from slo_specs import promql_check

        placeholder = promql_check.SLOTH_PLACEHOLDER if sloth else None
        found = promql_check.problem(
            self.locator, (*self.prefix, *loc), text, shown=loc, placeholder=placeholder
        )
        if found is not None:
            self.problems.append(found)
        return found is None

    def raise_if_any(self) -> None:
        """Raise every problem recorded so far as one SpecError."""
        if self.problems:
            raise SpecError(self.problems)

    def mapping(self, value: object, loc: Loc) -> Mapping[str, Any] | None:
        """``value`` when it is a mapping, else a problem and ``None``."""
        if isinstance(value, Mapping):
            return value
        self.problem(loc, f"expected a mapping, got {type_name(value)}")
        return None

    def keys(
        self, node: Mapping[str, Any], loc: Loc, allowed: Iterable[str], *, ignored: str = ""
    ) -> None:
        """Report keys that are not in ``allowed``, with a "did you mean" for near misses.

        ``ignored``: the format's own decoder ignores unknown keys, so they are warnings, with
        this reason, instead of problems."""
        known = list(allowed)
        for key in node:
            if key not in known:
                hint = did_you_mean(str(key), known)
                message = f"unknown key {str(key)!r}{hint}"
                if ignored:
                    self.warn((*loc, str(key)), f"{message}: ignored ({ignored})", key=True)
                else:
                    self.problem((*loc, str(key)), message, key=True)

    def string(
        self, node: Mapping[str, Any], key: str, loc: Loc, *, required: bool = True
    ) -> str | None:
        """A non-empty string field; wrong types (and missing, when required) become problems."""
        if key not in node or node[key] is None:
            if required:
                self.problem(loc, f"missing required key {key!r}")
            return None
        value = node[key]
        if not isinstance(value, str):
            self.problem((*loc, key), f"expected a string, got {type_name(value)}")
            return None
        if not value.strip():
            self.problem((*loc, key), "must not be empty")
            return None
        return value

    def number(
        self, node: Mapping[str, Any], key: str, loc: Loc, *, required: bool = True
    ) -> float | None:
        """A number field (booleans are not numbers)."""
        if key not in node or node[key] is None:
            if required:
                self.problem(loc, f"missing required key {key!r}")
            return None
        value = node[key]
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.problem((*loc, key), f"expected a number, got {type_name(value)}")
            return None
        return float(value)

    def labels(self, node: Mapping[str, Any], key: str, loc: Loc) -> dict[str, str]:
        """A label map of scalars held as strings; lists (OpenSLO allows them) are comma-joined."""
        value = node.get(key)
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.problem((*loc, key), f"expected a mapping, got {type_name(value)}")
            return {}
        out: dict[str, str] = {}
        for name, item in value.items():
            if isinstance(item, list) and all(_is_scalar(x) for x in item):
                out[str(name)] = ",".join(_scalar_text(x) for x in item)
            elif _is_scalar(item):
                out[str(name)] = _scalar_text(item)
            else:
                self.problem((*loc, key, str(name)), f"expected a string, got {type_name(item)}")
        return out


def _is_scalar(value: object) -> bool:
    return isinstance(value, (str, int, float, bool))


def _scalar_text(value: object) -> str:
    # YAML `true` is a label value "true", the spelling Prometheus labels use
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


Where = dict[Loc, tuple[Reader, Loc]]
"""Where each field of the native-shaped data came from: native loc → (reader, source loc)."""


class _Routed:
    """A locator for model errors: sends each native loc to the foreign field it came from."""

    def __init__(self, where: Where, fallback: tuple[Reader, Loc]) -> None:
        self.where = where
        self.fallback = fallback

    def problem(
        self,
        loc: Sequence[str | int],
        message: str,
        *,
        key: bool = False,
        shown: Sequence[str | int] | None = None,
    ) -> Problem:
        native = tuple(loc)
        for n in range(len(native), -1, -1):
            if native[:n] in self.where:
                reader, src = self.where[native[:n]]
                # an unknown or missing key below a mapped field cannot be placed more exactly
                return reader.make(src, message, key=key and n == len(native))
        reader, src = self.fallback
        return reader.make(src, message)


def build_service(
    data: dict[str, Any],
    where: Where,
    fallback: tuple[Reader, Loc],
    source_format: Literal["openslo", "sloth"],
    *,
    full_objective: bool = False,
) -> Any:
    """Validate native-shaped ``data`` as a ServiceSpec, locating each problem in the source.

    Converters translate a foreign document into the written native form and let the loader's
    :func:`~slo_specs.loader.validate_service` check it, so every format obeys the same rules
    (objective ranges, durations, time zones, selectors, duplicate names) with the same messages.
    A problem's native loc is mapped back to the foreign field it came from through ``where``
    (the longest known prefix wins), else to ``fallback``.
    Returns the ServiceSpec, or ``None`` after recording the problems.
    """
    from slo_specs.loader import validate_service

    reader = fallback[0]
    try:
        return validate_service(
            data,
            locator=_Routed(where, fallback),
            source_path=reader.path,
            source_format=source_format,
            full_objective=full_objective,
        )
    except SpecError as exc:
        reader.problems.extend(exc.problems)
        return None
