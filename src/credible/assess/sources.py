"""Sources by hand, their grades over time, and independence.

Two reports that go back to one informant are one source: a source's root is the source
it was ultimately compiled from, following ``derived_from`` to its end. Grades are
appended (``source_grades``) and mirrored on the source, both audited.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass

from sqlalchemy import Connection, select

from credible.errors import ConfigError, InputError, NotFoundError, Problem
from credible.model import vocabulary
from credible.store import Store, now, schema

CONFIDENTIALITY = ("public", "restricted", "confidential")
NAME_MAX = 200


@dataclass(frozen=True)
class Source:
    id: int
    name: str
    kind: str
    reliability: str
    derived_from_id: int | None
    confidentiality: str


def load_sources(conn: Connection) -> dict[int, Source]:
    s = schema.sources
    rows = conn.execute(
        select(s.c.id, s.c.name, s.c.kind, s.c.reliability, s.c.derived_from_id,
               s.c.confidentiality).order_by(s.c.id)
    )  # fmt: skip
    return {int(r[0]): Source(int(r[0]), r[1], r[2], r[3], r[4], r[5]) for r in rows}


def roots(sources: dict[int, Source]) -> dict[int, int]:
    """Each source's root (the source it was ultimately compiled from). A cycle in
    ``derived_from`` is an input error naming every source on it."""
    root: dict[int, int] = {}
    for start in sources:
        path: list[int] = []
        on_path: set[int] = set()
        node: int | None = start
        while node is not None and node not in root:
            if node in on_path:
                cycle = [*path[path.index(node) :], node]
                names = " -> ".join(sources[i].name for i in cycle)
                raise InputError(
                    [Problem("sources", None, "derived_from", "a chain that ends", names)],
                    f"the sources' derived_from links form a cycle: {names}",
                )
            on_path.add(node)
            path.append(node)
            parent = sources[node].derived_from_id if node in sources else None
            node = parent if parent in sources else None
        end = root[node] if node is not None else path[-1]
        for member in path:
            root[member] = end
    return root


def chain_reliability(sources: dict[int, Source]) -> dict[int, str]:
    """Each source's grade as a chain is as strong as its weakest link: a copy is never more
    reliable than what it copies (grades A best to F worst, so the worst is the maximum).
    Call ``roots`` first: it refuses cycles."""
    worst: dict[int, str] = {}

    def grade(i: int) -> str:
        if i not in worst:
            parent = sources[i].derived_from_id
            own = sources[i].reliability
            worst[i] = max(own, grade(parent)) if parent in sources else own
        return worst[i]

    for i in sources:
        grade(i)
    return worst


def _check(kind: str | None, reliability: str | None, confidentiality: str | None) -> None:
    problems = []
    if kind is not None and kind not in vocabulary("source_kinds"):
        problems.append(
            Problem("--kind", None, None, f"one of {vocabulary('source_kinds').describe()}", kind)
        )
    if reliability is not None and reliability not in vocabulary("reliability"):
        problems.append(Problem("--reliability", None, None, "a grade A to F", reliability))
    if confidentiality is not None and confidentiality not in CONFIDENTIALITY:
        problems.append(
            Problem("--confidentiality", None, None, f"one of {', '.join(CONFIDENTIALITY)}",
                    confidentiality)
        )  # fmt: skip
    if problems:
        raise InputError(problems, "the source was not added")


def _check_name(name: str) -> None:
    bad = (
        not name.strip()
        or name != name.strip()
        or len(name) > NAME_MAX
        or any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name)
    )
    if bad:
        raise InputError(
            [Problem("NAME", None, None, f"a source name of 1 to {NAME_MAX} visible characters")],
            "bad source name",
        )


def add_source(
    store: Store,
    actor: str,
    name: str,
    *,
    kind: str,
    reliability: str,
    derived_from: str | None = None,
    confidentiality: str = "restricted",
    description: str | None = None,
    rationale: str | None = None,
) -> int:
    """A source entered by hand (an interview series, an archive) with its first grade."""
    _check_name(name)
    _check(kind, reliability, confidentiality)
    s = schema.sources
    with store.write(actor) as uow:
        if uow.conn.execute(select(s.c.id).where(s.c.name == name)).scalar() is not None:
            raise ConfigError(f"a source named {name!r} exists already; grade it instead")
        parent = None
        if derived_from is not None:
            parent = uow.conn.execute(select(s.c.id).where(s.c.name == derived_from)).scalar()
            if parent is None:
                raise NotFoundError(f"no source named {derived_from!r} to derive {name!r} from")
        source_id = uow.insert(
            s,
            name=name,
            kind=kind,
            reliability=reliability,
            derived_from_id=parent,
            confidentiality=confidentiality,
            description=description,
            created_at=now(),
        )
        uow.insert(
            schema.source_grades,
            source_id=source_id,
            reliability=reliability,
            rationale=rationale or "graded when the source was added",
            actor=actor,
            at=now(),
        )
    return source_id


def grade_source(store: Store, actor: str, name: str, reliability: str, rationale: str) -> str:
    """Regrade a source: a new grade row (never an edit) and the source's grade mirrored,
    both audited. Returns the grade it had."""
    _check(None, reliability, None)
    if not rationale.strip():
        raise InputError([Problem("--rationale", None, None, "why the grade changes")])
    s = schema.sources
    with store.write(actor) as uow:
        row = uow.conn.execute(select(s.c.id, s.c.reliability).where(s.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no source named {name!r}")
        uow.insert(
            schema.source_grades,
            source_id=row.id,
            reliability=reliability,
            rationale=rationale,
            actor=actor,
            at=now(),
        )
        if row.reliability != reliability:
            uow.update(s, row.id, reliability=reliability)
    return str(row.reliability)
