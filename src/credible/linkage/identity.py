"""Features of what real lists carry beside a name: the resident identity number, the
township and village, and the relatives a record names.

The number is read with ``credible.model`` (full-width digits, the 15-digit form and a
lowercase x normalised); the comparisons look at its first 17 digits, since the check
digit says nothing the others do not, and a number whose check digit was left off is
still the person's. Relatives' names are keyed with ``credible.names``, so that
买买提·艾力 named by a police file and Memet Eli named by a testimony meet.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Any

from credible.linkage import _names
from credible.model import check_id_number, parse_relatives

#: Words that say "township" or "village" in the lists' languages, left out of the
#: place's key so that 博斯坦乡 and Bostan yézisi meet.
_PLACE_WORDS = re.compile(
    r"(乡|镇|村|街道|township|town|village|yézisi|yezisi|kent|ауылдық округі|ауылдық округ"
    r"|округі|округ|ауылы|ауыл|аул|يېزىسى|كەنت|йезиси|кәнт|No\.)",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")


def id_features(values: Sequence[object]) -> dict[str, list[Any]]:
    """``id17`` (the first 17 digits), ``id_rb`` (region and birth date: 14 digits),
    ``id_parts`` (``id_rb`` and the birth date with the sequence number),
    ``id_sorted`` (the 17 digits in order, for transpositions), ``id_valid``, and what a
    valid number says of birth date and sex (``id_birth``, ``id_sex``)."""
    checks: dict[str, Any] = {}
    id17, rb, srt, valid, birth, sex = ([] for _ in range(6))
    for v in values:
        text = _text(v)
        c = checks.get(text)
        if c is None and text:
            c = checks[text] = check_id_number(text)
        norm = c.normalised if c is not None else None
        digits = norm[:17] if norm and len(norm) >= 17 and norm[:17].isdigit() else None
        id17.append(digits)
        rb.append(digits[:14] if digits else None)
        srt.append("".join(sorted(digits)) if digits else None)
        ok = bool(c is not None and c.valid)
        valid.append(ok if digits else None)
        birth.append(c.birth.isoformat() if ok and c is not None and c.birth else None)
        male = c.male if ok and c is not None else None
        sex.append(None if male is None else ("m" if male else "f"))
    return {
        "id17": id17,
        "id_rb": rb,
        # Two numbers one slip apart agree on region and birth date, or on birth date
        # and sequence number (a slip in the region code): a blocking key each.
        "id_parts": [[d[:14], "b" + d[6:]] if d else None for d in id17],
        "id_sorted": srt,
        "id_valid": valid,
        "id_birth": birth,
        "id_sex": sex,
    }


def place_features(township: Sequence[object], village: Sequence[object]) -> dict[str, list[Any]]:
    """``township_keys``: every name key of the township without its "township" word,
    and their skeletons that survive Chinese transcription (托格拉克 and Toghraq share
    only those); ``village_key``: the village's number where it has one (villages are numbered
    within a township), else its first name key."""
    towns = [_PLACE_WORDS.sub(" ", _text(v)).strip() or None for v in township]
    keys = _names.name_keys_many(towns)
    coarse = _names.cross_script_keys(keys)
    town_keys = [sorted({*k, *c}) or None for k, c in zip(keys, coarse, strict=True)]
    village_text = [_text(v) for v in village]
    numbers = [_DIGITS.findall(unicodedata.normalize("NFKC", v)) for v in village_text]
    plain = [
        None if n or not v else (_PLACE_WORDS.sub(" ", v).strip() or None)
        for v, n in zip(village_text, numbers, strict=True)
    ]
    plain_keys = _names.name_keys_many(plain)
    village_keys = [
        f"#{int(n[0])}" if n else (k[0] if k else None)
        for n, k in zip(numbers, plain_keys, strict=True)
    ]
    return {"township_keys": town_keys, "village_key": village_keys}


def relative_keys(cells: Sequence[object]) -> list[list[str] | None]:
    """Per record, keys of the relatives it names: for each relative a key of the given
    name paired with a key of the father's name (in either order, as the person's own
    name is blocked), and ``id:`` with the first 17 digits of any number given."""
    parsed = [parse_relatives(_text(c)) if _text(c) else [] for c in cells]
    flat = [r.name for rels in parsed for r in rels]
    split = _names.split_many(flat)
    firsts = [p[0] if p else None for p in split]
    lasts = [p[-1] if len(p) > 1 else None for p in split]
    k1 = iter(_names.name_keys_many(firsts))
    k2 = iter(_names.name_keys_many(lasts))
    out: list[list[str] | None] = []
    for rels in parsed:
        keys: set[str] = set()
        for r in rels:
            a, b = next(k1), next(k2)
            if b:
                keys |= {"|".join(sorted((x, y))) for x in a for y in b if x != y}
            else:
                keys |= {f"{x}|" for x in a}
            if r.id_number:
                digits = id_features([r.id_number])["id17"][0]
                if digits:
                    keys.add(f"id:{digits}")
        out.append(sorted(keys) or None)
    return out


def _text(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()
