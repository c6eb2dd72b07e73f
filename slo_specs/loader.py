"""Load spec files (native slo/v1, OpenSLO v1, Sloth prometheus/v1) into ServiceSpecs.

Every problem of every file is collected and raised at once as one SpecError. The format of a
document is decided by its version key, checked first:

* ``version: slo/v1``      native, validated here;
* ``apiVersion: openslo/v1`` OpenSLO, all such documents of a file go to
  ``slo_specs.openslo.convert(documents, path, locator)`` (a DocumentsLocator: loc paths start
  with the index into ``documents``);
* ``version: prometheus/v1`` Sloth, and ``apiVersion: sloth.slok.dev/v1`` (its Kubernetes
  resource, kind PrometheusServiceLevel), each document goes to
  ``slo_specs.sloth.convert(document, path, locator)`` (a Locator).

Converters return ``list[ServiceSpec]`` or raise SpecError; :func:`validate_service` builds a
ServiceSpec from native-shaped data with positioned errors, for them and for us.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from slo_specs import promql_check
from slo_specs.composite_links import link_problems, place_composites
from slo_specs.errors import Problem, SpecError
from slo_specs.messages import did_you_mean, problems_from
from slo_specs.model import LOADER_FIELDS, VERSION, ServiceSpec
from slo_specs.model_adjustments import place_origins
from slo_specs.scan import PathFilter, find
from slo_specs.yamlio import Document, DocumentsLocator, Loc, Locator, read_file, read_text

NATIVE_VERSION = VERSION
SLOTH_VERSION = "prometheus/v1"
OPENSLO_VERSION = "openslo/v1"
SLOTH_K8S_VERSION = "sloth.slok.dev/v1"
_VERSIONS = (NATIVE_VERSION, SLOTH_VERSION)
_EXPECTED = (
    "expected 'version: slo/v1', 'version: prometheus/v1' (Sloth) or 'apiVersion: openslo/v1'"
)


def validate_service(
    data: Any,
    *,
    locator: Any,
    source_path: str | None,
    source_format: Literal["native", "openslo", "sloth"] = "native",
    percent: bool = True,
    prefix: Loc = (),
    translate: Callable[[Loc], Loc] | None = None,
    full_objective: bool = False,
) -> ServiceSpec:
    """A ServiceSpec from native-shaped data, or SpecError with every problem positioned.

    ``percent``: objectives (and other percentages) in ``data`` are written in percent (True,
    as in native and Sloth specs) or already ratios (False, as OpenSLO targets).
    ``prefix``/``translate``: see :func:`slo_specs.messages.problems_from`.
    ``full_objective``: an objective of 100 % is allowed (Sloth: 0 < objective <= 100).
    """
    problems = _duplicate_names(data, locator, prefix, translate)
    try:
        context = {"percent": percent, "full_objective": full_objective}
        spec = ServiceSpec.model_validate(data, context=context)
    except ValidationError as exc:
        problems += problems_from(exc, ServiceSpec, locator, prefix=prefix, translate=translate)
        raise SpecError(problems) from None
    if problems:
        raise SpecError(problems)
    spec.source_path = source_path
    spec.source_format = source_format
    for index, slo in enumerate(spec.slos):  # where each SLO is, for messages about it later
        loc: Loc = ("slos", index)
        where = locator.problem((*prefix, *(translate(loc) if translate else loc)), "")
        slo._source = (where.path, where.line)
    place_composites(spec, locator, prefix, translate)
    place_origins(spec, locator, prefix, translate)
    return spec


def _duplicate_names(
    data: Any, locator: Any, prefix: Loc, translate: Callable[[Loc], Loc] | None
) -> list[Problem]:
    """Duplicate SLO names, found on the raw data so they show up next to any other problem."""
    if not isinstance(data, dict):
        return []
    first: dict[str, str] = {}
    problems = []
    for part in ("slos", "composites"):
        items = data.get(part)
        for index, slo in enumerate(items if isinstance(items, list) else []):
            name = slo.get("name") if isinstance(slo, dict) else None
            if not isinstance(name, str):
                continue
            if name in first:
                loc: Loc = (part, index, "name")
                if translate is not None:
                    loc = translate(loc)
                problems.append(
                    locator.problem(
                        (*prefix, *loc), f"duplicate SLO name {name!r} (also {first[name]})"
                    )
                )
            else:
                first[name] = f"{part}[{index}]"
    return problems


def _native(doc: Document) -> tuple[list[ServiceSpec], list[Problem]]:
    data = doc.data
    problems = [
        doc.locator.problem(
            (key,), f"unknown key {key!r} (set by the loader, not in specs)", key=True, shown=()
        )
        for key in LOADER_FIELDS
        if key in data
    ]
    slos = data.get("slos")
    for index, slo in enumerate(slos if isinstance(slos, list) else []):
        if isinstance(slo, dict) and "service" in slo:
            problems.append(
                doc.locator.problem(
                    ("slos", index, "service"),
                    "unknown key 'service' (an SLO takes its service from the file)",
                    key=True,
                    shown=("slos", index),
                )
            )
    clean = {k: v for k, v in data.items() if k not in LOADER_FIELDS}
    if isinstance(clean.get("slos"), list):
        clean["slos"] = [
            {k: v for k, v in s.items() if k != "service"} if isinstance(s, dict) else s
            for s in clean["slos"]
        ]
    promql = promql_check.native_problems(data, doc.locator)  # queries checked before sent
    try:
        spec = validate_service(clean, locator=doc.locator, source_path=doc.locator.path)
    except SpecError as exc:
        return [], promql_check.merge(problems + exc.problems, promql)
    return ([spec], []) if not problems + promql else ([], problems + promql)


def _missing_converter(doc: Document, name: str) -> Problem:
    return doc.locator.problem((), f"{name} support not installed")


def _classify(doc: Document) -> tuple[str, Problem | None]:
    """``native``/``sloth``/``openslo``/``empty``, or a problem saying why it is not a spec."""
    data = doc.data
    loc = doc.locator
    if data is None:
        return "empty", None
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else "a single value"
        return "bad", loc.problem((), f"not an SLO spec: the document is {kind}; {_EXPECTED}")
    if "apiVersion" in data and "version" not in data:
        api = data["apiVersion"]
        if api == OPENSLO_VERSION:
            return "openslo", None
        if api == SLOTH_K8S_VERSION:  # Sloth's Kubernetes resource, read by the Sloth converter
            return "sloth", None
        if isinstance(api, str) and api.lower().startswith("openslo"):  # openslo.com/v2alpha too
            return "bad", loc.problem(
                ("apiVersion",), f"unsupported OpenSLO version {api!r} (supported: openslo/v1)"
            )
        return "bad", loc.problem(
            ("apiVersion",), f"not an SLO spec: apiVersion {api!r}; {_EXPECTED}"
        )
    if "version" not in data:
        return "bad", loc.problem((), f"not an SLO spec: no 'version' key; {_EXPECTED}")
    version = data["version"]
    if version == NATIVE_VERSION:
        return "native", None
    if version == SLOTH_VERSION:
        return "sloth", None
    shown = repr(version) if isinstance(version, str) else str(version)
    hint = did_you_mean(version, _VERSIONS) if isinstance(version, str) else ""
    return "bad", loc.problem(
        ("version",),
        f"unknown version {shown}{hint}; expected 'slo/v1' or 'prometheus/v1' (Sloth)",
    )


def _converter(name: str) -> Any | None:
    module = f"slo_specs.{name}"
    if importlib.util.find_spec(module) is None:
        return None
    return importlib.import_module(module)


def expand_lists(documents: Sequence[Document]) -> list[Document]:
    """Documents whose top level is a YAML list of OpenSLO objects, one document per object:
    the form of the OpenSLO Go SDK's examples and decoder (``- apiVersion: openslo/v1 ...``)."""
    out: list[Document] = []
    for doc in documents:
        root = doc.locator.root
        items = doc.data
        if (
            isinstance(items, list)
            and isinstance(root, yaml.SequenceNode)
            and any(_openslo_like(item) for item in items)
        ):
            for item, node in zip(items, root.value, strict=True):
                mark = (node.start_mark.line + 1, node.start_mark.column + 1)
                out.append(Document(item, Locator(doc.locator.path, node, start=mark), doc.index))
        else:
            out.append(doc)
    return out


