"""Result objects: an estimate that tells the truth about itself, and a whole run."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

METHODS = ("chapman", "loglinear", "Mt", "Mth-Chao", "Mth-Darroch", "Mth-Poisson2", "lcmcr", "dga")

#: How ``estimate.json`` labels a stratified run's sum over its strata.
TOTAL_OF_STRATA = "(total of strata)"


@dataclass
class Estimate:
    """One population-size estimate with its interval, diagnostics and provenance.

    For Bayesian methods ``estimate`` is the posterior median and ``draws`` holds the
    posterior draws of N (used to sum strata); ``draws`` and ``state`` are not serialised.
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
    of_strata: bool = False  # a sum over the strata of a stratified run, not one of them
    draws: np.ndarray | None = field(default=None, repr=False)
    #: A sampler's last states (LCMCR's ``ChainState``, one a chain), for warm-starting a run on
    #: similar histories; not serialised.
    state: Any = field(default=None, repr=False)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "model": self.model,
            "estimate": _num(self.estimate),
            "lower": _num(self.lower),
            "upper": _num(self.upper),
            "level": self.level,
            "n_observed": self.n_observed,
            "stratum": TOTAL_OF_STRATA if self.of_strata else self.stratum,
            "of_strata": self.of_strata,
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
    #: With linkage draws: how the linkages were drawn, how much they varied, which
    #: pairs a reviewer should decide first, the two-list bias correction. Empty when
    #: the linkage was held fixed.
    linkage: dict[str, Any] = field(default_factory=dict)

    def overall(self) -> list[Estimate]:
        """The estimates over everyone at once (not by stratum, not summed over strata)."""
        return [e for e in self.estimates if e.stratum is None and not e.of_strata]

    def totals(self) -> list[Estimate]:
        """A stratified run's sums over its strata, one per method."""
        return [e for e in self.estimates if e.of_strata]

    def by_stratum(self, method: str) -> list[Estimate]:
        return [e for e in self.estimates if e.method == method and e.stratum is not None]

    def headline(self) -> list[Estimate]:
        """What a summary shows: the overall estimates and, when stratified, the sums."""
        return self.overall() + self.totals()

    def own_warnings(self, estimate: Estimate) -> list[str]:
        """An estimate's warnings that the run does not already give (each estimate also
        carries the run's, for when it is copied out alone)."""
        return [w for w in estimate.warnings if w not in self.warnings]

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
            "linkage": _jsonable(self.linkage),
        }
