"""YAML as credible reads user files (mappings, policies): plain data, small, and without
anchors or aliases, whose nesting lets a few hundred bytes expand to gigabytes (the
"billion laughs"). A file that needs them is refused with a message saying so."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from credible.errors import InputError, Problem

MAX_BYTES = 1 << 20  # no mapping or policy comes near a megabyte


class _NoAliases(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.YAMLError("anchors and aliases (&name, *name) are not allowed here")
        return super().compose_node(parent, index)


def load_yaml(path: Path, what: str, max_bytes: int = MAX_BYTES) -> Any:
    """Read ``path`` as YAML; InputError naming the file and what it should be."""
    name = str(path)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise InputError(
                [Problem(name, None, None, f"a {what} of at most {max_bytes:,} bytes", size)]
            )
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"a readable {what}: {exc.strerror}")]) from exc
    try:
        return yaml.load(raw.decode("utf-8"), Loader=_NoAliases)
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, None, f"a {what} in UTF-8")]) from exc
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, None, None, f"a valid YAML {what}: {exc}")]) from exc
