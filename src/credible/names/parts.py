"""Splitting names into parts and reading each part into comparable Latin forms."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from credible.names import arabic, han, kazakh_arabic, script
from credible.names._tables import affixes, cyrillic_latin, han_lookalikes
from credible.names.latin import canonical_latin, phonetic_key
from credible.names.uyghur import normalize_uey, uey_to_uly, usy_to_uly

SUFFIX_PENALTY = 0.05
"""Subtracted from a part's similarity when it matches only after removing a suffix
(-jan, -xan, -uly, -ova...)."""

_SPLIT = re.compile(r"[\s,;/()\[\]،]+")
_MIN_STEM = 3
# Names that need no more than str.split(): no separators, no Chinese characters.
_PLAIN = re.compile(r"[^,;/()\[\]،·•・‧∙⋅･.．\u3400-\u9fff\uf900-\ufaff]*")


def split_name(name: str) -> list[str]:
    """The parts of a name as written: Chinese names on the middle dot, others on spaces."""
    # the common case: letters and spaces only (the ASCII test first: it is much faster)
    if (name.isascii() and name.replace(" ", "").isalpha()) or _PLAIN.fullmatch(name):
        return name.split()
    name = _fold_radicals(name)
    parts: list[str] = []
    for token in _SPLIT.split(name.strip()):
        if token:
            parts.extend(_split_token(token))
    return parts


_RADICALS = re.compile(r"[\u2e80-\u2fdf]")


def _fold_radicals(name: str) -> str:
    """CJK radicals typed for whole characters (⻢ for 马) read as those characters."""
    if not _RADICALS.search(name):
        return name
    return unicodedata.normalize("NFKC", name).translate(han_lookalikes())


@lru_cache(maxsize=1 << 18)
def _split_token(token: str) -> tuple[str, ...]:
    if any(s in token for s in script.HAN_SEPARATORS) or script.blocks(token) == {"han"}:
        return tuple(han.split_han(token))
    return (token,)


_CYR_VOWELS = set("аәеёиоөуұүыіэюяъь")


def _cyrillic_w(text: str, i: int, kazakh: bool) -> bool:
    """у read as w: after a vowel, in Kazakh (Сәуле Säwle, Сауытбай Sawutbay) and in
    the Russian renderings of Turkic names, which write the diphthong so (Сауле Sawle,
    Даурен Dawren, Гаухар Gawhar, Ауезов Awezov); after another у (Абдууали Abduwali);
    starting a word before a vowel (Уали Wali), where no Russian word has u; and in
    Kazakh before any vowel, since Kazakh writes the vowel u with ұ and ү and у is
    always w there (Әнуәр Änwär)."""
    prev = text[i - 1] if i > 0 else ""
    nxt = text[i + 1] if i + 1 < len(text) else ""
    if prev in _CYR_VOWELS and prev not in "уъь":
        return True
    if kazakh and nxt != "" and nxt in _CYR_VOWELS and nxt not in "уъь":
        return True
    return prev == "у" or (not prev.isalpha() and nxt != "" and nxt in "аәеиэ")


def _w_after_vowel(token: str) -> str:
    """A name detected as Uyghur Cyrillic with у beside a vowel, read with в (w) there:
    Uyghur writes w as в and avoids two vowels in a row, so such a у is the w of a
    Kazakh or Russian-style spelling that shares ә with Uyghur (Сәуле Säwle, Дәурен
    Däwren, Әнуәр Änwär), which script detection cannot tell apart. The same test as
    Kazakh's (``_cyrillic_w``)."""
    lower = "".join(ch.lower()[0] for ch in token)  # one letter each (İ lowers to two)
    return "".join(
        ("В" if ch.isupper() else "в") if c == "у" and _cyrillic_w(lower, i, kazakh=True) else ch
        for i, (ch, c) in enumerate(zip(token, lower, strict=True))
    )


