"""Pydantic validation errors into our short messages, each placed by a :class:`Locator`."""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import BaseModel, ValidationError

from slo_specs.errors import Problem
from slo_specs.model import LOADER_FIELDS, _type_name
from slo_specs.yamlio import Loc

# keys that exist on models but are set by the loader, never written in a spec
_HIDDEN_KEYS = {*LOADER_FIELDS, "service@SLO"}
# discriminator tags pydantic puts into the loc of a tagged union (see model.Window)
_TAGS = {"rolling-window", "calendar-window"}
_KEY = "\x00key"  # our stand-in for pydantic's "[key]" loc marker (a written key can't be this)


def did_you_mean(word: str, candidates: Sequence[str]) -> str:
    """`` (did you mean 'x'?)`` for a near-miss of ``word`` among ``candidates``, else ``""``.

    >>> did_you_mean("objectiv", ["objective", "window"])
    " (did you mean 'objective'?)"
    """
    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    """The model classes an annotation can hold (through Optional, list, Annotated, unions)."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is None:
        return []
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _models_in(args[0])
    if origin in (typing.Union, types.UnionType, list, tuple):
        return [m for a in args for m in _models_in(a)]
    return []


def written_keys(root: type[BaseModel], loc: Loc) -> list[str]:
    """The keys a spec may write in the mapping at ``loc`` (for "did you mean")."""
    models = [root]
    for part in loc:
        if isinstance(part, int):
            continue
        nxt: list[type[BaseModel]] = []
        for model in models:
            info = model.model_fields.get(str(part))
            if info is not None:
                nxt += _models_in(info.annotation)
        models = nxt
    keys: list[str] = []
    for model in models:
        for name in model.model_fields:
            if name in _HIDDEN_KEYS or f"{name}@{model.__name__}" in _HIDDEN_KEYS:
                continue
            if model.__name__ == "RollingWindow":
                continue
            keys.append(name)
    return keys


def _clean_loc(loc: Sequence[str | int], kind: str) -> Loc:
    out: list[str | int] = []
    for index, part in enumerate(loc):
        if part in _TAGS and out and out[-1] == "window":
            continue
        if part == "[key]" and index == len(loc) - 1 and index > 0 and kind != "extra_forbidden":
            out.append(_KEY)  # pydantic's marker for "the key of this dict entry"
            continue
        if part == "seconds" and out and out[-1] == "window":
            continue  # a rolling window is written as a bare duration
        out.append(part)
    return tuple(out)


def _message(error: Any, root: type[BaseModel], loc: Loc) -> tuple[Loc, str, bool]:
    """(loc to show, message, point at the key?) for one pydantic error."""
    kind = error["type"]
    value = error.get("input")
    ctx = error.get("ctx") or {}
    got = _type_name(value)
    if loc and loc[-1] == _KEY:
        key = loc[-2]
        return loc[:-2], f"key {key!r} must be a string, got {_type_name(value)}", True
    if kind == "invalid_key":
        return loc[:-1], f"key {loc[-1]!r} must be a string, got {_type_name(value)}", True
    if kind in ("missing", "extra_forbidden") and not loc:
        text = str(error.get("msg", kind))
        return loc, text[:1].lower() + text[1:], False
    if kind == "missing":
        return loc[:-1], f"missing required key {loc[-1]!r}", False
    if kind == "extra_forbidden":
        name = str(loc[-1])
        hint = did_you_mean(name, written_keys(root, loc[:-1]))
        return loc[:-1], f"unknown key {name!r}{hint}", True
    if kind == "spec":
        return loc, error["msg"], False
    if kind in ("string_type",):
        return loc, f"expected a string, got {got}", False
    if kind in ("float_type", "float_parsing", "int_type", "int_parsing", "int_from_float"):
        return loc, f"expected a number, got {got}", False
    if kind in ("finite_number",):
        return loc, f"expected a finite number, got {value}", False
    if kind in ("bool_type", "bool_parsing"):
        return loc, f"expected true or false, got {got}", False
    if kind in ("dict_type", "model_type", "model_attributes_type", "mapping_type"):
        return loc, f"expected a mapping, got {got}", False
    if kind in ("list_type", "tuple_type"):
        return loc, f"expected a list, got {got}", False
    if kind == "literal_error":
        expected = str(ctx.get("expected", ""))
        options = [o.strip().strip("'") for o in expected.replace(" or ", ", ").split(",")]
        shown = repr(value) if isinstance(value, str) else got
        hint = did_you_mean(value, options) if isinstance(value, str) else ""
        return loc, f"must be one of {expected}, got {shown}{hint}", False
    if kind == "string_pattern_mismatch":
        return (
            loc,
            f"{value!r} is not a valid name: start with a letter or digit, then letters, "
            "digits, '-', '_' or '.'",
            False,
        )
    if kind == "too_short":
        least = ctx.get("min_length", 1)
        if least > 1:
            return loc, f"must have at least {least} items, got {ctx.get('actual_length')}", False
        return loc, "must not be empty", False
    if kind in ("greater_than", "greater_than_equal"):
        bound = ctx.get("gt", ctx.get("ge"))
        return loc, f"must be greater than {bound}, got {value}", False
    text = str(error.get("msg", kind))
    return loc, text[:1].lower() + text[1:], False


def problems_from(
    exc: ValidationError,
    root: type[BaseModel],
    locator: Any,
    *,
    prefix: Loc = (),
    translate: Callable[[Loc], Loc] | None = None,
) -> list[Problem]:
    """Our Problems for a pydantic ValidationError, positioned by ``locator``.

    ``prefix`` is prepended to each loc before locating (e.g. a document index for a
    DocumentsLocator); ``translate`` maps a model loc to the loc in the source document, for
    converters whose model data is shaped differently from the file.
    """
    problems: list[Problem] = []
    seen: set[tuple[Loc, str]] = set()
    for error in exc.errors(include_url=False):
        if error["type"] == "duplicate_name":
            continue  # the loader reports duplicates itself, also when other errors exist
        loc = _clean_loc(error["loc"], error["type"])
        shown, message, at_key = _message(error, root, loc)
        if (shown, message) in seen:
            continue
        seen.add((shown, message))
        # a key problem points at the key itself: the full loc, minus our dict-key marker
        where = (loc[:-1] if loc and loc[-1] == _KEY else loc) if at_key else shown
        if translate is not None:
            where, shown = translate(where), translate(shown)
        problems.append(locator.problem((*prefix, *where), message, key=at_key, shown=shown))
    return problems
