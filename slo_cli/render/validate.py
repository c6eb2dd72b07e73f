"""Rendering of `slo validate`: problems with their places (text), a JSON report, or GitHub
Actions annotations. Each renderer returns the text."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from slo_specs.errors import Problem
    from slo_specs.loader import CheckReport


def _summary(report: CheckReport) -> str:
    services = len({spec.service for spec in report.specs})
    slos = sum(len(spec.slos) for spec in report.specs)
    files = len(report.files)
    if report.problems:
        bad = len({p.path for p in report.problems})
        return f"{len(report.problems)} problem(s) in {bad} of {files} file(s)"
    warned = f", {len(report.warnings)} warning(s)" if report.warnings else ""
    composites = sum(len(spec.composites) for spec in report.specs)
    if composites:
        warned = f", {composites} composite(s){warned}"
    skipped = (
        f"; {len(report.skipped)} file(s) skipped, not SLO specs (--strict refuses them)"
        if report.skipped
        else ""
    )
    return f"{files} file(s) valid: {services} service(s), {slos} SLO(s){warned}{skipped}"


def _warning_text(problem: Problem) -> str:
    where = f"{problem.path}:{problem.line}:{problem.col}: warning"
    return (
        f"{where}: {problem.loc}: {problem.message}"
        if problem.loc
        else f"{where}: {problem.message}"
    )


def render_text(report: CheckReport) -> str:
    """One line per problem (``path:LINE:COL: loc: message``), one per warning
    (``path:LINE:COL: warning: ...``: read but not used), then a summary line."""
    lines = [str(p) for p in report.problems]
    lines += [_warning_text(w) for w in report.warnings]
    lines += [f"{p.path}: note: {p.message}" for p in report.skipped]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"


def render_json(report: CheckReport) -> str:
    """The report as JSON (``"schema": "slo/validate/v1"``)."""
    document = {
        "schema": "slo/validate/v1",
        "valid": not report.problems,
        "files": list(report.files),
        "services": sorted({spec.service for spec in report.specs}),
        "slos": [slo.key for spec in report.specs for slo in spec.slos],
        "composites": [c.key for spec in report.specs for c in spec.composites],
        "problems": [
            {"path": p.path, "line": p.line, "col": p.col, "loc": p.loc, "message": p.message}
            for p in report.problems
        ],
        "warnings": [
            {"path": p.path, "line": p.line, "col": p.col, "loc": p.loc, "message": p.message}
            for p in report.warnings
        ],
        "skipped": [{"path": p.path, "message": p.message} for p in report.skipped],
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_data(text: str) -> str:
    # GitHub workflow-command escaping: https://github.com/actions/toolkit (core/src/command.ts)
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github_line(problem: Problem, level: str = "error") -> str:
    """A GitHub Actions ``::error`` (or ``::warning``) annotation, shown on the PR's line."""
    message = f"{problem.loc}: {problem.message}" if problem.loc else problem.message
    return (
        f"::{level} file={_escape_property(problem.path)},line={problem.line},"
        f"col={problem.col},title=slo validate::{_escape_data(message)}"
    )


def render_github(report: CheckReport) -> str:
    """One ``::error`` line per problem, then the summary as a plain line."""
    lines = [github_line(p) for p in report.problems]
    lines += [github_line(w, "warning") for w in report.warnings]
    lines += [github_line(p, "notice") for p in report.skipped]
    lines.append(_summary(report))
    return "\n".join(lines) + "\n"