def _cyrillic_to_latin(text: str, kazakh: bool = False) -> str:
    table = cyrillic_latin()
    text = text.lower().replace("дж", "j")
    out: list[str] = []
    for i, ch in enumerate(text):
        # BGN/PCGN: е is ye at the start of a word and after a vowel (Nazarbayev), not
        # after a у read as w (Ауезов Awezov)
        after_vowel = i > 0 and text[i - 1] in _CYR_VOWELS and out[-1] != "w"
        if ch == "е" and (i == 0 or after_vowel or not text[i - 1].isalpha()):
            out.append("ye")
        elif ch == "у" and _cyrillic_w(text, i, kazakh):
            out.append("w")
        else:
            out.append(table.get(ch, ch))
    return "".join(out)


def latin_of(token: str, code: str | None = None) -> str:
    """One non-Chinese token (or run of tokens) in canonical Latin, lower case."""
    code = code or script.detect_script(token)
    if code == script.UYGHUR_ARABIC:
        folded = unicodedata.normalize("NFKC", token)
        if arabic.is_arabic_orthography(folded):
            text = " ".join(arabic.read_arabic(w) for w in folded.split())
        else:
            text = uey_to_uly(normalize_uey(token))
    elif code == script.UYGHUR_CYRILLIC:
        text = usy_to_uly(_w_after_vowel(token))
    elif code in (script.KAZAKH_CYRILLIC, script.RUSSIAN_CYRILLIC):
        text = _cyrillic_to_latin(token, kazakh=code == script.KAZAKH_CYRILLIC)
    else:
        text = token
    return canonical_latin(text)


@dataclass(frozen=True)
class Reading:
    """One way of reading a whole name: its parts, each with ranked Latin candidates."""

    parts: tuple[tuple[str, ...], ...]

    @property
    def best(self) -> list[str]:
        return [p[0] for p in self.parts if p]


@lru_cache(maxsize=1 << 18)
def token_readings(
    token: str,
    code: str | None = None,
    dotted: bool = False,
    arabic_name: bool = False,
    kazakh: bool = False,
) -> tuple[tuple[tuple[str, ...], ...], ...]:
    """Ranked readings of one token (a part as written): each a tuple of parts, each
    part a tuple of ranked Latin candidates (lower case). Only a short dotless Chinese
    name has more than one reading (pinyin, transcription). ``arabic_name``: the token
    belongs to a name written the Arabic/Persian way (``arabic.is_arabic_name``);
    ``kazakh``: to a name in the Kazakh Arabic alphabet (``kazakh_spelled``)."""
    token_code = code if code not in (None, script.MIXED) else script.detect_script(token)
    if token_code == script.HAN:
        return tuple(tuple(r) for r in han.readings(token, dotted))
    if token_code == script.UYGHUR_ARABIC:
        title = arabic.title_latin(token)
        if title is not None:  # a title in Persian or Arabic spelling (بیگ, خواجه)
            return (((title,),),)
        if kazakh:
            latin = canonical_latin(kazakh_arabic.kazakh_arabic_latin(token))
            return (tuple((w,) for w in latin.split()),)
        folded = unicodedata.normalize("NFKC", token)
        if arabic_name or arabic.is_arabic_orthography(folded):
            # Arabic-language spelling leaves short vowels out: compare on consonants too
            return (
                tuple(
                    (
                        *(canonical_latin(r) for r in arabic.arabic_readings(w, arabic_name)),
                        han.HAN_MARK,
                    )
                    for w in folded.split()
                ),
            )
    latin = latin_of(token, token_code)
    parts: list[tuple[str, ...]] = []
    for word in latin.split():
        if token_code in (script.LATIN, None):
            part = _pinyin_part(word)
            if len(part) == 1 and word.endswith("x") and token[-2:].lower() == "kh":
                # English has neither Uyghur x nor q and spells both kh at the end of a
                # word (Abakh Khoja for Apaq Xoja, 阿帕克 with 克 for q): read as q too
                part = (word, word[:-1] + "q")
            parts.append(part)
        else:
            parts.append((word,))
    return (tuple(parts),)


_PINYIN_CANDIDATES = 4