def _openslo_like(item: object) -> bool:
    api = item.get("apiVersion") if isinstance(item, dict) else None
    return isinstance(api, str) and api.lower().startswith("openslo")


def index_openslo(documents: Sequence[Document], objects: Any) -> list[Problem]:
    """Add the named OpenSLO objects of one file's documents to ``objects``."""
    docs = [d for d in expand_lists(documents) if _classify(d)[0] == "openslo"]
    module = _converter("openslo") if docs else None
    if module is None:
        return []
    locator = DocumentsLocator([d.locator for d in docs])
    problems: list[Problem] = module.index([d.data for d in docs], locator.path, locator, objects)
    return problems


def load_documents(
    documents: Sequence[Document],
    path: str,
    *,
    objects: Any = None,
    warnings: list[Problem] | None = None,
) -> list[ServiceSpec]:
    """ServiceSpecs from the documents of one file; SpecError with every problem.

    ``objects``: the OpenSLO objects of every file read together (``slo_specs.openslo_sli.
    Objects``), else this file's own. ``warnings`` receives what is read but not used.
    """
    specs: list[ServiceSpec] = []
    #: the keys of `specs`' SLOs, kept as they grow (not rebuilt per document: quadratic)
    seen: set[str] = set()
    problems: list[Problem] = []
    openslo_docs: list[Document] = []
    for doc in expand_lists(documents):
        kind, problem = _classify(doc)
        if problem is not None:
            problems.append(problem)
        elif kind == "native":
            found, bad = _native(doc)
            problems += bad + _same_file_duplicates(seen, found, doc)
            specs += found
            seen.update(slo.key for spec in found for slo in spec.slos)
        elif kind == "openslo":
            openslo_docs.append(doc)
        elif kind == "sloth":
            module = _converter("sloth")
            if module is None:
                problems.append(_missing_converter(doc, "Sloth"))
                continue
            try:
                found = module.convert(doc.data, path, doc.locator, warnings=warnings)
                problems += _same_file_duplicates(seen, found, doc)
                specs += found
                seen.update(slo.key for spec in found for slo in spec.slos)
            except SpecError as exc:
                problems += exc.problems
    if openslo_docs:
        module = _converter("openslo")
        if module is None:
            problems += [_missing_converter(d, "OpenSLO") for d in openslo_docs]
        else:
            try:
                specs += module.convert(
                    [d.data for d in openslo_docs],
                    path,
                    DocumentsLocator([d.locator for d in openslo_docs]),
                    objects=objects,
                    warnings=warnings,
                )
            except SpecError as exc:
                problems += exc.problems
    if problems:
        raise SpecError(list(dict.fromkeys(problems)))
    return specs


