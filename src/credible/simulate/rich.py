"""The columns of a list that come from ``families``: identity numbers written as real
lists write them (errors included), township and village, and the relatives a record
names. FICTIONAL, like everything the simulator writes; sources in docs/simulation.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from credible.model import id_number_15
from credible.simulate import translit
from credible.simulate.families import CHILD, FATHER, SIBLING, SPOUSE, TOWNSHIP_STEMS, Family
from credible.simulate.tables import Tables

#: How a written identity number can differ from the true one.
ID_ERRORS = ("substituted", "swapped", "fifteen", "full_width", "no_check")

#: Relation labels in the language of each script's lists.
RELATION_LABELS: dict[str, dict[int, dict[bool, str]]] = {
    "han": {
        FATHER: {True: "父亲", False: "父亲"},
        SIBLING: {True: "兄弟", False: "姐妹"},
        SPOUSE: {True: "丈夫", False: "妻子"},
        CHILD: {True: "儿子", False: "女儿"},
    },
    "en": {
        FATHER: {True: "father", False: "father"},
        SIBLING: {True: "brother", False: "sister"},
        SPOUSE: {True: "husband", False: "wife"},
        CHILD: {True: "son", False: "daughter"},
    },
    "uey": {
        FATHER: {True: "دادىسى", False: "دادىسى"},
        SIBLING: {True: "ئاكىسى", False: "ھەدىسى"},
        SPOUSE: {True: "ئېرى", False: "ئايالى"},
        CHILD: {True: "ئوغلى", False: "قىزى"},
    },
    "kk": {
        FATHER: {True: "әкесі", False: "әкесі"},
        SIBLING: {True: "ағасы", False: "әпкесі"},
        SPOUSE: {True: "күйеуі", False: "әйелі"},
        CHILD: {True: "ұлы", False: "қызы"},
    },
    "ru": {
        FATHER: {True: "отец", False: "отец"},
        SIBLING: {True: "брат", False: "сестра"},
        SPOUSE: {True: "муж", False: "жена"},
        CHILD: {True: "сын", False: "дочь"},
    },
}
RELATION_LABELS["uly"] = RELATION_LABELS["en"]  # the testimony archive is kept in English
RELATION_LABELS["usy"] = RELATION_LABELS["ru"]


@dataclass(frozen=True)
class RichSpec:
    """What one list carries of ``families``. ``headers``: field -> header of the new
    columns (id_number, township, village, relatives)."""

    headers: dict[str, str]
    id_share: float = 0.0  # records with an identity number
    id_errors: dict[str, float] = field(default_factory=dict)  # ID_ERRORS -> rate
    relatives: str = "none"  # "household": each relative with relative_rate; "testifier"
    relative_rate: float = 0.0
    relative_ids: float = 0.0  # share of named relatives given with their number
    village_share: float = 1.0
    repeats: dict[int, float] | None = None  # records per person -> probability


def repeat_counts(spec: RichSpec, n: int, rng: np.random.Generator) -> np.ndarray:
    """Records per person of a list that repeats people (a cache of several sheets)."""
    if not spec.repeats:
        return np.ones(n, dtype=np.int64)
    counts = np.array(list(spec.repeats), dtype=np.int64)
    p = np.array(list(spec.repeats.values()), dtype=float)
    return counts[rng.choice(len(counts), size=n, p=p / p.sum())]


def id_numbers(
    spec: RichSpec, family: Family, people: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """The numbers as the list writes them ("" where it gives none), and what was done
    to each ("absent", "", or one of ``ID_ERRORS``) for the truth."""
    n = len(people)
    true = family.id_number[people]
    given = rng.random(n) < spec.id_share
    out = np.where(given, true, "").astype(object)
    what = np.where(given, "", "absent").astype(object)
    u = rng.random(n)
    lo = 0.0
    for kind in ID_ERRORS:
        rate = spec.id_errors.get(kind, 0.0)
        hit = np.flatnonzero(given & (u >= lo) & (u < lo + rate))
        lo += rate
        for i in hit.tolist():
            if kind == "fifteen" and str(out[i])[6:8] != "19":
                continue  # only numbers of people born in the 1900s had 15 digits
            out[i] = _damage(str(out[i]), kind, rng)
            what[i] = kind
    return out, what


def _damage(number: str, kind: str, rng: np.random.Generator) -> str:
    if kind == "substituted":
        at = int(rng.integers(0, 17))
        digit = str((int(number[at]) + int(rng.integers(1, 10))) % 10)
        return number[:at] + digit + number[at + 1 :]
    if kind == "swapped":
        spots = [i for i in range(16) if number[i] != number[i + 1]]
        at = spots[int(rng.integers(0, len(spots)))]
        return number[:at] + number[at + 1] + number[at] + number[at + 2 :]
    if kind == "fifteen":
        return id_number_15(number)
    if kind == "full_width":
        return "".join(chr(ord(c) + 0xFEE0) for c in number)
    return number[:17]  # no_check


def places(
    spec: RichSpec, script: str, family: Family, people: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, np.ndarray]:
    """Township and village of each record in the list's script ("" where not given)."""
    stems = TOWNSHIP_STEMS
    town_idx = family.township[people]
    village = family.village[people]
    given = rng.random(len(people)) < spec.village_share
    if script == "han":
        towns = np.array([f"{h}乡" for _, h in stems], dtype=object)
        villages = np.array([f"{v}村" for v in village], dtype=object)
    elif script == "en":
        towns = np.array([f"{u} Township" for u, _ in stems], dtype=object)
        villages = np.array([f"Village {v}" for v in village], dtype=object)
    else:
        render = _uly_renderer(script)
        towns = np.array([render(f"{u} yézisi") for u, _ in stems], dtype=object)
        word = render("kent")
        villages = np.array([f"{v}-{word}" for v in village], dtype=object)
    return towns[town_idx], np.where(given, villages, "").astype(object)


