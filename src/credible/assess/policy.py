"""The assessment policy: how claims weigh and what each standard of proof asks.

A policy is data (``assess/data/policy.yml`` by default, or a user's file), validated
once when loaded, so that every later step can trust it:
- every grade of the vocabularies has a weight in [0, 1];
- weights never rise as a grade gets worse (A to F, 1 to 6), and a claim that cannot be
  judged (F, or 6) weighs nothing, so it never establishes an act on its own;
- every standard of proof has at least one condition, each asking for a positive
  support; a stronger standard asks at least as much as a weaker one (every condition
  of a stronger standard implies one of the weaker's), so an act that meets a standard
  meets every weaker one;
- more support never lowers an act's standard, because weights are never negative and
  roots add up.
"""

from __future__ import annotations

import hashlib
import itertools
import json
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from credible.errors import InputError, Problem
from credible.model import vocabulary
from credible.safeyaml import load_yaml

EPSILON = 1e-9  # weights are decimals: 0.6 * 0.6 must reach a threshold of 0.36


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Weights(_Strict):
    reliability: dict[str, float]
    credibility: dict[str, float]
    cite: str


class Condition(_Strict):
    min_independent_sources: int = Field(ge=1)
    min_support: float = Field(gt=0)

    def implies(self, other: Condition) -> bool:
        """Whatever meets this condition meets ``other``."""
        return (
            self.min_independent_sources >= other.min_independent_sources
            and self.min_support >= other.min_support
        )

    def describe(self) -> str:
        n = self.min_independent_sources
        return (
            f"{n} independent source{'s' if n > 1 else ''} with net support ≥ {self.min_support:g}"
        )


class Standard(_Strict):
    any_of: list[Condition] = Field(min_length=1)
    cite: str


class Cited(_Strict):
    cite: str


class Contradictions(_Strict):
    factor: float = Field(ge=0)
    cite: str


class Policy(_Strict):
    name: str
    version: int | str
    weights: Weights
    independence: Cited
    contradictions: Contradictions
    standards: dict[str, Standard]
    wording: dict[str, str]

    @model_validator(mode="after")
    def _monotone(self) -> Policy:
        problems = _monotonicity_problems(self)
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def ordered_standards(self) -> list[str]:
        """Standard codes weakest first (the vocabulary's rank)."""
        return _ranked_standards()

    def claim_weight(self, reliability: str, credibility: str) -> float:
        return self.weights.reliability[reliability] * self.weights.credibility[credibility]

    def meets(self, standard: str, roots: int, support: float) -> bool:
        return any(
            roots >= c.min_independent_sources and support >= c.min_support - EPSILON
            for c in self.standards[standard].any_of
        )

    def fingerprint(self) -> str:
        body = json.dumps(self.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(body.encode("utf-8")).hexdigest()


@cache
def _ranked_standards() -> list[str]:
    voc = vocabulary("standards_of_proof")
    return sorted(voc.codes, key=lambda c: int(voc.terms[c].extra.get("rank", 0)))


def _monotonicity_problems(policy: Policy) -> list[str]:
    out = []
    for axis, vocab, unjudgeable in (
        ("reliability", "reliability", "F"),
        ("credibility", "credibility", "6"),
    ):
        table: dict[str, float] = getattr(policy.weights, axis)
        codes = vocabulary(vocab).codes  # best first
        missing = [c for c in codes if c not in table]
        extra = [c for c in table if c not in codes]
        if missing or extra:
            out.append(f"weights.{axis} must give exactly the grades {', '.join(codes)}")
            continue
        if any(not 0 <= table[c] <= 1 for c in codes):
            out.append(f"weights.{axis}: every weight is between 0 and 1")
        for better, worse in itertools.pairwise(codes):
            if table[worse] > table[better]:
                out.append(
                    f"weights.{axis}: {worse} weighs more than {better} (weights must not "
                    "rise as a grade gets worse)"
                )
        if table[unjudgeable] != 0:
            out.append(
                f"weights.{axis}: {unjudgeable} means it cannot be judged and must weigh 0, "
                "so that such a claim never establishes an act"
            )
    ranked = _ranked_standards()
    if set(policy.standards) != set(ranked):
        out.append(f"standards must give exactly: {', '.join(ranked)}")
        return out
    if set(policy.wording) != set(ranked):
        out.append(f"wording must give exactly: {', '.join(ranked)}")
    for weaker, stronger in itertools.pairwise(ranked):
        for cond in policy.standards[stronger].any_of:
            if not any(cond.implies(w) for w in policy.standards[weaker].any_of):
                out.append(
                    f"standards.{stronger}: '{cond.describe()}' does not also meet "
                    f"{weaker}; a stronger standard must ask at least as much"
                )
    return out


def default_policy_path() -> Path:
    return Path(str(resources.files("credible.assess") / "data" / "policy.yml"))


def load_policy(path: Path | None = None) -> Policy:
    """The policy in ``path`` (default: the one shipped); InputError naming what is wrong."""
    path = Path(path) if path is not None else default_policy_path()
    data: Any = load_yaml(path, "policy file")
    if not isinstance(data, dict):
        raise InputError([Problem(str(path), None, None, "a YAML mapping (key: value)")])
    try:
        return Policy.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or None
            message = err["msg"].removeprefix("Value error, ")
            problems.append(Problem(str(path), None, key, message))
        raise InputError(problems, f"policy file {path} is invalid") from exc
