"""The source lists of a FICTIONAL investigation, each in its own form, script and language.

A :class:`ListSpec` says how one list looks (headers in its own language, script of the
names, date format, encoding, noise); :func:`build_list` renders the records of the
people it documents and the mapping YAML that ``credible import`` takes for it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from credible.simulate import noise, rich, translit
from credible.simulate.families import Family
from credible.simulate.population import Facilities, Population
from credible.simulate.tables import Tables

FICTIONAL = "FICTIONAL"
FICTIONAL_COLUMN = "fictional"

# Script keys of the tables -> codes of the `scripts` vocabulary.
SCRIPT_CODES = {
    "han": "han",
    "uly": "uyghur_latin",
    "uey": "uyghur_arabic",
    "usy": "uyghur_cyrillic",
    "kk": "kazakh_cyrillic",
    "ru": "russian_cyrillic",
    "en": "latin",
}


@dataclass(frozen=True)
class Context:
    tables: Tables
    population: Population
    facilities: Facilities
    rng: np.random.Generator
    family: Family | None = None  # None: the lists without identity numbers (old form)


NotesFn = Callable[[Context, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ListSpec:
    key: str  # the capture-model ListForm key
    source: str
    filename: str
    format: str  # xlsx | json | csv | tsv
    script: str  # table script key
    headers: dict[str, str]  # field -> header, in column order; "fictional" last
    source_meta: dict[str, Any]
    encoding: str = "utf-8"
    delimiter: str = ","
    full_name: str | None = None  # None: separate parts; "han", "given_father", "upper_father"
    sex_values: dict[str, str] = field(default_factory=dict)  # raw -> vocab code
    ethnicity_values: dict[str, str] = field(default_factory=dict)
    date_format: str = "edtf"
    precision: dict[int, float] = field(default_factory=lambda: {noise.FULL: 1.0})
    detained_format: str = "edtf"
    typo: float = 0.05
    drop: float = 0.05  # father's name left out
    swap: float = 0.02  # given and father's name swapped
    dup: float = 0.04  # records that are a second record of a person already listed
    keyboard: float = 0.0  # Arabic-keyboard letter substitutions
    sex_missing: float = 0.02
    facility_missing: float = 0.2
    id_format: str = "{:06d}"
    records_path: str | None = None  # JSON: dotted path of the array
    residence_with_prefecture: bool = False  # Chinese household registration style
    notes: NotesFn | None = None
    rich: rich.RichSpec | None = None  # identity numbers, villages, relatives, repeats


def _pick(options: list[str], n: int, rng: np.random.Generator) -> np.ndarray:
    arr = np.empty(len(options), dtype=object)
    arr[:] = options
    return arr[rng.integers(0, len(options), n)]


def _where(mask: np.ndarray, a: np.ndarray, b: np.ndarray | str) -> np.ndarray:
    out = np.array(b, dtype=object) if not isinstance(b, str) else np.full(len(a), b, object)
    out[mask] = a[mask]
    return out


def _name_column(
    spec: ListSpec, ctx: Context, people: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Given, father's and family name of each record, rendered and noised."""
    rng, pop, t = ctx.rng, ctx.population, ctx.tables
    n = len(people)
    gi, fi, ki = pop.given[people], pop.father[people], pop.family[people]
    if spec.script == "en":
        variant = rng.choice(t.given.english.shape[0], size=n, p=[0.55, 0.15, 0.15, 0.15])
        given = t.given.english[variant, gi]
        father = _where(fi >= 0, t.given.english[variant, np.maximum(fi, 0)], "")
        family = _where(ki >= 0, t.family.english[0, np.maximum(ki, 0)], "")
    elif spec.script == "han" and ctx.family is not None and t.given.han is not None:
        # Each list writes a person's name in one of the transcriptions in use, the same
        # on every sheet of that list (from one registry), not always the usual one.
        salt = sum(map(ord, spec.key))
        variant = ((gi.astype(np.int64) * 7919 + people * 104729 + salt) % 10 < 3).astype(int)
        given = t.given.han[variant, gi]
        father_han = t.given.han[variant, np.maximum(fi, 0)]
        father = _where(fi >= 0, father_han, "")
        family = _where(ki >= 0, t.family.render[spec.script][np.maximum(ki, 0)], "")
    else:
        given = t.given.render[spec.script][gi]
        father = _where(fi >= 0, t.given.render[spec.script][np.maximum(fi, 0)], "")
        family = _where(ki >= 0, t.family.render[spec.script][np.maximum(ki, 0)], "")
    given = noise.typos(given, spec.typo, spec.script, rng)
    father = noise.typos(father, spec.typo / 2, spec.script, rng)
    if spec.keyboard:
        given = noise.arabic_keyboard(given, spec.keyboard, rng)
        father = noise.arabic_keyboard(father, spec.keyboard, rng)
    drop = rng.random(n) < spec.drop
    father = np.where(drop, "", father).astype(object)
    swap = (rng.random(n) < spec.swap) & (father != "")
    given, father = np.where(swap, father, given), np.where(swap, given, father)
    return given.astype(object), father.astype(object), family


