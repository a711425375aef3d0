"""The simulator's data tables (names, counties), with every script rendering precomputed.

Each table is a set of parallel numpy arrays, so records are built by fancy indexing:
``names.render["uey"][given_idx]`` gives the Uyghur Arabic given name of every record.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from importlib import resources

import numpy as np

from credible.simulate import translit

ENGLISH_VARIANTS = 4  # ad hoc English spellings kept per name


def _read_csv(name: str) -> list[dict[str, str]]:
    text = (resources.files("credible.simulate") / "data" / name).read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    return list(csv.DictReader(lines))


def _obj(values: list[str]) -> np.ndarray:
    arr = np.empty(len(values), dtype=object)
    arr[:] = values
    return arr


@dataclass(frozen=True)
class NameTable:
    """Given names (Uyghur, Kazakh, Hui) or Hui family names, rendered in every script.

    ``render`` keys: ``uly`` (Uyghur Latin), ``uey`` (Uyghur Arabic), ``usy`` (Uyghur
    Cyrillic), ``kk`` (Kazakh Cyrillic), ``ru`` (Russian alphabet only), ``han``;
    ``english`` is (ENGLISH_VARIANTS, n): row 0 the commonest spelling.
    """

    ethnicity: np.ndarray  # str codes
    sex: np.ndarray  # "male" / "female" / ""
    weight: np.ndarray
    render: dict[str, np.ndarray]
    english: np.ndarray

    def __len__(self) -> int:
        return len(self.weight)

    def choose(self, mask: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
        """Draw ``size`` indices among the rows where ``mask`` holds, by weight."""
        idx = np.flatnonzero(mask)
        w = self.weight[idx]
        return idx[rng.choice(len(idx), size=size, p=w / w.sum())]


def _name_table(
    rows: list[tuple[str, str, str, str, str, float]], rng: np.random.Generator
) -> NameTable:
    eth, sex, uly, han, kk, weight = zip(*rows, strict=True) if rows else ((),) * 6
    kk_full = [k or translit.to_kazakh(u) for u, k in zip(uly, kk, strict=True)]
    render = {
        "uly": _obj([u.replace("'", "") for u in uly]),
        "uey": _obj([translit.to_arabic(u) for u in uly]),
        "usy": _obj([translit.to_uyghur_cyrillic(u) for u in uly]),
        "kk": _obj(kk_full),
        "ru": _obj([translit.kazakh_to_russian(k) for k in kk_full]),
        "han": _obj(list(han)),
    }
    english = np.empty((ENGLISH_VARIANTS, len(uly)), dtype=object)
    for j, u in enumerate(uly):
        english[:, j] = translit.english_variants(u, ENGLISH_VARIANTS, rng)
    return NameTable(
        _obj(list(eth)), _obj(list(sex)), np.array(weight, dtype=float), render, english
    )


@dataclass(frozen=True)
class Counties:
    key: np.ndarray
    uly: np.ndarray
    han: np.ndarray
    en: np.ndarray
    uey: np.ndarray
    usy: np.ndarray
    kk: np.ndarray
    ru: np.ndarray
    prefecture_uly: np.ndarray
    prefecture_han: np.ndarray
    prefecture_en: np.ndarray
    lat: np.ndarray
    lon: np.ndarray
    weights: np.ndarray  # (n, 3): uyghur, kazakh, hui
    leaked: np.ndarray  # bool

    def __len__(self) -> int:
        return len(self.key)

    def render(self, script: str) -> np.ndarray:
        return {
            "uly": self.uly,
            "han": self.han,
            "en": self.en,
            "uey": self.uey,
            "usy": self.usy,
            "kk": self.kk,
            "ru": self.ru,
        }[script]


def _counties() -> Counties:
    rows = _read_csv("counties.csv")
    uly = [r["uly"] for r in rows]
    kk = [r["kk"] or translit.to_kazakh(r["uly"]) for r in rows]
    return Counties(
        key=_obj([r["key"] for r in rows]),
        uly=_obj(uly),
        han=_obj([r["han"] for r in rows]),
        en=_obj([r["en"] for r in rows]),
        uey=_obj([translit.to_arabic(u) for u in uly]),
        usy=_obj([translit.to_uyghur_cyrillic(u) for u in uly]),
        kk=_obj(kk),
        ru=_obj([translit.kazakh_to_russian(k) for k in kk]),
        prefecture_uly=_obj([r["prefecture_uly"] for r in rows]),
        prefecture_han=_obj([r["prefecture_han"] for r in rows]),
        prefecture_en=_obj([r["prefecture_en"] for r in rows]),
        lat=np.array([float(r["lat"]) for r in rows]),
        lon=np.array([float(r["lon"]) for r in rows]),
        weights=np.array(
            [[float(r["w_uyghur"]), float(r["w_kazakh"]), float(r["w_hui"])] for r in rows]
        ),
        leaked=np.array([r["leaked"] == "1" for r in rows]),
    )


@dataclass(frozen=True)
class Tables:
    given: NameTable  # Uyghur, Kazakh and Hui given names
    family: NameTable  # Hui family names
    counties: Counties


def load_tables(rng: np.random.Generator) -> Tables:
    """Load the data tables; ``rng`` draws the ad hoc English spelling variants."""
    given_rows = [
        (r["ethnicity"], r["sex"], r["uly"], r["han"], r["kk"], float(r["weight"]))
        for r in _read_csv("given_names.csv")
    ]
    hui = _read_csv("hui_names.csv")
    given_rows += [
        ("hui", r["sex"], r["pinyin"], r["han"], "", float(r["weight"]))
        for r in hui
        if r["part"] == "given"
    ]
    family_rows = [
        ("hui", "", r["pinyin"], r["han"], "", float(r["weight"]))
        for r in hui
        if r["part"] == "family"
    ]
    return Tables(_name_table(given_rows, rng), _name_table(family_rows, rng), _counties())


#: The scripts ``given_name_forms`` renders, by code of the ``scripts`` vocabulary.
NAME_FORM_SCRIPTS = {
    "uyghur_latin": "uly",
    "uyghur_arabic": "uey",
    "uyghur_cyrillic": "usy",
    "kazakh_cyrillic": "kk",
    "russian_cyrillic": "ru",
    "han": "han",
    "latin": "en",
}


def given_name_forms() -> dict[str, dict[str, str]]:
    """Each given name of the tables (keyed as ``truth/people.csv`` writes it, in
    Uyghur Latin) as the simulator writes it in every script, by ``scripts`` code; the
    English form is the commonest ad hoc spelling. For benchmarks of cross-script search."""
    t = load_tables(np.random.default_rng(0))  # the rng draws only the rarer English forms
    out: dict[str, dict[str, str]] = {}
    for i, uly in enumerate(t.given.render["uly"]):
        forms = {
            code: str(t.given.render[key][i])
            for code, key in NAME_FORM_SCRIPTS.items()
            if key != "en"
        }
        forms["latin"] = str(t.given.english[0, i])
        out.setdefault(str(uly), forms)
    return out
