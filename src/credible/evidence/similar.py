"""Near-duplicate images: the same photo, resized or re-encoded, held from two sources.

Each image's 64-bit perceptual hash (``imagehash.phash``: the signs of the low
frequencies of its DCT) survives scaling and JPEG recompression with a few bits
changed, while unrelated photos differ in about half of them (32). Two images within
``DEFAULT_MAX_DISTANCE`` bits are listed as near-duplicates.

Found across sources, that is a signal the two sources are not independent: one may
have taken the photo from the other. ``derived_from_suggestions`` turns such pairs into
suggestions for the sources' ``derived_from`` (the smaller copy, else the later one,
taken as the derived); it never sets it: an analyst decides, with ``credible source``.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select

from credible.store import Store, schema

#: Bits of 64 within which two images are called near-duplicates. Resized and
#: recompressed copies of one photo measure 0-6; unrelated photos 20-44 (docs/evidence.md).
DEFAULT_MAX_DISTANCE = 10
_CHUNK = 2048  # rows compared at once: 2048 x n booleans stay small


@dataclass(frozen=True)
class _Image:
    id: int
    phash: str
    source_id: int | None
    source: str
    name: str
    pixels: int
    acquired_at: str


@dataclass(frozen=True)
class NearDuplicate:
    a: int  # evidence ids, a < b
    b: int
    distance: int  # differing bits of 64
    source_a: str
    source_b: str
    name_a: str
    name_b: str

    @property
    def across_sources(self) -> bool:
        return self.source_a != self.source_b


@dataclass(frozen=True)
class DerivedSuggestion:
    source: str  # may be derived from ...
    derived_from: str
    pairs: tuple[tuple[int, int], ...]  # (evidence in source, evidence in derived_from)
    reason: str
    against: int = 0  # pairs whose copy points the other way


def _images(store: Store) -> list[_Image]:
    e, s = schema.evidence, schema.sources
    stmt = (
        select(e.c.id, e.c.phash, e.c.source_id, s.c.name, e.c.original_name, e.c.metadata)
        .add_columns(e.c.acquired_at)
        .outerjoin(s, s.c.id == e.c.source_id)
        .where(e.c.phash.is_not(None))
        .order_by(e.c.id)
    )
    out = []
    with store.read() as conn:
        for r in conn.execute(stmt):
            try:
                image = json.loads(r.metadata or "{}").get("image", {})
                pixels = int(image.get("width", 0)) * int(image.get("height", 0))
            except (ValueError, TypeError, AttributeError):
                pixels = 0
            out.append(
                _Image(
                    int(r.id),
                    r.phash,
                    r.source_id,
                    r.name or "",
                    r.original_name or "",
                    pixels,
                    r.acquired_at,
                )
            )
    return out


def _bits(hashes: Sequence[str]) -> np.ndarray:
    raw = np.frombuffer(b"".join(bytes.fromhex(h.zfill(16)) for h in hashes), dtype=np.uint8)
    return np.unpackbits(raw.reshape(len(hashes), 8), axis=1).astype(bool)


def near_duplicates(
    store: Store,
    ids: Sequence[int] = (),
    *,
    max_distance: int = DEFAULT_MAX_DISTANCE,
    across_sources: bool = True,
) -> list[NearDuplicate]:
    """Pairs of images within ``max_distance`` bits (involving one of ``ids`` when
    given), closest first; only pairs from two different sources unless
    ``across_sources`` is False."""
    images = _images(store)
    if len(images) < 2:
        return []
    bits = _bits([i.phash for i in images])
    wanted = set(ids)
    pairs: list[NearDuplicate] = []
    for start in range(0, len(images), _CHUNK):
        block = bits[start : start + _CHUNK]
        distance = (block[:, None, :] != bits[None, :, :]).sum(axis=2)
        for i, j in zip(*np.nonzero(distance <= max_distance), strict=True):
            a, b = images[start + int(i)], images[int(j)]
            if a.id >= b.id:
                continue
            if wanted and a.id not in wanted and b.id not in wanted:
                continue
            if across_sources and a.source_id == b.source_id:
                continue
            d = int(distance[i, j])
            pairs.append(NearDuplicate(a.id, b.id, d, a.source, b.source, a.name, b.name))
    return sorted(pairs, key=lambda p: (p.distance, p.a, p.b))


def _linked(parents: dict[int, int | None], x: int | None, y: int | None) -> bool:
    """Whether one source already derives (through any chain) from the other."""

    def chain(s: int | None) -> set[int]:
        seen: set[int] = set()
        while s is not None and s not in seen:
            seen.add(s)
            s = parents.get(s)
        return seen

    return x is not None and y is not None and (x in chain(y) or y in chain(x))


def derived_from_suggestions(
    store: Store, pairs: Sequence[NearDuplicate]
) -> list[DerivedSuggestion]:
    """For near-duplicates across sources not yet linked by ``derived_from``: which source
    may derive from which. In each pair the copy with fewer pixels (a resized copy is
    smaller), else the one acquired later, is taken as the derived; the pairs of two
    sources vote, and the suggestion says how many pairs point the other way. An analyst
    decides."""
    s = schema.sources
    with store.read() as conn:
        parents = {int(i): p for i, p in conn.execute(select(s.c.id, s.c.derived_from_id))}
    by_id = {i.id: i for i in _images(store)}
    votes: dict[tuple[str, str], list[tuple[int, int]]] = defaultdict(list)
    for pair in pairs:
        a, b = by_id.get(pair.a), by_id.get(pair.b)
        if a is None or b is None or a.source_id == b.source_id:
            continue
        if _linked(parents, a.source_id, b.source_id):
            continue
        if a.pixels != b.pixels:
            copy, original = (a, b) if a.pixels < b.pixels else (b, a)
        else:
            copy, original = (a, b) if a.acquired_at > b.acquired_at else (b, a)
        votes[(copy.source, original.source)].append((copy.id, original.id))
    out = []
    for x, y in sorted({tuple(sorted(k)) for k in votes}):
        forward, backward = votes.get((x, y), []), votes.get((y, x), [])
        (src, parent), found, against = (
            ((x, y), forward, backward)
            if len(forward) >= len(backward)
            else ((y, x), backward, forward)
        )
        why = f"{len(found)} pair(s) show its copy smaller or later"
        if against:
            why += f"; {len(against)} pair(s) point the other way"
        out.append(DerivedSuggestion(src, parent, tuple(found), why, len(against)))
    return out