@lru_cache(maxsize=1 << 18)
def _pinyin_part(word: str) -> tuple[str, ...]:
    """A Latin word as written, plus its readings through the transcription table when
    it can be the pinyin of a Chinese rendering (Maimaiti -> memet). Tone numbers
    (mai3mai4ti2) mark syllable ends and are not part of the word."""
    cands = [c for c in han.pinyin_readings(word) if c != word]
    if not cands:
        return (word,)
    if any(ch.isdigit() for ch in word):
        word = "".join(ch for ch in word if not ch.isdigit())
    return (word, *cands[:_PINYIN_CANDIDATES], han.HAN_MARK)


@lru_cache(maxsize=1 << 16)
def _syllable(token: str) -> bool:
    """Whether a written token is one pinyin syllable of the transcription table (tone
    marks and a tone number allowed): Mai, Mài, mai3."""
    if len(token) > 7 or not token[:1].isalpha():
        return False
    if han.is_pinyin_syllable(token):
        return True
    if token.isascii():
        return token[-1:] in "12345" and han.is_pinyin_syllable(token.rstrip("12345"))
    if script.blocks(token) != {"latin"}:
        return False
    return han.is_pinyin_syllable(canonical_latin(token).rstrip("12345"))


_MIN_RUN = 3
"""Syllables written apart are joined from three on (Mai Mai Ti): two may be a Han name
(Ma Jun), which is read as surname and given name."""


def syllable_run(tokens: list[str]) -> bool:
    """Whether three neighbouring tokens are single pinyin syllables (Mai Mai Ti)."""
    return syllable_run_of(map(_syllable, tokens))


def syllable_run_of(is_syllable: Iterable[bool]) -> bool:
    """``syllable_run`` from whether each token is a single syllable (``_syllable``),
    for a caller that knows it already."""
    run = 0
    for flag in is_syllable:
        run = run + 1 if flag else 0
        if run >= _MIN_RUN:
            return True
    return False


@lru_cache(maxsize=1 << 16)
def _pinyin_word(token: str) -> bool:
    if not token[:1].isalpha() or script.blocks(token) != {"latin"}:
        return False
    word = token.lower() if token.isascii() else canonical_latin(token)
    return _syllable(token) or bool(han.from_pinyin(word))


def all_pinyin(tokens: list[str]) -> bool:
    """Whether a name of 3 to 6 words is pinyin in every word, one of them a single
    syllable (Pati Gu Li, Mai Mai Tijiang): its words need not be its parts."""
    return all_pinyin_of(len(tokens), map(_syllable, tokens), map(_pinyin_word, tokens))


def all_pinyin_of(words: int, is_syllable: Iterable[bool], is_pinyin: Iterable[bool]) -> bool:
    """``all_pinyin`` from the number of words and whether each is a single syllable
    and a pinyin word, for a caller that knows them already."""
    return 3 <= words <= 6 and any(is_syllable) and all(is_pinyin)


def _pinyin_groupings(tokens: list[str]) -> list[tuple[tuple[str, ...], ...]]:
    """A name written all in pinyin, in words that need not be its parts (帕提古丽·吐尔逊
    as Pati Gu Li Tuerxun): read as two parts at every cut between words."""
    out: list[tuple[tuple[str, ...], ...]] = []
    for cut in range(1, len(tokens)):
        head = "".join(canonical_latin(t) for t in tokens[:cut])
        tail = "".join(canonical_latin(t) for t in tokens[cut:])
        out.append((_pinyin_part(head), _pinyin_part(tail)))
    return out


def _joined_runs(tokens: list[str], code: str | None) -> tuple[tuple[str, ...], ...] | None:
    """The name read with every run of single-syllable words joined into one part:
    pinyin written syllable by syllable (Mai Mai Ti, Gu Li Na Zha) is one name part."""
    flags = [_syllable(t) for t in tokens]
    parts: list[tuple[str, ...]] = []
    i = 0
    joined = False
    while i < len(tokens):
        j = i
        while j < len(tokens) and flags[j]:
            j += 1
        if j - i >= _MIN_RUN:
            word = "".join(canonical_latin(t) for t in tokens[i:j])
            parts.append(_pinyin_part(word))
            joined = True
            i = j
            continue
        parts.extend(token_readings(tokens[i], code)[0])
        i += 1
    return tuple(p for p in parts if p) if joined else None


