"""The layers of DESIGN.md, checked on the source: model <- store <- capabilities <-
cli/web. A stage is used through its package (``credible.linkage``), never through
its modules (``credible.linkage.train``), by anyone outside it; Splink's internals are
touched by one adapter module only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "credible"
CAPABILITIES = {
    "ingest",
    "evidence",
    "names",
    "linkage",
    "estimate",
    "assess",
    "report",
    "simulate",
    "accounts",
    "catalog",
    "jobs",
    "search",
}
FRONTS = {"cli", "commands", "web", "demo"}
SHARED = {"errors", "config", "safeyaml", "__init__"}  # leaf modules every layer may use


def _package(path: Path) -> str:
    rel = path.relative_to(SRC)
    return rel.parts[0].removesuffix(".py")


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            out.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names]
    return out


def _sources() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if "migrations" not in p.parts)


def _violations() -> list[str]:
    found = []
    for path in _sources():
        layer = _package(path)
        for line, module in _imports(path):
            parts = module.split(".")
            if parts[0] != "credible" or len(parts) == 1:
                continue
            target = parts[1]
            where = f"{path.relative_to(SRC.parent)}:{line} imports {module}"
            if target == layer or target in SHARED:
                continue
            if layer == "model":
                found.append(f"{where}: model imports nothing of credible's")
            elif layer == "store" and target != "model":
                found.append(f"{where}: the store imports no capability")
            elif layer in CAPABILITIES and target in FRONTS:
                found.append(f"{where}: a capability never imports a front end")
            elif len(parts) > 2 and target != "model" and target not in FRONTS:
                # Outside a stage, only its package is public (model's modules are data).
                found.append(f"{where}: use the stage's public API, credible.{target}")
    return found


def test_layers_are_one_way_and_stages_meet_through_their_public_api() -> None:
    assert _violations() == []


def test_the_check_catches_a_violation(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake = tmp_path / "credible"
    (fake / "store").mkdir(parents=True)
    (fake / "store" / "bad.py").write_text("from credible.linkage.train import x\n")
    monkeypatch.setitem(globals(), "SRC", fake)
    found = _violations()
    assert len(found) == 1 and "the store imports no capability" in found[0]


def test_splink_internals_sit_behind_one_adapter() -> None:
    users = sorted(
        str(path.relative_to(SRC))
        for path in _sources()
        for _, module in _imports(path)
        if module.startswith("splink.internals")
    )
    assert set(users) <= {"linkage/splink_adapter.py"}, users
