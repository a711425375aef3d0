"""docs/security.md claims only what tests show: every test it names exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _tests_in(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)}


def test_every_test_named_in_security_md_exists() -> None:
    text = (ROOT / "docs" / "security.md").read_text(encoding="utf-8")
    refs = re.findall(r"(tests/[\w/]+\.py)(?:::(\w+))?", text)
    assert len(refs) > 30  # the page backs its claims
    missing = []
    for file, name in refs:
        path = ROOT / file
        if not path.exists() or (name and name not in _tests_in(path)):
            missing.append(f"{file}::{name}" if name else file)
    assert missing == []
