"""Measuring ``same_name`` on a labelled set of published names.

The set (tests/data/names/names.csv) lists names of public figures as published in
several scripts. Positive pairs: two different renderings of one person. Negative
pairs: renderings of two different people, chosen without reference to our method:
every form combination of two people whose English-style spellings share a name part
closely (Jaro-Winkler >= 0.85 between any two parts after anyascii, e.g. Ehmetjan Qasim
and Mahinur Qasim), plus one seeded random combination for every other pair of people.
Baselines are lower-cased Levenshtein and Jaro-Winkler similarity on the raw strings
and on their unidecode / anyascii transliterations, each at its own best threshold
(highest recall with precision >= 0.98 on the pairs reported), plus Jaro-Winkler on
anyascii at the fixed threshold 0.85.
"""

from __future__ import annotations

import csv
import itertools
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from rapidfuzz.distance import JaroWinkler, Levenshtein

from credible.names.similarity import name_similarity_many

HARD_NEGATIVE_JW = 0.85
TARGET_PRECISION = 0.98


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    form_a: str
    form_b: str
    same: bool
    half: str = "dev"

    @property
    def forms(self) -> str:
        return "-".join(sorted((self.form_a, self.form_b)))


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(line for line in fh if not line.startswith("#")))


def _ascii(text: str) -> str:
    from anyascii import anyascii

    return anyascii(text).lower()


def load_pairs(path: Path, seed: int = 20261125) -> list[Pair]:
    rows = _read(path)
    people: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in rows:
        people[row["person"]].append(row)
    pairs = [
        Pair(x["name"], y["name"], x["form"], y["form"], True, half(person))
        for person, forms in people.items()
        for x, y in itertools.combinations(forms, 2)
    ]
    rng = np.random.default_rng(seed)
    for p, q in itertools.combinations(sorted(people), 2):
        if _share_part(people[p], people[q]):
            combos = list(itertools.product(people[p], people[q]))
        else:
            i = int(rng.integers(len(people[p])))
            j = int(rng.integers(len(people[q])))
            combos = [(people[p][i], people[q][j])]
        h = half(p) if half(p) == half(q) else "mixed"
        pairs += [Pair(x["name"], y["name"], x["form"], y["form"], False, h) for x, y in combos]
    return pairs


def half(person: str) -> str:
    """Fixed split of the people: design choices are looked at on 'dev' only; 'test' is
    the held-out half (pairs of people from both halves are 'mixed')."""
    return "dev" if zlib.crc32(person.encode()) % 2 == 0 else "test"


def _share_part(p: list[dict[str, str]], q: list[dict[str, str]]) -> bool:
    parts_p = {t for r in p if r["form"] == "adhoc" for t in _ascii(r["name"]).split()}
    parts_q = {t for r in q if r["form"] == "adhoc" for t in _ascii(r["name"]).split()}
    return any(
        JaroWinkler.normalized_similarity(a, b) >= HARD_NEGATIVE_JW
        for a in parts_p
        for b in parts_q
    )


def _baseline(prep: Callable[[str], str], metric: Callable[[str, str], float]):
    def score(a: list[str], b: list[str]) -> np.ndarray:
        return np.array([metric(prep(x), prep(y)) for x, y in zip(a, b, strict=True)])

    return score


def _unidecode(text: str) -> str:
    from unidecode import unidecode

    return unidecode(text).lower()


METHODS: dict[str, Callable[[list[str], list[str]], np.ndarray]] = {
    "credible.names": lambda a, b: name_similarity_many(a, b),
    "lev raw": _baseline(str.lower, Levenshtein.normalized_similarity),
    "jw raw": _baseline(str.lower, JaroWinkler.normalized_similarity),
    "lev unidecode": _baseline(_unidecode, Levenshtein.normalized_similarity),
    "jw unidecode": _baseline(_unidecode, JaroWinkler.normalized_similarity),
    "lev anyascii": _baseline(_ascii, Levenshtein.normalized_similarity),
    "jw anyascii": _baseline(_ascii, JaroWinkler.normalized_similarity),
    "jw anyascii@.85": _baseline(_ascii, JaroWinkler.normalized_similarity),
}
# Baselines at a fixed threshold instead of their best one (the reference point).
FIXED_THRESHOLDS = {"jw anyascii@.85": 0.85}


@dataclass
class MethodResult:
    name: str
    threshold: float
    precision: float
    recall: float
    by_forms: dict[str, tuple[float, float, int, int]] = field(default_factory=dict)


