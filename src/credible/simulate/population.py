"""The FICTIONAL population and facilities: who the people are, where they were held.

Uyghur and Kazakh people are named by their own given name and their father's given
name (no inherited surname), which is why the "surnames" of a list repeat so often;
Hui people have a Chinese family name and a given name.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from credible.simulate import translit
from credible.simulate.captures import ETHNICITIES, HUI, KAZAKH, UYGHUR, Latents
from credible.simulate.tables import Counties, Tables

EPOCH_2017 = np.datetime64("2017-01-01")


@dataclass(frozen=True)
class Population:
    """One entry per person; ``given``/``father``/``family`` index into the name tables
    (-1 when the part does not exist)."""

    latents: Latents
    male: np.ndarray  # bool
    given: np.ndarray
    father: np.ndarray
    family: np.ndarray
    birth: np.ndarray  # datetime64[D]
    county: np.ndarray
    facility: np.ndarray  # index into Facilities
    detained: np.ndarray  # datetime64[D]

    def __len__(self) -> int:
        return len(self.male)


@dataclass(frozen=True)
class Facilities:
    external_id: np.ndarray
    kind: np.ndarray
    county: np.ndarray  # index into Counties
    names: dict[str, np.ndarray]  # script -> rendered name (en, han, uly, uey, kk, ru)
    lat: np.ndarray
    lon: np.ndarray
    security_tier: np.ndarray
    first_seen: np.ndarray  # datetime64[D]
    last_seen: np.ndarray  # datetime64[D] or NaT while still in use
    capacity: np.ndarray

    def __len__(self) -> int:
        return len(self.kind)


# (kind, English, Chinese, Uyghur in ULY, Kazakh) name patterns. {c}=county, {p}=prefecture,
# {n}=serial. Wording follows how such places are named officially and by witnesses.
_PATTERNS = {
    "camp": (
        "{c} No. {n} Vocational Skills Education and Training Centre",
        "{c}第{n}职业技能教育培训中心",
        "{c} {n}-kespiy maharet terbiyilesh merkizi",
        "{c} {n}-лагері",
    ),
    "detention_center": (
        "{c} Detention Centre No. {n}",
        "{c}第{n}看守所",
        "{c} {n}-tutup turush orni",
        "{c} {n}-тергеу изоляторы",
    ),
    "prison_high_security": (
        "{p} Prison No. {n}",
        "{p}第{n}监狱",
        "{p} {n}-türmisi",
        "{p} {n}-түрмесі",
    ),
    "factory": (
        "{c} Industrial Park No. {n}",
        "{c}第{n}工业园区",
        "{c} {n}-sanaet baghchisi",
        "{c} {n}-өнеркәсіп паркі",
    ),
}
_TIER = {"camp": 2, "detention_center": 3, "prison_high_security": 4, "factory": 1}
_CAPACITY = {"camp": 3000, "detention_center": 1500, "prison_high_security": 5000, "factory": 800}


def make_facilities(counties: Counties, rng: np.random.Generator) -> Facilities:
    """Fictional facilities: camps and a detention centre in every county, a prison in
    the first county of every prefecture, an industrial park here and there."""
    rows: list[tuple[str, int, int]] = []  # kind, county, serial
    seen_prefectures: set[str] = set()
    for c in range(len(counties)):
        for n in range(1 + int(rng.poisson(0.8))):
            rows.append(("camp", c, n + 1))
        rows.append(("detention_center", c, 1))
        pref = str(counties.prefecture_en[c])
        if pref not in seen_prefectures:
            seen_prefectures.add(pref)
            rows.append(("prison_high_security", c, 1))
        if rng.random() < 0.3:
            rows.append(("factory", c, 1))
    kinds = np.array([r[0] for r in rows], dtype=object)
    county = np.array([r[1] for r in rows], dtype=np.int64)
    names: dict[str, list[str]] = {s: [] for s in ("en", "han", "uly", "uey", "kk", "ru")}
    for kind, c, n in rows:
        en, han, uly, kk = _PATTERNS[kind]
        names["en"].append(en.format(c=counties.en[c], p=counties.prefecture_en[c], n=n))
        names["han"].append(han.format(c=counties.han[c], p=counties.prefecture_han[c], n=n))
        ug = uly.format(c=counties.uly[c], p=str(counties.prefecture_uly[c]).split()[0], n=n)
        names["uly"].append(ug)
        names["uey"].append(translit.to_arabic(ug))
        pk = translit.to_kazakh(str(counties.prefecture_uly[c]).split()[0])
        kz = kk.format(c=counties.kk[c], p=pk, n=n)
        names["kk"].append(kz)
        names["ru"].append(translit.kazakh_to_russian(kz))
    m = len(rows)
    # Camps were built in 2017-2018 (OHCHR 2022 §IV); prisons and detention centres earlier.
    built = np.where(
        kinds == "camp",
        rng.integers(0, 600, m),
        rng.integers(-3000, 0, m),
    )
    first_seen = EPOCH_2017 + built.astype("timedelta64[D]")
    closed = (kinds == "camp") & (rng.random(m) < 0.35)
    last = EPOCH_2017 + rng.integers(1000, 1800, m).astype("timedelta64[D]")
    last_seen = np.where(closed, last, np.datetime64("NaT"))
    base_cap = np.array([_CAPACITY[k] for k in kinds], dtype=float)
    capacity = np.round(base_cap * rng.lognormal(0.0, 0.5, m), -1).astype(np.int64)
    return Facilities(
        external_id=np.array([f"F-{i + 1:04d}" for i in range(m)], dtype=object),
        kind=kinds,
        county=county,
        names={k: np.array(v, dtype=object) for k, v in names.items()},
        lat=np.round(counties.lat[county] + rng.uniform(-0.08, 0.08, m), 5),
        lon=np.round(counties.lon[county] + rng.uniform(-0.08, 0.08, m), 5),
        security_tier=np.array([_TIER[k] for k in kinds], dtype=np.int64),
        first_seen=first_seen,
        last_seen=last_seen,
        capacity=capacity,
    )


def _counties_for(latents: Latents, counties: Counties, rng: np.random.Generator) -> np.ndarray:
    out = np.empty(len(latents), dtype=np.int64)
    for eth in (UYGHUR, KAZAKH, HUI):
        for leaked in (False, True):
            sel = np.flatnonzero((latents.ethnicity == eth) & (latents.leaked == leaked))
            if sel.size == 0:
                continue
            w = counties.weights[:, eth] * (counties.leaked == leaked)
            if w.sum() == 0:  # no county of that group and status: ignore the status
                w = counties.weights[:, eth].copy()
            w = w + 1e-3 * (counties.leaked == leaked)  # every group has somewhere to live
            out[sel] = rng.choice(len(counties), size=sel.size, p=w / w.sum())
    return out


def _facilities_for(
    county: np.ndarray, counties: Counties, facilities: Facilities, rng: np.random.Generator
) -> np.ndarray:
    """Mostly a facility of one's own county, else one of the same prefecture."""
    out = np.empty(len(county), dtype=np.int64)
    pref = counties.prefecture_en
    for c in range(len(counties)):
        sel = np.flatnonzero(county == c)
        if sel.size == 0:
            continue
        own = facilities.county == c
        same_pref = pref[facilities.county] == pref[c]
        w = facilities.capacity * (own * 4.0 + same_pref * 1.0)
        out[sel] = rng.choice(len(facilities), size=sel.size, p=w / w.sum())
    return out