def _full_names(spec: ListSpec, given: np.ndarray, father: np.ndarray, family: np.ndarray):
    out = np.empty(len(given), dtype=object)
    for i in range(len(given)):
        g, f, k = given[i], father[i], family[i]
        if spec.full_name == "han":
            out[i] = k + g if k else (f"{g}·{f}" if f else g)
        elif spec.full_name == "upper_father":
            out[i] = f"{(k or f).upper()} {g}".strip()
        else:
            out[i] = f"{k} {g}" if k else f"{g} {f}".strip()
    return out


def _sex(spec: ListSpec, ctx: Context, people: np.ndarray) -> np.ndarray:
    raw_of = {code: raw for raw, code in spec.sex_values.items()}
    male = ctx.population.male[people]
    out = np.where(male, raw_of.get("male", "male"), raw_of.get("female", "female"))
    return np.where(ctx.rng.random(len(people)) < spec.sex_missing, "", out).astype(object)


def build_list(
    spec: ListSpec, ctx: Context, captured: np.ndarray
) -> tuple[np.ndarray, dict[str, np.ndarray], dict[str, Any], dict[str, np.ndarray]]:
    """Records of one list: (person index of every row in order, header -> column,
    mapping, marks for the truth: ``rich`` columns per row, empty for the older
    lists). ``captured`` holds the indices of the people the list documents."""
    rng, pop, t, fac = ctx.rng, ctx.population, ctx.tables, ctx.facilities
    extra = spec.rich if ctx.family is not None else None
    if extra is not None and extra.repeats:
        people = np.repeat(captured, rich.repeat_counts(extra, len(captured), rng))
    else:
        dups = captured[rng.random(len(captured)) < spec.dup]
        people = np.concatenate([captured, dups])
    people = people[rng.permutation(len(people))]
    n = len(people)
    cols: dict[str, np.ndarray] = {}
    truth: dict[str, np.ndarray] = {}
    given, father, family = _name_column(spec, ctx, people)
    h = spec.headers
    if spec.full_name:
        cols[h["name"]] = _full_names(spec, given, father, family)
    else:
        cols[h["given_name"]] = given
        cols[h["father_name"]] = father
        if "family_name" in h:
            cols[h["family_name"]] = family
    if "sex" in h:
        cols[h["sex"]] = _sex(spec, ctx, people)
    if "ethnicity" in h:
        raw_of = {code: raw for raw, code in spec.ethnicity_values.items()}
        names = np.array([raw_of.get(e, e) for e in ("uyghur", "kazakh", "hui")], dtype=object)
        cols[h["ethnicity"]] = names[pop.latents.ethnicity[people]]
    if "birth_date" in h:
        birth = pop.birth[people]
        prec = noise.precisions(n, spec.precision, rng)
        if spec.date_format == "edtf":
            cols[h["birth_date"]] = noise.edtf(birth, prec, rng)
        else:
            birth = noise.clerical_date_errors(birth, 0.03, rng)
            cols[h["birth_date"]] = noise.strftime(birth, prec == noise.MISSING, spec.date_format)
    if "residence" in h:
        county = pop.county[people]
        home = t.counties.render(spec.script)[county]
        if spec.script == "han" and spec.residence_with_prefecture:
            home = t.counties.prefecture_han[county] + home
        cols[h["residence"]] = home
    if "facility" in h:
        script = "en" if spec.script in ("en", "usy") else spec.script
        names = fac.names[script][pop.facility[people]]
        missing = rng.random(n) < spec.facility_missing
        cols[h["facility"]] = np.where(missing, "", names).astype(object)
    if "detained" in h:
        det = pop.detained[people]
        if spec.detained_format == "edtf":
            prec = noise.precisions(
                n, {noise.FULL: 0.2, noise.MONTH: 0.4, noise.YEAR: 0.3, noise.MISSING: 0.1}, rng
            )
            cols[h["detained"]] = noise.edtf(det, prec, rng)
        else:
            cols[h["detained"]] = noise.strftime(det, rng.random(n) < 0.05, spec.detained_format)
    if "notes" in h:
        cols[h["notes"]] = spec.notes(ctx, people) if spec.notes else np.full(n, "", dtype=object)
    if "external_id" in h:
        ids = np.empty(n, dtype=object)
        ids[:] = [spec.id_format.format(i + 1) for i in range(n)]
        cols[h["external_id"]] = ids
    if extra is not None and ctx.family is not None:
        h = _rich_columns(spec, extra, ctx, people, cols, truth)
    cols[FICTIONAL_COLUMN] = np.full(n, FICTIONAL, dtype=object)
    order = [h[f] if f != FICTIONAL_COLUMN else f for f in h]
    ordered = {k: cols[k] for k in order if k in cols}
    return people, ordered, mapping_for(spec, h), truth