def _same_file_duplicates(
    seen: set[str], found: Sequence[ServiceSpec], doc: Document
) -> list[Problem]:
    """SLOs of a document whose ``service/name`` an earlier document of the file has (``seen``:
    their keys; Sloth's rule IDs, ``service-name``, must be unique)."""
    root: Loc = ("spec",) if isinstance(doc.data, dict) and "apiVersion" in doc.data else ()
    problems = []
    for spec in found:
        for index, slo in enumerate(spec.slos):
            if slo.key in seen:
                problems.append(
                    doc.locator.problem(
                        (*root, "slos", index, "name"),
                        f"duplicate SLO {slo.key!r}: an earlier document of this file has it",
                    )
                )
    return problems


def load_text(text: str, path: str = "<string>") -> list[ServiceSpec]:
    """ServiceSpecs from YAML text (``path`` is used in messages only)."""
    result = read_text(text, path)
    return _finish(result.documents, result.problems, path)


def load_file(path: str | os.PathLike[str]) -> list[ServiceSpec]:
    """ServiceSpecs from one file; SpecError with every problem in it."""
    name = str(path)
    result = read_file(name)
    return _finish(result.documents, result.problems, name)  # composites: see load_paths


def _finish(
    documents: list[Document],
    problems: list[Problem],
    path: str,
    *,
    objects: Any = None,
    warnings: list[Problem] | None = None,
) -> list[ServiceSpec]:
    problems = list(problems)
    specs: list[ServiceSpec] = []
    try:
        specs = load_documents(documents, path, objects=objects, warnings=warnings)
    except SpecError as exc:
        problems += exc.problems
    if not problems and not specs and all(d.data is None for d in documents):
        problems.append(Problem(path, 1, 1, "", f"no SLO spec in this file; {_EXPECTED}"))
    if problems:
        raise SpecError(sorted(problems, key=lambda p: (p.line, p.col)))
    return specs


def _foreign_reason(documents: Sequence[Document]) -> str | None:
    """Why a file found by a directory scan is clearly not an SLO spec (a docker-compose file, a
    Kubernetes manifest, a CI job), or None when it is, or may be, one: then its problems count.

    Clearly not: every document is a mapping with an ``apiVersion`` that is neither OpenSLO nor
    Sloth, or with neither ``version`` nor ``apiVersion``, or with a ``version`` that is not a
    string at all like ``slo/…`` or ``prometheus/…`` and no ``slos`` key."""
    reasons = []
    for doc in expand_lists(documents):
        data = doc.data
        if data is None:
            continue
        if not isinstance(data, dict) or "slos" in data:
            return None
        api, version = data.get("apiVersion"), data.get("version")
        if api is not None and version is None:
            text = str(api).lower()
            if text.startswith("openslo") or text.startswith("sloth"):
                return None
            reasons.append(f"apiVersion {api!r}")
        elif version is None:
            reasons.append("no 'version' key")
        elif isinstance(version, str) and version.lower().startswith(("slo", "prometheus")):
            return None
        else:
            reasons.append(f"version {version!r}")
    return ", ".join(dict.fromkeys(reasons)) or None


