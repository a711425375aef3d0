"""Result objects: an estimate that tells the truth about itself, and a whole run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

METHODS = ("chapman", "loglinear", "Mt", "Mth-Chao", "Mth-Darroch", "Mth-Poisson2", "lcmcr", "dga")


@dataclass
class Estimate:
    """One population-size estimate with its interval, diagnostics and provenance.

    For Bayesian methods ``estimate`` is the posterior median and ``draws`` holds the
    posterior draws of N (used to sum strata); ``draws`` is not serialised.
    """

    method: str
    model: str
    estimate: float
    lower: float
    upper: float
    level: float
    n_observed: int
    converged: bool = True
    iterations: int = 0
    seed: int | None = None
    warnings: list[str] = field(default_factory=list)
    diagnostics: dict[str, Any] = field(default_factory=dict)
    settings: dict[str, Any] = field(default_factory=dict)
    stratum: str | None = None
    draws: np.ndarray | None = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "model": self.model,
            "estimate": _num(self.estimate),
            "lower": _num(self.lower),
            "upper": _num(self.upper),
            "level": self.level,
            "n_observed": self.n_observed,
            "stratum": self.stratum,
            "converged": self.converged,
            "iterations": self.iterations,
            "seed": self.seed,
            "warnings": list(self.warnings),
            "diagnostics": _jsonable(self.diagnostics),
            "settings": _jsonable(self.settings),
        }


def _num(x: float) -> float | None:
    x = float(x)
    return None if math.isnan(x) else (x if math.isfinite(x) else None)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, np.ndarray):
        return _jsonable(obj.tolist())
    if isinstance(obj, np.integer):
        return int(obj)
    if isinstance(obj, np.floating | float):
        return _num(float(obj))
    if isinstance(obj, np.bool_):
        return bool(obj)
    return obj


@dataclass
class EstimationRun:
    """Every estimate of one invocation, with what is needed to reproduce it."""

    estimates: list[Estimate]
    seed: int
    settings: dict[str, Any]
    version: str
    fingerprint: str
    lists: tuple[str, ...]
    list_sizes: dict[str, int]
    n_observed: int
    patterns: list[dict[str, Any]]
    by: str | None = None
    strata: dict[str, dict[str, Any]] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def overall(self) -> list[Estimate]:
        return [e for e in self.estimates if e.stratum is None]

    def to_dict(self) -> dict[str, Any]:
        return {
            "estimates": [e.to_dict() for e in self.estimates],
            "seed": self.seed,
            "settings": _jsonable(self.settings),
            "software_version": self.version,
            "input_fingerprint": self.fingerprint,
            "lists": list(self.lists),
            "list_sizes": self.list_sizes,
            "n_observed": self.n_observed,
            "patterns": self.patterns,
            "by": self.by,
            "strata": _jsonable(self.strata),
            "warnings": list(self.warnings),
        }