@dataclass
class Report:
    n_pos: int
    n_neg: int
    results: list[MethodResult]
    misses: list[tuple[str, str, float]]
    false_hits: list[tuple[str, str, float]]
    # credible.names match levels (MATCH_LEVELS): counts of positive and negative pairs
    levels: dict[str, tuple[int, int]] = field(default_factory=dict)


def _pr(pred: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    tp = int((pred & truth).sum())
    fp = int((pred & ~truth).sum())
    fn = int((~pred & truth).sum())
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return precision, recall


def best_threshold(scores: np.ndarray, truth: np.ndarray, target: float = TARGET_PRECISION):
    """Lowest threshold with precision >= target (the highest recall that keeps it)."""
    best = (float(scores.max()) + 1e-9, 1.0, 0.0)
    for t in np.unique(scores)[::-1]:
        p, r = _pr(scores >= t, truth)
        if p >= target and r >= best[2]:
            best = (float(t), p, r)
    return best


def evaluate(pairs: list[Pair], threshold: float | None = None) -> Report:
    from credible.names import SAME_NAME_THRESHOLD

    a = [p.a for p in pairs]
    b = [p.b for p in pairs]
    truth = np.array([p.same for p in pairs])
    forms = np.array([p.forms for p in pairs])
    results = []
    ours = None
    for name, method in METHODS.items():
        scores = method(a, b)
        if name == "credible.names":
            t = SAME_NAME_THRESHOLD if threshold is None else threshold
            ours = scores
        elif name in FIXED_THRESHOLDS:
            t = FIXED_THRESHOLDS[name]
        else:
            t = best_threshold(scores, truth)[0]
        pred = scores >= t
        p, r = _pr(pred, truth)
        res = MethodResult(name, t, p, r)
        for f in sorted(set(forms)):
            m = forms == f
            fp, fr = _pr(pred[m], truth[m])
            res.by_forms[f] = (fp, fr, int(truth[m].sum()), int((~truth[m]).sum()))
        results.append(res)
    assert ours is not None
    t = SAME_NAME_THRESHOLD if threshold is None else threshold
    misses = [(p.a, p.b, float(s)) for p, s in zip(pairs, ours, strict=True) if p.same and s < t]
    false_hits = [
        (p.a, p.b, float(s)) for p, s in zip(pairs, ours, strict=True) if not p.same and s >= t
    ]
    from credible.names import MATCH_LEVELS, name_match_level_many

    level = name_match_level_many(a, b, t)
    levels = {
        name: (int((truth & (level == i)).sum()), int((~truth & (level == i)).sum()))
        for i, name in enumerate(MATCH_LEVELS)
    }
    return Report(int(truth.sum()), int((~truth).sum()), results, misses, false_hits, levels)


def format_report(report: Report, show_errors: bool = True) -> str:
    lines = [f"pairs: {report.n_pos} positive, {report.n_neg} negative", ""]
    lines.append(f"{'method':<16}{'threshold':>10}{'precision':>10}{'recall':>8}")
    for r in report.results:
        lines.append(f"{r.name:<16}{r.threshold:>10.3f}{r.precision:>10.3f}{r.recall:>8.3f}")
    lines.append("")
    lines.append("recall (precision) per pair of forms; n = positive/negative pairs")
    names = [r.name for r in report.results]
    lines.append(f"{'forms':<18}{'n':>8}  " + "  ".join(f"{n:>15}" for n in names))
    for f in report.results[0].by_forms:
        _, _, npos, nneg = report.results[0].by_forms[f]
        cells = []
        for r in report.results:
            p, rc, _, _ = r.by_forms[f]
            cells.append(f"{rc:>6.2f} ({p:>5.2f})")
        lines.append(f"{f:<18}{f'{npos}/{nneg}':>8}  " + "  ".join(f"{c:>15}" for c in cells))
    if report.levels:
        lines.append("")
        lines.append("credible.names match level: positive / negative pairs")
        lines += [f"  {name:<10}{p:>6} / {n}" for name, (p, n) in report.levels.items()]
    if not show_errors:
        return "\n".join(lines)
    lines.append("")
    lines.append(f"credible.names misses ({len(report.misses)}):")
    lines += [f"  {s:.3f}  {a}  |  {b}" for a, b, s in sorted(report.misses, key=lambda x: x[2])]
    lines.append(f"credible.names false matches ({len(report.false_hits)}):")
    lines += [f"  {s:.3f}  {a}  |  {b}" for a, b, s in report.false_hits]
    return "\n".join(lines)
