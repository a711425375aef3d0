"""Similarity of two names in any scripts, one pair at a time or in bulk.

A name is read into parts (each part: phonetic keys of its Latin candidates). Parts
are compared by normalised Levenshtein similarity of their keys, the parts of the two
names are matched one-to-one in the best order (a Uyghur "surname" is the father's
given name and may come first or last), and the matched similarities are summed and
divided by ``min(n, m) + EXTRA_PART_WEIGHT * |n - m|``: a part missing from one record
costs 0.4 of a mismatched one — enough that a bare given name (Ilham: 0.71) is not
taken for the same name as a full one (Ilham Tohti), while a third part present in
only one record (a grandfather's name, a pen name) still leaves 0.83. A one-part name
is also compared with the other name's parts written together (Chinese names typed
without the middle dot).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import Levenshtein

from credible.names import parts as _parts
from credible.names.han import HAN_MARK

SAME_NAME_THRESHOLD = 0.75
"""``same_name`` is true when ``name_similarity >= SAME_NAME_THRESHOLD``. Chosen on the
labelled evaluation set in tests/data/names (see docs/names.md for how and the
precision/recall it gives)."""
EXTRA_PART_WEIGHT = 0.4
MIN_SKELETON = 3
"""Consonant skeletons shorter than this (Simayi: SM) say too little to match on."""
Part = tuple[tuple[str, float], ...]


@lru_cache(maxsize=1 << 18)
def compiled(name: str) -> tuple[tuple[Part, ...], ...]:
    """Per reading, the comparable parts (honorifics dropped) of ``name``."""
    out = []
    for reading in _parts.readings(name):
        comp = tuple(c for c in (_parts.comparable(p) for p in reading.parts) if c)
        out.append(comp)
    return tuple(out)


@lru_cache(maxsize=1 << 18)
def _joined_key(name: str, order: tuple[int, ...]) -> str:
    reading = _parts.readings(name)[0]
    from credible.names.latin import phonetic_key

    best = [p[0] for p in reading.parts if p]
    return phonetic_key("".join(best[i] for i in order if i < len(best)))


def skeleton(key: str) -> str:
    """The consonants of a phonetic key."""
    return key.translate(_NO_VOWELS)


_NO_VOWELS = str.maketrans("", "", "AIUY")


INITIAL_PENALTY = 0.25
"""Subtracted from the similarity of two parts whose keys begin with consonants of
different classes. The spellings of one name agree on its first consonant once the keys
have folded the letters that spellings vary on (q/k/g, p/f/b/v/w, d/t, s/sh/z/j/ch;
h and x are dropped, so Qasim and 哈斯木 Hasim both start with a vowel), so Gulshan and
Rushan (0.67 apart in letters) are two names. Chinese transcription also writes an
initial r with l (拉 la) and m and n alike, so those merge when a part was read from
characters. On the dev pairs, no true pair's best-matched parts differ so; 19 pairs of
different people's parts do."""
_INITIAL_CLASSES = {"Q": "K", "G": "K", "P": "B", "F": "B", "V": "B", "W": "B", "D": "T"} | {
    "s": "S",
    "Z": "S",
    "C": "S",
    "J": "S",
}
_LETTER_INITIALS = str.maketrans(_INITIAL_CLASSES)
_HAN_INITIALS = str.maketrans(_INITIAL_CLASSES | {"R": "L", "M": "N"})


def initial_class(key: str, han: bool = False) -> str:
    """Class of the first consonant of a phonetic key ('' when it starts with a vowel or
    y, which spellings add and drop: Yusup, Usup); ``han``: compared with a part read
    from Chinese characters."""
    first = key[:1]
    if first in "AIUY":
        return ""
    return first.translate(_HAN_INITIALS if han else _LETTER_INITIALS)


def initials_differ(ka: str, kb: str, han: bool = False) -> bool:
    a, b = initial_class(ka, han), initial_class(kb, han)
    return bool(a) and bool(b) and a != b


_HAN_FOLD = str.maketrans({"R": "L", "M": "N", "G": "K"})


@lru_cache(maxsize=1 << 16)
def han_fold(key: str) -> str:
    """A key with the consonants Chinese transcription writes alike made one: r and l
    (瓦尔迪 -waldi, 白克力 Bekri, 海来提 Gheyret), m and n, and the gutturals g and k."""
    return key.translate(_HAN_FOLD)