def _uly_renderer(script: str) -> Callable[[str], str]:
    return {
        "uly": lambda s: s,
        "uey": translit.to_arabic,
        "usy": translit.to_uyghur_cyrillic,
        "kk": translit.to_kazakh,
        "ru": lambda s: translit.kazakh_to_russian(translit.to_kazakh(s)),
    }[script]


def relatives(
    spec: RichSpec,
    script: str,
    family: Family,
    tables: Tables,
    male: np.ndarray,
    people: np.ndarray,
    rng: np.random.Generator,
) -> tuple[np.ndarray, np.ndarray]:
    """The relatives cell of each record (``credible.model.format_relatives`` form) and,
    for the truth, the relations named ("father;sibling")."""
    n = len(people)
    cells = np.full(n, "", dtype=object)
    named = np.full(n, "", dtype=object)
    if spec.relatives == "none":
        return cells, named
    kinds = family.rel_kind[people]
    filled = kinds >= 0
    if spec.relatives == "testifier":
        # One relative, the one who testified: a random filled slot.
        score = np.where(filled, rng.random(filled.shape), -1.0)
        pick = np.zeros(filled.shape, dtype=bool)
        best = score.argmax(axis=1)
        pick[np.arange(n), best] = filled[np.arange(n), best]
        pick &= (rng.random(n) < spec.relative_rate)[:, None]
    else:
        pick = filled & (rng.random(filled.shape) < spec.relative_rate)
    names = tables.given.render["en" if script == "en" else script]
    english = tables.given.english[0]
    labels = RELATION_LABELS[script]
    rows, slots = np.nonzero(pick)
    ids = family.id_number
    items: dict[int, list[str]] = {}
    relations: dict[int, list[str]] = {}
    for r, s in zip(rows.tolist(), slots.tolist(), strict=True):
        kind = int(kinds[r, s])
        g = int(family.rel_given[people[r], s])
        f = int(family.rel_father[people[r], s])
        other = int(family.rel_person[people[r], s])
        table = english if script == "en" else names
        name = table[g] + (("·" if script == "han" else " ") + table[f] if f >= 0 else "")
        rel_male = kind in (FATHER,) or (other >= 0 and bool(male[other]))
        if kind == CHILD:
            rel_male = bool(tables.given.sex[g] == "male")
        inside = labels[kind][rel_male]
        if other >= 0 and rng.random() < spec.relative_ids:
            inside += f", {ids[other]}"
        items.setdefault(r, []).append(f"{name} ({inside})")
        relations.setdefault(r, []).append(("father", "sibling", "spouse", "child")[kind])
    for r, parts in items.items():
        cells[r] = "; ".join(parts)
        named[r] = ";".join(relations[r])
    return cells, named