def _rich_columns(
    spec: ListSpec,
    extra: rich.RichSpec,
    ctx: Context,
    people: np.ndarray,
    cols: dict[str, np.ndarray],
    truth: dict[str, np.ndarray],
) -> dict[str, str]:
    """The columns of ``families`` this list carries; returns the headers, in order."""
    assert ctx.family is not None
    rng, fam, eh = ctx.rng, ctx.family, extra.headers
    if "id_number" in eh:
        cols[eh["id_number"]], truth["id_written"] = rich.id_numbers(extra, fam, people, rng)
    if "township" in eh or "village" in eh:
        town, village = rich.places(extra, spec.script, fam, people, rng)
        if "township" in eh:
            cols[eh["township"]] = town
        if "village" in eh:
            cols[eh["village"]] = village
    if "relatives" in eh:
        cells, named = rich.relatives(
            extra, spec.script, fam, ctx.tables, ctx.population.male, people, rng
        )
        cols[eh["relatives"]], truth["relatives_named"] = cells, named
    # Which record of the person this is in the list (1 = first), for the truth.
    order = np.argsort(people, kind="stable")
    sorted_people = people[order]
    first = np.r_[0, np.flatnonzero(sorted_people[1:] != sorted_people[:-1]) + 1]
    rank = np.arange(len(people)) - np.repeat(first, np.diff(np.r_[first, len(people)]))
    repeat = np.empty(len(people), dtype=np.int64)
    repeat[order] = rank + 1
    truth["repeat"] = repeat
    headers = {k: v for k, v in spec.headers.items() if k != FICTIONAL_COLUMN}
    return {**headers, **eh, FICTIONAL_COLUMN: FICTIONAL_COLUMN}