def make_population(
    latents: Latents, tables: Tables, facilities: Facilities, rng: np.random.Generator
) -> Population:
    n = len(latents)
    eth = latents.ethnicity
    # Most detainees reported are men (OHCHR 2022 §IV); women are a large minority.
    male = rng.random(n) < 0.7
    given = np.full(n, -1, dtype=np.int64)
    father = np.full(n, -1, dtype=np.int64)
    family = np.full(n, -1, dtype=np.int64)
    g = tables.given
    for code, name in enumerate(ETHNICITIES):
        for is_male in (True, False):
            sel = np.flatnonzero((eth == code) & (male == is_male))
            if sel.size == 0:
                continue
            mask = (g.ethnicity == name) & (g.sex == ("male" if is_male else "female"))
            given[sel] = g.choose(mask, sel.size, rng)
        sel = np.flatnonzero(eth == code)
        if sel.size == 0:
            continue
        if code == HUI:
            family[sel] = tables.family.choose(np.ones(len(tables.family), bool), sel.size, rng)
        else:
            fathers = (g.ethnicity == name) & (g.sex == "male")
            father[sel] = g.choose(fathers, sel.size, rng)
            # Sons are seldom given their father's own name: draw those fathers again.
            same = sel[father[sel] == given[sel]]
            father[same] = g.choose(fathers, same.size, rng)
    age = np.clip(np.round(rng.normal(38, 12, n)), 18, 80).astype(np.int64)
    birth_year = (2018 - age - 1970).astype("datetime64[Y]")
    birth = birth_year.astype("datetime64[D]") + rng.integers(0, 365, n).astype("timedelta64[D]")
    county = _counties_for(latents, tables.counties, rng)
    facility = _facilities_for(county, tables.counties, facilities, rng)
    detained = EPOCH_2017 + rng.integers(60, 900, n).astype("timedelta64[D]")
    detained = np.maximum(detained, facilities.first_seen[facility])
    return Population(latents, male, given, father, family, birth, county, facility, detained)