@lru_cache(maxsize=1 << 17)
def han_forms(key: str) -> tuple[str, str]:
    """``han_fold`` of a key and its consonant skeleton, compared when a part was read
    from Chinese characters (a skeleton of the folded key would match too much)."""
    return han_fold(key), skeleton(key)


def is_han(part: Part) -> bool:
    return bool(part) and part[-1][0] == HAN_MARK


@lru_cache(maxsize=1 << 17)
def part_similarity(pa: Part, pb: Part) -> float:
    """Best normalised Levenshtein similarity of the two parts' keys, less suffix penalties.

    When either part was read from Chinese characters, whose transcription does not keep
    Uyghur vowels apart nor r/l, m/n, g/k (``han_fold``), the folded keys and their
    consonant skeletons are compared instead.
    """
    han = is_han(pa) or is_han(pb)
    best = 0.0
    for ka, pen_a in pa:
        if ka == HAN_MARK:
            continue
        for kb, pen_b in pb:
            if kb == HAN_MARK:
                continue
            if han:
                # folding maps letter to letter, so the folded keys are at least as alike
                # as the keys: comparing them alone is enough
                (fa, sa), (fb, sb) = han_forms(ka), han_forms(kb)
                s = Levenshtein.normalized_similarity(fa, fb)
                if len(sa) >= MIN_SKELETON and len(sb) >= MIN_SKELETON:
                    s = max(s, Levenshtein.normalized_similarity(sa, sb))
            else:
                s = Levenshtein.normalized_similarity(ka, kb)
            if initials_differ(ka, kb, han):
                s -= INITIAL_PENALTY
            s = s - pen_a - pen_b
            if s > best:
                best = s
    if han:
        return han_mismatch(best)
    if not MISMATCH_FROM <= best < MISMATCH_BELOW:
        return best
    voiceless = max(
        Levenshtein.normalized_similarity(voiceless_key(ka), voiceless_key(kb))
        for ka, _ in pa
        for kb, _ in pb
    )
    return letters_mismatch(best, voiceless)


MISMATCH_BELOW = 0.75
MISMATCH_FROM = 0.5
MISMATCH_SLOPE = 3.0
"""Two parts read from letters (no Chinese characters, no Arabic-language spelling on
either side) whose similarity is in [MISMATCH_FROM, MISMATCH_BELOW) lose MISMATCH_SLOPE
times the shortfall of their ``voiceless_key`` similarity below MISMATCH_BELOW (below
MISMATCH_FROM a part adds too little to carry a name anyway). Spellings of one name read
from letters keep their consonants: of the dev halves' true pairs scored the same name,
15 of 722 have a matched pair of letter-read parts below 0.75. A different surname with
the same -ov/-bayev ending and a few letters in common scores 0.5-0.67 and carried a
shared given name over the threshold: FICTIONAL pairs of five common Kazakh given names
with 60 common surnames, 1,331 of 8,850 were taken for the same name, 204 now (Erlan
Satpayev / Erlan Zhabayev 0.81 -> 0.50, Mukhtar Auezov / Mukhtar Omarov 0.75 -> 0.50).
Chinese and Arabic-spelled readings lose letters in transcription and keep the score."""


HAN_MISMATCH_FROM = 0.4
HAN_MISMATCH_BELOW = 0.6
"""The same for a part read from Chinese characters, lower: transcription loses letters,
and true pairs' Chinese-read parts score down to 0.6 (16 of the dev halves' true pairs
have one in [0.6, 0.67), 2 in [0.5, 0.6)), while on the simulator's lists pairs of
different people with one part in common and a second in [0.5, 0.6) were taken for the
same name by the hundred."""


def han_mismatch(score: float) -> float:
    """``score`` of two parts, one read from characters, lowered in [HAN_MISMATCH_FROM,
    HAN_MISMATCH_BELOW) by MISMATCH_SLOPE times the shortfall."""
    if HAN_MISMATCH_FROM <= score < HAN_MISMATCH_BELOW:
        return max(0.0, score - MISMATCH_SLOPE * (HAN_MISMATCH_BELOW - score))
    return score