def find_spec_files(
    paths: Iterable[str | os.PathLike[str]], where: PathFilter | None = None
) -> tuple[list[str], list[Problem]]:
    """Spec files named by ``paths``: files as given, directories searched recursively for
    ``*.yaml``/``*.yml`` (skipping hidden directories such as ``.git`` and ``.venv``, and what
    ``where`` excludes; see slo_specs.scan)."""
    return find(paths, where)[:2]


@dataclass(frozen=True)
class CheckReport:
    """What checking a set of paths found: the files read, the specs, every problem, and the
    warnings (what was read but is not used; they do not make the specs invalid)."""

    files: tuple[str, ...]
    specs: tuple[ServiceSpec, ...]
    problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...] = ()
    #: files a directory scan found that are clearly not SLO specs, each with the reason
    #: (not read as specs; with ``strict`` they are problems instead)
    skipped: tuple[Problem, ...] = ()


def check_paths(
    paths: Sequence[str | os.PathLike[str]],
    *,
    strict: bool = False,
    where: PathFilter | None = None,
) -> CheckReport:
    """Load every spec file under ``paths``, collecting problems instead of raising them.

    OpenSLO references resolve across all the files; SLO keys (``service/name``) must be unique
    across all files. Files that a directory scan found (not named) and that are clearly not
    SLO specs (docker-compose files, Kubernetes manifests) are skipped and listed in
    ``skipped``; with ``strict`` they are problems like any other file's. ``where``: which
    files directory scans read (include/exclude globs, slo_specs.scan).
    """
    report = _check_paths(paths, strict, where, fast=True)
    if report.problems or report.warnings or report.skipped:
        # read again with PyYAML's own composer, whose marks point inside scalars too
        report = _check_paths(paths, strict, where, fast=False)
    return report


def _check_paths(
    paths: Sequence[str | os.PathLike[str]], strict: bool, where: PathFilter | None, *, fast: bool
) -> CheckReport:
    from slo_specs.openslo_sli import Objects

    files, problems, scanned = find(paths, where)
    read = [(name, read_file(name, fast=fast)) for name in files]
    skipped: list[Problem] = []
    if not strict:
        kept = []
        for name, result in read:
            reason = None if result.problems else _foreign_reason(result.documents)
            if name in scanned and reason is not None:
                skipped.append(Problem(name, 1, 1, "", f"not an SLO spec ({reason}): skipped"))
            else:
                kept.append((name, result))
        read = kept
        files = [name for name, _ in read]
    objects = Objects()
    for _name, result in read:
        problems += index_openslo(result.documents, objects)
    specs: list[ServiceSpec] = []
    warnings: list[Problem] = []
    for name, result in read:
        try:
            specs += _finish(
                result.documents, result.problems, name, objects=objects, warnings=warnings
            )
        except SpecError as exc:
            problems += exc.problems
    problems += _duplicate_keys(specs)
    problems += link_problems(specs)
    return CheckReport(
        tuple(files),
        tuple(specs),
        tuple(dict.fromkeys(problems)),
        tuple(dict.fromkeys(warnings)),
        tuple(skipped),
    )


def load_paths(paths: Sequence[str | os.PathLike[str]]) -> list[ServiceSpec]:
    """ServiceSpecs from files and directories; SpecError with every problem of every file."""
    report = check_paths(paths)
    if report.problems:
        raise SpecError(list(report.problems))
    return list(report.specs)


def _duplicate_keys(specs: Sequence[ServiceSpec]) -> list[Problem]:
    first: dict[str, str] = {}
    problems = []
    for spec in specs:
        for slo in spec.slos:
            where = spec.source_path or "<unknown>"
            if slo.key in first and first[slo.key] != where:
                problems.append(
                    Problem(where, 1, 1, "", f"SLO {slo.key!r} is also defined in {first[slo.key]}")
                )
            first.setdefault(slo.key, where)
    return problems


__all__ = [
    "CheckReport",
    "Locator",
    "check_paths",
    "find_spec_files",
    "load_documents",
    "load_file",
    "load_paths",
    "load_text",
    "validate_service",
]
