"""Realistic noise for FICTIONAL records: typos, variant characters, partial dates.

Every function takes arrays for a whole list and a seeded Generator; only the records
picked for noise go through a Python loop, so the cost scales with the noise rate.
"""

from __future__ import annotations

import numpy as np

from credible.simulate import translit

# Date precisions a record can give.
FULL, MONTH, YEAR, APPROX, MISSING = 0, 1, 2, 3, 4

_LATIN_NEAR = "aeiounmrlsktdhy"
_CYRILLIC_NEAR = "аеиоунмрлсктдй"
_ARABIC_NEAR = "اەىوۇنمرلسكتدي"


def _typo(word: str, alphabet: str, rng: np.random.Generator) -> str:
    if len(word) < 3:
        return word
    pos = int(rng.integers(1, len(word)))  # first letter is the one people get right
    op = int(rng.integers(0, 4))
    if op == 0:  # drop a letter
        return word[:pos] + word[pos + 1 :]
    if op == 1:  # double a letter
        return word[:pos] + word[pos] + word[pos:]
    if op == 2 and pos < len(word) - 1:  # swap two neighbours
        return word[:pos] + word[pos + 1] + word[pos] + word[pos + 2 :]
    return word[:pos] + alphabet[int(rng.integers(0, len(alphabet)))] + word[pos + 1 :]


def typos(values: np.ndarray, rate: float, script: str, rng: np.random.Generator) -> np.ndarray:
    """A copy of ``values`` with one typo in a ``rate`` share of the non-empty entries."""
    out = values.copy()
    hit = np.flatnonzero(rng.random(len(values)) < rate)
    if script == "han":
        variants = translit.han_variants()
        for i in hit:
            s = out[i]
            spots = [j for j, ch in enumerate(s) if ch in variants]
            if spots:
                j = spots[int(rng.integers(0, len(spots)))]
                alts = variants[s[j]]
                out[i] = s[:j] + alts[int(rng.integers(0, len(alts)))] + s[j + 1 :]
        return out
    alphabet = {"uey": _ARABIC_NEAR, "kk": _CYRILLIC_NEAR, "ru": _CYRILLIC_NEAR}.get(
        script, _CYRILLIC_NEAR if script == "usy" else _LATIN_NEAR
    )
    for i in hit:
        if out[i]:
            out[i] = _typo(out[i], alphabet, rng)
    return out


def arabic_keyboard(values: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Uyghur Arabic typed on an Arabic/Persian keyboard in a ``rate`` share of entries."""
    table = str.maketrans(translit.arabic_keyboard())
    out = values.copy()
    for i in np.flatnonzero(rng.random(len(values)) < rate):
        out[i] = out[i].translate(table)
    return out


def precisions(n: int, weights: dict[int, float], rng: np.random.Generator) -> np.ndarray:
    codes = np.array(list(weights), dtype=np.int8)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def _parts(dates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    y = dates.astype("datetime64[Y]").astype(np.int64) + 1970
    m = dates.astype("datetime64[M]").astype(np.int64) % 12 + 1
    d = (dates - dates.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def edtf(dates: np.ndarray, precision: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """Render dates as EDTF strings at each record's precision. An approximate year
    ("1985~") is off by up to two years, as remembered ages are."""
    y, m, d = _parts(dates)
    shift = rng.integers(-2, 3, len(dates))
    out = np.empty(len(dates), dtype=object)
    for i in range(len(dates)):
        p = precision[i]
        if p == FULL:
            out[i] = f"{y[i]:04d}-{m[i]:02d}-{d[i]:02d}"
        elif p == MONTH:
            out[i] = f"{y[i]:04d}-{m[i]:02d}"
        elif p == YEAR:
            out[i] = f"{y[i]:04d}"
        elif p == APPROX:
            out[i] = f"{y[i] + shift[i]:04d}~"
        else:
            out[i] = ""
    return out


def strftime(dates: np.ndarray, missing: np.ndarray, fmt: str) -> np.ndarray:
    """Full dates in a list's own format (``%Y``, ``%m``, ``%d`` only); '' where missing."""
    y, m, d = _parts(dates)
    template = fmt.replace("%Y", "{0:04d}").replace("%m", "{1:02d}").replace("%d", "{2:02d}")
    out = np.empty(len(dates), dtype=object)
    for i in range(len(dates)):
        out[i] = "" if missing[i] else template.format(y[i], m[i], d[i])
    return out


def clerical_date_errors(dates: np.ndarray, rate: float, rng: np.random.Generator) -> np.ndarray:
    """Some full dates wrong by a few days or a month (mis-keyed)."""
    hit = rng.random(len(dates)) < rate
    delta = rng.choice(np.array([-31, -1, 1, 10, 31]), size=len(dates))
    return np.where(hit, dates + delta.astype("timedelta64[D]"), dates)