_VOICELESS = str.maketrans(
    {"B": "P", "D": "T", "Z": "s", "J": "C", "V": "P"} | dict.fromkeys("AIUYKG", None)
)


@lru_cache(maxsize=1 << 16)
def voiceless_key(key: str) -> str:
    """The consonants of a key that spellings of one name keep: voicing made one
    (Russian and Kazakh spellings differ in it: Satpayev / Sätbaev), vowels, y and the
    gutturals left out (Rebiye Qadeer / Robiya Qodir, Khasim / Qasimi, where kh is
    dropped and q kept)."""
    return key.translate(_VOICELESS)


def letters_mismatch(score: float, voiceless: float) -> float:
    """``score`` of two letter-read parts lowered by MISMATCH_SLOPE times the shortfall of
    their keys' similarity with voicing ignored (``voiceless``) below MISMATCH_BELOW."""
    return max(0.0, score - MISMATCH_SLOPE * max(0.0, MISMATCH_BELOW - voiceless))


def _assignment(sim: list[list[float]]) -> float:
    """Largest sum of a one-to-one matching of rows to columns (names have few parts)."""
    n, m = len(sim), len(sim[0])
    if n > m:
        sim = [list(col) for col in zip(*sim, strict=True)]
        n, m = m, n
    if m > 7:  # greedy beyond what exhaustive search can afford
        total, used = 0.0, set()
        for row in sim:
            j = max((j for j in range(m) if j not in used), key=lambda j: row[j])
            used.add(j)
            total += row[j]
        return total
    return max(
        sum(sim[i][j] for i, j in enumerate(perm)) for perm in itertools.permutations(range(m), n)
    )


def combine(matched: float, n: int, m: int) -> float:
    lo, hi = min(n, m), max(n, m)
    return min(1.0, matched / (lo + EXTRA_PART_WEIGHT * (hi - lo)))


TITLE_WEIGHT = 0.5
"""A title of the same class in both names (``title_classes`` of name_affixes.yml: Beg,
Haji, Damolla …) counts as this much of a matched part: Sabit Damolla / Sabit Damolla
Abdulbaqi 0.79 (a given name alone against a full name: 0.71), while Haji Memet Tursun /
Haji Memet Tohti stays different (0.73)."""


@lru_cache(maxsize=1 << 18)
def title_mask(name: str) -> int:
    """Bit mask of the title classes written in ``name`` (0 for most names)."""
    classes = _parts.affixes()["title_classes"]
    mask = 0
    for part in _parts.readings(name)[0].parts:
        for cand in part:
            mask |= classes.get(cand, 0)
    return mask


def with_titles(score: float, n: int, m: int, shared: int) -> float:
    """``score`` (of names of ``n`` and ``m`` comparable parts) with ``shared`` titles
    found in both counted as TITLE_WEIGHT of a matched part each."""
    lo, hi = min(n, m), max(n, m)
    denom = lo + EXTRA_PART_WEIGHT * (hi - lo)
    extra = TITLE_WEIGHT * shared
    return min(1.0, (score * denom + extra) / (denom + extra))


def _reading_similarity(ra: tuple[Part, ...], rb: tuple[Part, ...]) -> float:
    if not ra or not rb:
        return 0.0
    sim = [[part_similarity(pa, pb) for pb in rb] for pa in ra]
    return combine(_assignment(sim), len(ra), len(rb))


def _joined_similarity(single: str, multi: str) -> float:
    """A one-part name against the parts of another written together, in any order."""
    ones = [r[0] for r in compiled(single) if len(r) == 1]
    n = len(_parts.readings(multi)[0].parts)
    if not ones or n < 2 or n > 4:
        return 0.0
    best = 0.0
    for order in itertools.permutations(range(n)):
        key = _joined_key(multi, order)
        for one in ones:
            for k, pen in one:
                if k != HAN_MARK:
                    best = max(best, Levenshtein.normalized_similarity(k, key) - pen)
    return best


@lru_cache(maxsize=1 << 16)
def adjacent_joins(name: str) -> tuple[tuple[Part, ...], ...]:
    """The comparable parts of ``name`` (first reading, 3 to 5 parts) with each two
    neighbouring parts written together, one join at a time: a double given name is one
    word in some records and two in others (Kasymzhomart, Касим Жомарт; Muhammadamin,
    Muhammad Amin)."""
    return joins_of(_parts.readings(name)[0].parts)