def mapping_for(spec: ListSpec, headers: dict[str, str] | None = None) -> dict[str, Any]:
    """The mapping YAML (as a dict) that imports this list, per docs/mapping.md."""
    columns: dict[str, Any] = {}
    code = SCRIPT_CODES[spec.script]
    for fld, header in (headers or spec.headers).items():
        if fld == FICTIONAL_COLUMN:
            continue
        if fld in ("name", "given_name", "father_name", "family_name"):
            columns[fld] = {"column": header, "script": code}
        elif fld == "sex" and spec.sex_values:
            columns[fld] = {"column": header, "values": dict(spec.sex_values)}
        elif fld == "ethnicity" and spec.ethnicity_values:
            columns[fld] = {"column": header, "values": dict(spec.ethnicity_values)}
        elif fld == "birth_date":
            columns[fld] = {"column": header, "date_format": spec.date_format}
        elif fld == "detained":
            columns[fld] = {"column": header, "date_format": spec.detained_format}
        elif fld == "notes":
            columns[fld] = [header, FICTIONAL_COLUMN]
        else:
            columns[fld] = header
    if "notes" not in columns:
        columns["notes"] = FICTIONAL_COLUMN
    mapping: dict[str, Any] = {"kind": "person_record", "format": spec.format}
    if spec.format != "xlsx":
        mapping["encoding"] = spec.encoding
    if spec.format in ("csv", "tsv"):
        mapping["delimiter"] = spec.delimiter
    if spec.records_path:
        mapping["records"] = spec.records_path
    mapping["source"] = dict(spec.source_meta)
    mapping["columns"] = columns
    mapping["constants"] = {"role": "victim"}
    return mapping


def english_notes(ctx: Context, people: np.ndarray) -> np.ndarray:
    """Interviewer's notes of the testimony archive: who informed, and from where."""
    rng, n = ctx.rng, len(people)
    relation = _pick(["brother", "sister", "son", "daughter", "cousin", "spouse", "nephew"], n, rng)
    spouse = np.where(ctx.population.male[people], "wife", "husband")
    relation = np.where(relation == "spouse", spouse, relation)
    city = _pick(
        ["Istanbul", "Almaty", "Amsterdam", "Munich", "Washington", "Sydney", "Tokyo"], n, rng
    )
    # Families lose contact when the person is taken; the interview comes later.
    lost = ctx.population.detained[people].astype("datetime64[Y]").astype(np.int64) + 1970
    year = lost + rng.integers(0, 3, n)
    out = np.empty(n, dtype=object)
    for i in range(n):
        out[i] = (
            f"Informant: {relation[i]} in {city[i]}; interviewed {year[i]}. "
            f"No contact with family since {lost[i]}."
        )
    return out


def _phrases(options: list[str]) -> NotesFn:
    def notes(ctx: Context, people: np.ndarray) -> np.ndarray:
        n = len(people)
        picked = _pick(options, n, ctx.rng)
        return np.where(ctx.rng.random(n) < 0.4, picked, "").astype(object)

    return notes


def police_notes(ctx: Context, people: np.ndarray) -> np.ndarray:
    """Remarks of the police spreadsheet; "family abroad" follows the informant network."""
    rng, n = ctx.rng, len(people)
    abroad = ctx.population.latents.network[people] & (rng.random(n) < 0.5)
    other = _pick(["", "", "", "重点人员", "已转押", "已判刑"], n, rng)
    return np.where(abroad, "家属在境外", other).astype(object)


UYGHUR_NOTES = _phrases(
    [
        translit.to_arabic(s)
        for s in ("a'ilisi bilen alaqe üzülgen", "lagérgha élip kétilgen", "türmige késilgen")
    ]
)
KAZAKH_NOTES = _phrases(
    ["Туыстарымен байланыс үзілген", "Лагерьге алынған", "Қазақстан азаматының туысы"]
)
RUSSIAN_NOTES = _phrases(
    ["Связь с родственниками прервана", "Задержан в лагерь", "Родственник гражданина РК"]
)
MEDIA_NOTES = _phrases(
    ["Named in a media report", "Family appeal on video", "Reported sentenced", "Via NGO"]
)
