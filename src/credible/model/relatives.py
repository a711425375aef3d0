"""Relatives named in a record, as one column holds them (docs/mapping.md).

A list names a person's father, brother or the relative who testified. One cell holds
them all, items separated by ``;`` (or ``；``), each ``name (relation)`` or
``name (relation, id number)``; a bare name is a relative of unstated relation. The
written cell is what the store keeps; this reading is for linkage and display.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ITEM = re.compile(r"^\s*(?P<name>[^()]*?)\s*(?:\((?P<inside>[^()]*)\)\s*)?$")
_ID_LIKE = re.compile(r"^[\d０-９xX]{15,18}$")


@dataclass(frozen=True)
class Relative:
    name: str
    relation: str | None = None
    id_number: str | None = None


def parse_relatives(written: object) -> list[Relative]:
    """The relatives a cell names, in order; items that name nobody are skipped."""
    if written is None:
        return []
    text = unicodedata.normalize("NFKC", str(written)).replace("（", "(").replace("）", ")")
    out = []
    for item in re.split(r"[;；]", text):
        m = _ITEM.match(item)
        if m is None:  # unbalanced parentheses: the whole item is the name
            name, inside = item.strip(), None
        else:
            name, inside = m.group("name"), m.group("inside")
        if not name:
            continue
        relation = id_number = None
        for part in (p.strip() for p in (inside or "").split(",")):
            if not part:
                continue
            if _ID_LIKE.match(part.replace(" ", "")):
                id_number = part.replace(" ", "")
            elif relation is None:
                relation = part.casefold()
        out.append(Relative(name, relation, id_number))
    return out


def format_relatives(relatives: list[Relative]) -> str:
    """The cell that ``parse_relatives`` reads back as ``relatives``."""
    items = []
    for r in relatives:
        inside = ", ".join(p for p in (r.relation, r.id_number) if p)
        items.append(f"{r.name} ({inside})" if inside else r.name)
    return "; ".join(items)
