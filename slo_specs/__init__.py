"""The slo spec language: native `slo/v1`, OpenSLO v1 and Sloth `prometheus/v1` into one model.

The public names are loaded on first use, so ``import slo_specs.errors`` stays cheap.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from slo_specs.errors import Problem, SpecError
    from slo_specs.loader import load_file, load_paths, load_text
    from slo_specs.model import SLO, ServiceSpec, json_schema

_EXPORTS = {
    "load_paths": "slo_specs.loader",
    "load_file": "slo_specs.loader",
    "load_text": "slo_specs.loader",
    "json_schema": "slo_specs.model",
    "ServiceSpec": "slo_specs.model",
    "SLO": "slo_specs.model",
    "Problem": "slo_specs.errors",
    "SpecError": "slo_specs.errors",
}

__all__ = [
    "SLO",
    "Problem",
    "ServiceSpec",
    "SpecError",
    "json_schema",
    "load_file",
    "load_paths",
    "load_text",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'slo_specs' has no attribute {name!r}")
    import importlib

    return getattr(importlib.import_module(module), name)