@lru_cache(maxsize=1 << 16)
def joins_of(parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[Part, ...], ...]:
    """``adjacent_joins`` of a reading's parts (ranked Latin candidates of each)."""
    words = [(p, c) for p in parts if p for c in (_parts.comparable(p),) if c]
    if not 3 <= len(words) <= 5:
        return ()
    comps = tuple(c for _, c in words)
    out = []
    for i in range(len(words) - 1):
        (pa, _), (pb, _) = words[i], words[i + 1]
        joined: tuple[str, ...] = (pa[0] + pb[0],)
        if HAN_MARK in pa or HAN_MARK in pb:
            joined += (HAN_MARK,)
        part = _parts.comparable(joined)
        if part:
            out.append((*comps[:i], part, *comps[i + 2 :]))
    return tuple(out)


def joins_apply(score: float, n: int, m: int) -> bool:
    """Whether ``adjacent_joins`` may be tried for a pair of names of ``n`` and ``m`` parts
    that scores ``score`` as written: when the part counts differ, the longer has 3+ parts,
    and the names are near but not yet the same name."""
    return n != m and min(n, m) >= 2 and max(n, m) >= 3 and JOIN_FLOOR <= score < JOIN_BELOW


def join_fits(short: tuple[Part, ...], long_: tuple[Part, ...]) -> bool:
    """Whether a part of ``short`` is long enough to be two neighbouring parts of
    ``long_`` written together (its first key at least JOIN_LENGTH of their two keys):
    a cheap test that keeps the join for the names that can need it."""
    longest = max(len(p[0][0]) for p in short)
    shortest = min(len(x[0][0]) + len(y[0][0]) for x, y in itertools.pairwise(long_))
    return longest >= JOIN_LENGTH * shortest


JOIN_FLOOR = 0.4
JOIN_BELOW = SAME_NAME_THRESHOLD
JOIN_LENGTH = 0.85


def name_similarity(a: str, b: str) -> float:
    """Similarity in [0, 1] of two names in any scripts; symmetric; order of parts ignored."""
    ca, cb = compiled(a), compiled(b)
    shared = (title_mask(a) & title_mask(b)).bit_count()
    best = 0.0
    for ra in ca:
        for rb in cb:
            score = _reading_similarity(ra, rb)
            if shared and ra and rb:
                score = with_titles(score, len(ra), len(rb), shared)
            best = max(best, score)
    na, nb = len(ca[0]), len(cb[0])
    if joins_apply(best, na, nb) and join_fits(*((cb[0], ca[0]) if na > nb else (ca[0], cb[0]))):
        longer, short = (a, cb) if na > nb else (b, ca)
        for variant in adjacent_joins(longer):
            for rs in short:
                if rs:
                    score = _reading_similarity(variant, rs)
                    if shared:
                        score = with_titles(score, len(variant), len(rs), shared)
                    best = max(best, score)
    joined = 0.0
    if na == 1 and nb >= 2:
        joined = _joined_similarity(a, b)
    elif nb == 1 and na >= 2:
        joined = _joined_similarity(b, a)
    if joined and shared:
        joined = with_titles(joined, 1, 1, shared)
    return float(min(1.0, max(0.0, best, joined)))


@lru_cache(maxsize=1 << 18)
def name_containment(query: str, name: str) -> float:
    """How fully the parts of ``query`` are found in ``name``, in [0, 1], any scripts.

    What a search needs, where ``name_similarity`` is what linkage needs: a query of one
    part (Tursun) is not made less like Tursun Ahmat by the part it did not type. The
    parts are matched one-to-one in the best order, as in ``name_similarity``; the sum is
    divided by the query's parts, so that a query part the name lacks counts 0. A name
    written as one word (Chinese without the middle dot) is also compared with the
    query's parts written together.
    """
    cq, cn = compiled(query), compiled(name)
    best = 0.0
    for rq in cq:
        for rn in cn:
            if rq and rn:
                sim = [[part_similarity(pq, pn) for pn in rn] for pq in rq]
                best = max(best, _assignment(sim) / len(rq))
    if len(cn[0]) == 1 and len(cq[0]) >= 2:
        best = max(best, _joined_similarity(name, query))
    return float(min(1.0, max(0.0, best)))


