"""Controlled vocabularies, kept as YAML data under ``model/vocab/`` and validated at load."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

from credible.errors import ConfigError


@dataclass(frozen=True)
class Term:
    code: str
    label: str
    extra: dict[str, Any]


@dataclass(frozen=True)
class Vocabulary:
    name: str
    description: str
    terms: dict[str, Term]

    def __contains__(self, code: object) -> bool:
        return code in self.terms

    @property
    def codes(self) -> list[str]:
        return list(self.terms)

    def describe(self) -> str:
        return ", ".join(self.terms)


@cache
def vocabulary(name: str) -> Vocabulary:
    """Load ``model/vocab/<name>.yml``; raises ConfigError naming the file when malformed."""
    path = resources.files("credible.model") / "vocab" / f"{name}.yml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"no vocabulary named {name!r}") from exc
    problems = []
    if not isinstance(data, dict) or not isinstance(data.get("terms"), dict):
        raise ConfigError(f"vocabulary {name}.yml must be a mapping with a 'terms' mapping")
    terms: dict[str, Term] = {}
    for code, body in data["terms"].items():
        if not isinstance(body, dict) or not isinstance(body.get("label"), str):
            problems.append(f"term {code!r} needs a 'label'")
            continue
        extra = {k: v for k, v in body.items() if k != "label"}
        terms[str(code)] = Term(str(code), body["label"], extra)
    if problems:
        raise ConfigError(f"vocabulary {name}.yml: " + "; ".join(problems))
    return Vocabulary(str(data.get("name", name)), str(data.get("description", "")), terms)


VOCABULARIES = (
    "act_types",
    "facility_kinds",
    "source_kinds",
    "reliability",
    "credibility",
    "standards_of_proof",
    "crimes_against_humanity",
    "roles",
    "sex",
    "observation_changes",
    "scripts",
    "stance",
    "consent",
)