@lru_cache(maxsize=1 << 16)
def surname_join(first: str, second: str) -> tuple[str, ...] | None:
    """The two first words of a Latin name read as one pinyin-spelled part, when they
    can be the Han-style pinyin of one transcribed part.

    A transcribed part written without the middle dot looks like a Han name (包尔汉:
    surname 包 + given name 尔汉) and is then spelled in pinyin as surname and given
    name, ``Bao Erhan``; read together, ``baoerhan`` gives back Burhan. Only when the
    first word is a single table syllable and the two together parse as table pinyin.
    """
    if script.detect_script(first) != script.LATIN or script.detect_script(second) != (
        script.LATIN
    ):
        return None
    a, b = canonical_latin(first), canonical_latin(second)
    if " " in a or " " in b or not han.is_pinyin_syllable(a):
        return None
    part = _pinyin_part(a + b)
    return part if len(part) > 1 else None


_MAX_READINGS = 2


def arabic_spelled(name: str, code: str | None = None) -> bool:
    """Whether ``name`` is in Arabic script written the Arabic/Persian way as a whole."""
    return _arabic_script(name, code) and (
        arabic.is_arabic_name(name) and not kazakh_arabic.is_kazakh_arabic(name)
    )


def kazakh_spelled(name: str, code: str | None = None) -> bool:
    """Whether ``name`` is in the Kazakh Arabic alphabet (``kazakh_arabic``)."""
    return _arabic_script(name, code) and kazakh_arabic.is_kazakh_arabic(name)


def read_together(name: str) -> bool:
    """Whether the words of ``name`` are read together: ``arabic_spelled`` or
    ``kazakh_spelled`` (one test of the first letter for both)."""
    return _ARABIC_FIRST.match(name) is not None and (
        arabic.is_arabic_name(name) or kazakh_arabic.is_kazakh_arabic(name)
    )


_ARABIC_FIRST = re.compile("\\s*[\u0600-\u06ff\ufb50-\ufeff]")


def _arabic_script(name: str, code: str | None) -> bool:
    return code in (None, script.UYGHUR_ARABIC) and _ARABIC_FIRST.match(name) is not None


@lru_cache(maxsize=1 << 18)
def readings(name: str, code: str | None = None) -> tuple[Reading, ...]:
    """Ranked readings of ``name`` (one, except for short dotless Chinese names)."""
    combos: list[tuple[tuple[str, ...], ...]] = [()]
    dotted = any(sep in name for sep in script.HAN_SEPARATORS)
    arabic_name = arabic_spelled(name, code)
    kazakh = kazakh_spelled(name, code)
    tokens = split_name(name)
    for token in tokens:
        options = token_readings(token, code, dotted, arabic_name, kazakh)
        combos = [c + o for c in combos for o in options][:_MAX_READINGS]
    out = [Reading(_tidy(c)) for c in combos]
    joined = (
        surname_join(tokens[0], tokens[1])
        if len(tokens) >= 2 and code is None and han.is_pinyin_syllable(tokens[0])
        else None
    )
    if joined is not None:
        rest = tuple(p for t in tokens[2:] for p in token_readings(t, code, dotted)[0])
        out.append(Reading(_tidy((joined, *rest))))
    if len(tokens) >= 2 and code is None and not dotted and syllable_run(tokens):
        runs = _joined_runs(tokens, code)
        if runs:
            out.append(Reading(_tidy(runs)))
    if code is None and not dotted and all_pinyin(tokens):
        out += [Reading(_tidy(g)) for g in _pinyin_groupings(tokens)]
    if "-" in name:
        split = _hyphens_split(out[0].parts)
        if split != out[0].parts:
            out.append(Reading(split))
    return tuple(out)