def name_similarity_many(a_names: Sequence[str], b_names: Sequence[str]) -> np.ndarray:
    """``name_similarity`` of each pair ``(a_names[i], b_names[i])``, as a float64 array."""
    from credible.names._batch import similarity_many

    return similarity_many(a_names, b_names)


PART_NAME_THRESHOLD = 0.85
"""``name_match_level`` is "part" when the shorter name's parts are all found, in order,
among the longer name's with a mean part similarity of at least this."""
MATCH_LEVELS = ("different", "part", "same")
"""The levels of ``name_match_level``, weakest first (``name_match_level_many`` returns
their index)."""
_PART_PREFILTER = 0.4
"""A pair whose ``name_similarity`` is below this cannot reach PART_NAME_THRESHOLD: one
part of three found alone already scores 1 / (1 + 2 * EXTRA_PART_WEIGHT) = 0.56."""


def _in_order(sim: list[list[float]]) -> float:
    """Largest sum of a matching of every row to a distinct column, the columns in the
    rows' order (a dynamic programme over rows x columns)."""
    n, m = len(sim), len(sim[0])
    neg = float("-inf")
    best = [0.0] * (m + 1)  # best[j]: rows so far placed among the first j columns
    for i in range(n):
        new = [neg] * (m + 1)
        for j in range(i + 1, m + 1):
            new[j] = max(new[j - 1], best[j - 1] + sim[i][j - 1])
        best = new
    return best[m]


@lru_cache(maxsize=1 << 16)
def name_subset_similarity(a: str, b: str) -> float:
    """How fully the shorter of two names is found, in order, within the longer, in [0, 1].

    The parts of the name with fewer parts are matched to distinct parts of the other in
    the same order (or the reverse order: sources put the father's name first or last),
    and the mean of the matched part similarities is returned. A name and the same name
    with a father's or grandfather's name added, or a title the tables do not know,
    scores about 1; so does a Chinese rendering with and without the middle dot.
    """
    best = 0.0
    for ra in compiled(a):
        for rb in compiled(b):
            short, long_ = (ra, rb) if len(ra) <= len(rb) else (rb, ra)
            if not short:
                continue
            sim = [[part_similarity(ps, pl) for pl in long_] for ps in short]
            rev = [row[::-1] for row in sim]
            best = max(best, max(_in_order(sim), _in_order(rev)) / len(short))
    ca, cb = compiled(a), compiled(b)
    if len(ca[0]) == 1 and len(cb[0]) >= 2:
        best = max(best, _joined_similarity(a, b))
    elif len(cb[0]) == 1 and len(ca[0]) >= 2:
        best = max(best, _joined_similarity(b, a))
    return float(min(1.0, max(0.0, best)))


def name_match_level(a: str, b: str, threshold: float = SAME_NAME_THRESHOLD) -> str:
    """ "same" when ``name_similarity >= threshold`` (SAME_NAME_THRESHOLD); "part" when not,
    but one name is the other with parts left out (``name_subset_similarity >=
    PART_NAME_THRESHOLD``: Ilham / Ilham Tohti, Sabit Damolla / Sabit Damolla Abdulbaqi);
    "different" otherwise. A "part" match is weaker evidence than "same": a given name
    alone is shared by many people."""
    score = name_similarity(a, b)
    if score >= threshold:
        return "same"
    if score >= _PART_PREFILTER and name_subset_similarity(a, b) >= PART_NAME_THRESHOLD:
        return "part"
    return "different"


def name_match_level_many(
    a_names: Sequence[str], b_names: Sequence[str], threshold: float = SAME_NAME_THRESHOLD
) -> np.ndarray:
    """``name_match_level`` of each pair as an index into MATCH_LEVELS (int8 array)."""
    scores = name_similarity_many(a_names, b_names)
    out = np.where(scores >= threshold, 2, 0).astype(np.int8)
    for i in np.flatnonzero((scores >= _PART_PREFILTER) & (scores < threshold)).tolist():
        if name_subset_similarity(a_names[i], b_names[i]) >= PART_NAME_THRESHOLD:
            out[i] = 1
    return out
