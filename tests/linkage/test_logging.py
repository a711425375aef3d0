"""Library code configures no logging: levels and handlers are the application's (the
command line sets Splink's in ``credible.commands.link``)."""

from __future__ import annotations

import ast
from pathlib import Path

import credible.linkage

CONFIGURING = {"setLevel", "addHandler", "removeHandler", "basicConfig", "dictConfig", "disable"}


def test_no_module_of_linkage_configures_logging() -> None:
    package = Path(credible.linkage.__file__).parent
    found = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr in CONFIGURING
            ):
                found.append(f"{path.name}:{node.lineno} {node.func.attr}")
    assert found == []