def _hyphens_split(parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """A double given name is written with a hyphen in one record and as two words in
    another (Kassym-Jomart, Касим Жомарт): the hyphenated parts split into words."""
    out: list[tuple[str, ...]] = []
    for part in parts:
        pieces = [w for w in part[0].split("-") if w]
        if len(pieces) > 1 and han.HAN_MARK not in part:
            out.extend((w,) for w in pieces)
        else:
            out.append(part)
    return tuple(out)


def _compounds(parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Arabic compound names (Abd al-Rahman -> Abdurahman) and the article (al-Kashgari
    -> Kashgari); a father's name after ibn/bin is dropped when two parts remain."""
    words = [p[0] for p in parts]
    if not arabic.needs_compounds(words):
        return parts
    out: list[tuple[str, ...]] = []
    made = arabic.compound_words(words)
    keep_fathers = sum(not father for _, _, father in made) < 2
    for word, sources, father in made:
        if father and not keep_fathers:
            continue
        if len(sources) == 1 and word == words[sources[0]]:
            out.append(parts[sources[0]])
            continue
        mark = any(han.HAN_MARK in parts[i] for i in sources)
        out.append((word, han.HAN_MARK) if mark else (word,))
    return tuple(out)


def is_patronymic(word: str) -> bool:
    """A word made of a name and a patronymic suffix (Äbishuly, Abishevich); the name
    before the suffix has at least three letters (Guli is not Gul + -i)."""
    suffixes = affixes()["patronymic_suffixes"]
    if not word.endswith(suffixes):  # the common case, in C
        return False
    return any(word.endswith(s) and len(word) - len(s) >= _MIN_STEM for s in suffixes)


def _tidy(parts: tuple[tuple[str, ...], ...]) -> tuple[tuple[str, ...], ...]:
    """Join a suffix written apart (Ahmet Jan -> Ahmetjan); drop middle patronymics."""
    aff = affixes()
    parts = _compounds(parts)
    out: list[tuple[str, ...]] = []
    for part in parts:
        if out and part[0] in aff["suffixes"] and part[0] not in aff["kinship"]:
            out[-1] = tuple(p if p == han.HAN_MARK else p + part[0] for p in out[-1])
        else:
            out.append(part)
    if len(out) >= 3:
        middle = [p for p in out[1:-1] if not is_patronymic(p[0])]
        out = [out[0], *middle, out[-1]]
    return tuple(out)


# Chinese has no uvular: transcription writes Uyghur q and gh with the h-initial
# characters (哈斯木 Qasim, 雅霍甫 Yaqup, 海来提 Gheyret, 吐尔洪 Turghun), whose h the key
# drops. A part read from characters also gets the key with its h and x read as q.
_HAN_GUTTURAL = re.compile(r"(?<![scz])h|x")
_GUTTURAL_READINGS = 2


@lru_cache(maxsize=1 << 18)
def comparable(part_candidates: tuple[str, ...]) -> tuple[tuple[str, float], ...]:
    """Phonetic keys of one part's candidates, with suffix-stripped alternatives.

    Returns (key, penalty) pairs; an honorific or kinship word gives an empty tuple.
    """
    aff = affixes()
    out: dict[str, float] = {}
    for cand in part_candidates:
        if cand == han.HAN_MARK:
            continue
        if cand in aff["honorifics"] or cand in aff["kinship"]:
            return ()
        key = phonetic_key(cand)
        if key:
            out.setdefault(key, 0.0)
        for suffix in aff["suffixes"]:
            if cand.endswith(suffix) and len(cand) - len(suffix) >= _MIN_STEM:
                stem = phonetic_key(cand[: -len(suffix)])
                if stem and stem not in out:
                    out[stem] = SUFFIX_PENALTY
                break
    if out and part_candidates[-1] == han.HAN_MARK:
        for cand in part_candidates[:_GUTTURAL_READINGS]:
            alt = _HAN_GUTTURAL.sub("q", cand)
            if alt != cand:
                out.setdefault(phonetic_key(alt), 0.0)
        out[han.HAN_MARK] = 0.0  # sentinel, last: compare on consonants too
    return tuple(out.items())
