"""From person records to the columns the linkage model compares.

Every name-derived feature comes from ``credible.names`` (through ``_names``): names are
romanised to one canonical Latin form whatever script they were written in, and blocked
on phonetic keys, so that ئابدۇرېھىم and Abdurahim meet. The given name and the father's
name (or family name) are kept as two parts, ``n1`` and ``n2``; the comparisons look at
both orders because Uyghur lists write them either way round.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from credible.errors import InputError, Problem
from credible.linkage import _names, identity
from credible.linkage._gc import old_objects_frozen
from credible.linkage.facilities import facility_keys
from credible.linkage.places import county_ids

#: Columns ``prepare_records`` reads; any that is absent is treated as empty.
INPUT_COLUMNS = (
    "record_id",
    "source",
    "source_row",
    "name",
    "given_name",
    "father_name",
    "family_name",
    "sex",
    "birth_date",
    "birth_date_min",
    "birth_date_max",
    "birthplace",
    "residence",
    "ethnicity",
    "facility",
    "detained",
    "detained_min",
    "detained_max",
    "id_number",
    "township",
    "village",
    "relatives",
)

#: Every feature ``prepare_records`` returns, in order, with its kind: ``id`` (the record
#: id, int64), ``string`` (pandas strings), ``int`` (nullable Int64), ``boolean``,
#: ``keys`` (a list of key strings) or ``hashed keys`` (a list of 64-bit hashes of keys:
#: the comparisons only test such lists for a shared element, and copying lists of
#: strings into every compared pair took a third of the name comparison's time; 1e6
#: random pairs of a 10,000-record list: 3.3 s -> 2.3 s).
FEATURES: dict[str, str] = {
    "record_id": "id",
    "source": "string",
    "source_row": "int",
    "name_display": "string",
    "n1_rom": "string",
    "n2_rom": "string",
    "name_sorted": "string",
    "name_ordered": "string",
    "k1": "string",
    "k2": "string",
    "keys1": "hashed keys",
    "keys2": "hashed keys",
    "k12": "keys",
    "key_lo": "string",
    "key_hi": "string",
    "name_keys": "hashed keys",
    "name_key": "string",
    "key_pairs": "keys",
    "ckeys1": "hashed keys",
    "ckeys2": "hashed keys",
    "ckey_pairs": "keys",
    "ckeys": "hashed keys",
    "given_keys": "hashed keys",
    "name_han": "boolean",
    "sex": "string",
    "birth_year": "int",
    "birth_month": "int",
    "birth_day": "int",
    "birth_ymd": "string",
    "birth_days": "int",
    "birth_ymin": "int",
    "birth_ymax": "int",
    "birthplace_rom": "string",
    "birthplace_key": "string",
    "birthplace_county": "string",
    "residence_rom": "string",
    "residence_key": "string",
    "residence_county": "string",
    "ethnicity_norm": "string",
    "facility_key": "string",
    "facility_place": "string",
    "detained_day": "int",
    "detained_month": "int",
    "detained_lo": "int",
    "detained_hi": "int",
    "id17": "string",
    "id_rb": "string",
    "id_parts": "hashed keys",
    "id_sorted": "string",
    "id_valid": "boolean",
    "township_keys": "hashed keys",
    "village_key": "string",
    "rel_keys": "hashed keys",
}

#: Columns ``prepare_records`` returns, in order.
FEATURE_COLUMNS = tuple(FEATURES)
#: Features that are lists of keys (the rest are strings or integers).
LIST_COLUMNS = tuple(c for c, kind in FEATURES.items() if kind in ("keys", "hashed keys"))
#: Key lists held as 64-bit hashes of the keys.
OVERLAP_COLUMNS = tuple(c for c, kind in FEATURES.items() if kind == "hashed keys")
_DTYPES = {"id": "int64", "string": "string", "int": "Int64", "boolean": "boolean"}

_HAN = re.compile("[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_DATE = re.compile(r"^\s*(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?\s*$")
_YEAR_PREFIX = re.compile(r"^\s*(\d{4})")
_SEX = {"male": "m", "m": "m", "female": "f", "f": "f", "1": "m", "2": "f"}


@old_objects_frozen()
def prepare_records(df: pd.DataFrame) -> pd.DataFrame:
    """Compute the linkage features of person records.

    ``df`` holds one row per person record with the fields named in ``INPUT_COLUMNS``
    (``record_id`` is required: unique whole numbers). The result has one row per
    record, in the same order, with the columns of ``FEATURE_COLUMNS``.
    """
    ids = _check_ids(df)
    col = {c: _column(df, c, len(df)) for c in INPUT_COLUMNS}
    facilities = facility_keys(list(col["facility"]))
    idf = identity.id_features(list(col["id_number"]))
    # What a valid identity number says stands in for a birth date or sex the record
    # does not state; never over one it does.
    no_birth = [
        not (_present(e) or _present(lo) or _present(hi))
        for e, lo, hi in zip(
            col["birth_date"], col["birth_date_min"], col["birth_date_max"], strict=True
        )
    ]
    col["birth_date"] = pd.Series(
        [
            b if gap and b else e
            for e, b, gap in zip(col["birth_date"], idf["id_birth"], no_birth, strict=True)
        ],
        dtype="object",
    )
    sex = [_SEX.get(str(v).strip().lower()) if _present(v) else None for v in col["sex"]]
    sex = [s_ or i for s_, i in zip(sex, idf["id_sex"], strict=True)]
    out = pd.DataFrame(
        {
            "record_id": ids,
            "source": col["source"],
            "source_row": pd.to_numeric(col["source_row"]),
            **_name_features(col),
            "sex": sex,
            **_birth_dates(col["birth_date"], col["birth_date_min"], col["birth_date_max"]),
            **_place_features(col, "birthplace"),
            **_place_features(col, "residence"),
            "ethnicity_norm": [
                " ".join(str(v).lower().split()) if _present(v) else None for v in col["ethnicity"]
            ],
            "facility_key": [f.key if f else None for f in facilities],
            "facility_place": [f.place if f else None for f in facilities],
            **_detention_dates(col["detained"], col["detained_min"], col["detained_max"]),
            **{k: v for k, v in idf.items() if k in FEATURES},
            **identity.place_features(list(col["township"]), list(col["village"])),
            "rel_keys": identity.relative_keys(list(col["relatives"])),
        }
    )
    hashes = _key_hashes(out[c] for c in OVERLAP_COLUMNS)
    for c in OVERLAP_COLUMNS:
        out[c] = [list(map(hashes.__getitem__, keys)) if keys else None for keys in out[c]]
    for c, kind in FEATURES.items():
        if kind in _DTYPES:
            out[c] = out[c].astype(_DTYPES[kind])
    return out[list(FEATURE_COLUMNS)]


def _name_features(col: dict[str, pd.Series]) -> dict[str, list[Any]]:
    """The name as written and romanised, its parts and their keys (``credible.names``)."""
    n1_raw, n2_raw, all_parts = _name_parts(col)
    n1_rom = [_squash(v) for v in _names.romanize_many(n1_raw)]
    n2_rom = [_squash(v) for v in _names.romanize_many(n2_raw)]
    flat_rom = iter(_names.romanize_many([p for parts in all_parts for p in parts]))
    name_sorted = []
    for parts in all_parts:
        roms = sorted(r for r in (_squash(next(flat_rom)) for _ in parts) if r)
        name_sorted.append(" ".join(roms) or None)
    display = _display_names(col, all_parts)
    every_key = _names.name_keys_many([" ".join(p) if p else None for p in all_parts])
    return {
        "name_display": display,
        "n1_rom": n1_rom,
        "n2_rom": n2_rom,
        "name_sorted": name_sorted,
        # Both parts in written order: the exact-match level the name's term frequencies
        # hang on.
        "name_ordered": [
            f"{a} {b}" if a and b else None for a, b in zip(n1_rom, n2_rom, strict=True)
        ],
        **_key_features(_names.name_keys_many(n1_raw), _names.name_keys_many(n2_raw), every_key),
        # Written in Chinese characters: the only script whose renderings need the
        # coarse skeleton (in Latin or Arabic script Hesen and Yasin share it too).
        "name_han": [bool(_HAN.search(n)) if n else None for n in display],
    }


def _key_features(
    keys1: list[list[str]], keys2: list[list[str]], every_key: list[list[str]]
) -> dict[str, list[Any]]:
    """Blocking and comparison keys from the keys of each part and of the whole name."""
    k1 = [keys[0] if keys else None for keys in keys1]
    k2 = [keys[0] if keys else None for keys in keys2]
    key_lo, key_hi = [], []
    for a, b in zip(k1, k2, strict=True):
        pair = sorted(k for k in (a, b) if k)
        key_lo.append(pair[0] if pair else None)
        key_hi.append(pair[1] if len(pair) > 1 else None)
    # The same pairing on the coarse skeletons that survive Chinese transcription
    # (吐尔洪 and Turghun share TLN where their phonetic keys differ).
    ckeys1 = _names.cross_script_keys(keys1)
    ckeys2 = _names.cross_script_keys(keys2)
    return {
        "k1": k1,
        "k2": k2,
        # Every key of each part: a Chinese transcription has several readings, and one
        # of them usually shares a key with the same name in another script.
        "keys1": [k or None for k in keys1],
        "keys2": [k or None for k in keys2],
        # The first key of each part, for blocking on either part in either order.
        "k12": [sorted({k for k in (a, b) if k}) or None for a, b in zip(k1, k2, strict=True)],
        "key_lo": key_lo,
        "key_hi": key_hi,
        # Every key of the name, including each part's own: two names that share no key
        # of any part share none here (the name comparison's first test relies on it).
        "name_keys": [
            sorted({*e, *ka, *kb}) or None
            for e, ka, kb in zip(every_key, keys1, keys2, strict=True)
        ],
        "name_key": [
            " ".join(k for k in (lo, hi) if k) or None
            for lo, hi in zip(key_lo, key_hi, strict=True)
        ],
        # A key of the given name and a key of the father's (or family) name in common,
        # in either order: survives swapped order and most respellings, and is far more
        # selective than one shared key (everyone's father may be "Tohti"). Keys of the
        # same part are not paired: "MAMAT" and its skeleton "~MMT" are one piece of
        # evidence, and pairing them made blocks of thousands of Memets.
        "key_pairs": [
            sorted({_pair(a, b) for a in ka for b in kb if a != b}) or None
            for ka, kb in zip(keys1, keys2, strict=True)
        ],
        "ckeys1": [k or None for k in ckeys1],
        "ckeys2": [k or None for k in ckeys2],
        "ckey_pairs": [
            sorted({_pair(a, b) for a in ka for b in kb}) or None
            for ka, kb in zip(ckeys1, ckeys2, strict=True)
        ],
        "ckeys": [sorted({*a, *b}) or None for a, b in zip(ckeys1, ckeys2, strict=True)],
        # Every key and skeleton of the given name: a record that gives one name part
        # (a media report's "Gulmira") meets the records of its county whose given
        # name shares one (古丽米拉·阿卜杜拉, whose first key may be another reading).
        "given_keys": [sorted({*a, *b}) or None for a, b in zip(keys1, ckeys1, strict=True)],
    }


def _pair(a: str, b: str) -> str:
    """Two keys as one, in sorted order (``"|".join(sorted((a, b)))``, without building
    a list for each of the hundreds of thousands of pairs)."""
    return f"{a}|{b}" if a <= b else f"{b}|{a}"


def _place_features(col: dict[str, pd.Series], field: str) -> dict[str, list[str | None]]:
    """A place as romanised, its first name key and its county in the gazetteer."""
    values = list(col[field])
    return {
        f"{field}_rom": _names.romanize_many(values),
        f"{field}_key": _first_keys(col[field]),
        f"{field}_county": county_ids(values),
    }


def _key_hashes(columns: Iterable[Iterable[Sequence[str] | None]]) -> dict[str, int]:
    """Each distinct key of the lists in ``columns`` -> a stable signed 64-bit hash
    (Python's own ``hash`` differs between processes); every key hashed once."""
    distinct = {key for column in columns for keys in column if keys for key in keys}
    return {
        key: int.from_bytes(
            hashlib.blake2b(key.encode(), digest_size=8).digest(), "little", signed=True
        )
        for key in distinct
    }


def _first_keys(values: pd.Series) -> list[str | None]:
    return [keys[0] if keys else None for keys in _names.name_keys_many(list(values))]


def _check_ids(df: pd.DataFrame) -> pd.Series:
    """The record ids as int64; every missing, fractional, non-numeric or repeated id is
    an ``InputError``."""
    if "record_id" not in df.columns:
        raise InputError([Problem("person records", None, "record_id", "a record_id column")])
    ids = df["record_id"].reset_index(drop=True)
    missing = ids.isna().to_numpy()
    numbers = pd.to_numeric(ids, errors="coerce")
    whole = (numbers.notna() & (numbers == np.floor(numbers))).to_numpy()
    repeated = numbers.duplicated(keep="first").to_numpy() & whole
    problems = [
        Problem("person records", int(i) + 1, "record_id", "a record id")
        for i in np.flatnonzero(missing)
    ]
    problems += [
        Problem("person records", int(i) + 1, "record_id", "a whole number", ids.iloc[i])
        for i in np.flatnonzero(~missing & ~whole)
    ]
    problems += [
        Problem("person records", int(i) + 1, "record_id", "a unique record id", ids.iloc[i])
        for i in np.flatnonzero(repeated)
    ]
    if problems:
        raise InputError(problems, "person records cannot be linked: bad record ids")
    return numbers.astype("int64")


def _column(df: pd.DataFrame, name: str, n: int) -> pd.Series:
    if name in df.columns:
        return df[name].reset_index(drop=True)
    return pd.Series([None] * n, dtype="object")


def _present(v: object) -> bool:
    return (
        v is not None
        and v is not pd.NA
        and not (isinstance(v, float) and np.isnan(v))
        and (bool(str(v).strip()))
    )


@lru_cache(maxsize=1 << 16)  # every part twice over (alone and in the sorted name)
def _squash(v: str | None) -> str | None:
    # One part may romanise to several tokens ("abdu rehim"); spacing is not identity.
    # Diacritics are folded too: ad hoc Latin spellings never write ULY's ü, ö, é, so
    # "Gullhehre" was compared with "gülchéhre" and fell below the similarity bar.
    if v is None:
        return None
    folded = unicodedata.normalize("NFKD", v)
    text = "".join(ch for ch in folded if ch.isalnum() and not unicodedata.combining(ch))
    return text or None


def _name_parts(
    col: dict[str, pd.Series],
) -> tuple[list[str | None], list[str | None], list[list[str]]]:
    """Given name, father's or family name, and every name part of each record."""
    given = [str(v).strip() if _present(v) else None for v in col["given_name"]]
    father = [str(v).strip() if _present(v) else None for v in col["father_name"]]
    family = [str(v).strip() if _present(v) else None for v in col["family_name"]]
    full = [str(v).strip() if _present(v) else None for v in col["name"]]
    need_split = [i for i in range(len(full)) if full[i] and not (given[i] or father[i])]
    split = _names.split_many([full[i] for i in need_split])
    parts_of = dict(zip(need_split, split, strict=True))

    n1: list[str | None] = []
    n2: list[str | None] = []
    all_parts: list[list[str]] = []
    for i in range(len(full)):
        second = father[i] or family[i]
        if given[i] or second:
            n1.append(given[i])
            n2.append(second)
            all_parts.append([p for p in (given[i], father[i], family[i]) if p])
            continue
        parts = parts_of.get(i, [])
        n1.append(parts[0] if parts else None)
        n2.append(parts[-1] if len(parts) > 1 else None)
        all_parts.append(parts)
    return n1, n2, all_parts


def _display_names(col: dict[str, pd.Series], all_parts: Sequence[list[str]]) -> list[str | None]:
    return [
        str(v).strip() if _present(v) else (" ".join(p) or None)
        for v, p in zip(col["name"], all_parts, strict=True)
    ]


def _birth_dates(
    exact: pd.Series, low: pd.Series, high: pd.Series
) -> dict[str, pd.api.extensions.ExtensionArray]:
    """Year, month and day where the source states them, and the range of possible years.

    A date stated with a qualifier (``1985~``) or as a range keeps only its range.
    """
    year, month, day, ymin, ymax = ([] for _ in range(5))
    for e, lo, hi in zip(exact, low, high, strict=True):
        m = _DATE.match(str(e)) if _present(e) else None
        y = int(m.group(1)) if m else None
        year.append(y)
        month.append(int(m.group(2)) if m and m.group(2) else None)
        day.append(int(m.group(3)) if m and m.group(3) else None)
        y_lo = _year_of(lo) or y or _year_of(e)
        y_hi = _year_of(hi) or y or _year_of(e)
        ymin.append(y_lo)
        ymax.append(y_hi)
        if y is None and y_lo is not None and y_lo == y_hi and not _present(e):
            year[-1] = y_lo
    ymd = [
        f"{y:04d}-{m:02d}-{d:02d}" if y and m and d else None
        for y, m, d in zip(year, month, day, strict=True)
    ]
    return {
        "birth_ymd": pd.array(ymd, dtype="string"),
        "birth_days": pd.array(_day_numbers(pd.Series(ymd, dtype="object")), dtype="Int64"),
        "birth_year": pd.array(year, dtype="Int64"),
        "birth_month": pd.array(month, dtype="Int64"),
        "birth_day": pd.array(day, dtype="Int64"),
        "birth_ymin": pd.array(ymin, dtype="Int64"),
        "birth_ymax": pd.array(ymax, dtype="Int64"),
    }


def _detention_dates(
    written: pd.Series, low: pd.Series, high: pd.Series
) -> dict[str, pd.api.extensions.ExtensionArray]:
    """When the person was detained, as days since 1970: the day and the month where
    the source states them, and the first and last day it allows (an EDTF range)."""
    lo = _day_numbers(low)
    hi = _day_numbers(high)
    stated = [_DATE.match(str(v)) if _present(v) else None for v in written]
    as_written = _day_numbers(
        pd.Series([m.group(0).strip() if m and m.group(3) else None for m in stated])
    )
    day, month = [], []
    for m, a, b, d in zip(stated, lo, hi, as_written, strict=True):
        day.append(d if d is not None else (a if a is not None and a == b else None))
        month.append(int(m.group(1)) * 12 + int(m.group(2)) - 1 if m and m.group(2) else None)
    # A date written without its range (records prepared outside the store) is its own.
    lo = [d if v is None else v for v, d in zip(lo, day, strict=True)]
    hi = [d if v is None else v for v, d in zip(hi, day, strict=True)]
    return {
        "detained_day": pd.array(day, dtype="Int64"),
        "detained_month": pd.array(month, dtype="Int64"),
        "detained_lo": pd.array(lo, dtype="Int64"),
        "detained_hi": pd.array(hi, dtype="Int64"),
    }


def _day_numbers(values: pd.Series) -> list[int | None]:
    parsed = pd.to_datetime(values.astype("string"), errors="coerce", format="mixed")
    days = (parsed - pd.Timestamp("1970-01-01")).dt.days
    return [None if pd.isna(d) else int(d) for d in days]


def _year_of(v: object) -> int | None:
    if not _present(v):
        return None
    if hasattr(v, "year"):
        return int(v.year)
    m = _YEAR_PREFIX.match(str(v))
    return int(m.group(1)) if m else None
