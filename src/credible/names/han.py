"""Chinese renderings of names -> ranked Latin candidates.

Uyghur and Kazakh names written in Chinese characters follow the official
transcription (``data/han_syllables.csv``, ``data/han_names.csv``): the parts are
separated by a middle dot, whole recurring pieces (买买提 Memet, 阿不都 Abdu) are read
first, the remaining characters one by one. A character whose Mandarin reading ends in
a vowel often writes a bare closing consonant (提 -t, 木 -m, 尔 -r), so each part gets
several readings, ranked by how usual they are. Names of Han and Hui people
(no middle dot, two or three characters, a common Chinese surname first) are read in
pinyin instead, and the transcription reading is kept as a lower-ranked alternative.
"""

from __future__ import annotations

import heapq
import itertools
import re
import unicodedata
from functools import lru_cache
from typing import Any

from credible.names._tables import (
    han_names,
    han_syllables,
    han_syllables_pinyin,
    han_traditional,
    mandarin_syllables,
)
from credible.names.script import HAN_SEPARATORS

MAX_CANDIDATES = 4
_VOWEL_START = tuple("aeéioöuü")
# Common Chinese surnames (a first character that makes a dotless name a Han/Hui name).
_HAN_SURNAMES = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余"
    "杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史"
    "陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟"
    "殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游"
    "辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫"
    "费卜冷晏席卫米柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明"
    "佘池查麻苑迟邝"
)
# Surnames that are also frequent first characters of transcribed Uyghur names: for
# these the transcription reading is ranked first.
_TRANSCRIPTION_FIRST = frozenset("艾阿买麦吐热古努玉伊依米沙帕")


def _pinyin(text: str) -> list[str]:
    """Toneless pinyin syllables (pypinyin is imported on first use: it is slow to load)."""
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(text, style=Style.NORMAL, v_to_u=True)


def table_pinyin(ch: str) -> str:
    """The toneless pinyin of a character of the transcription table: from the table
    generated from pypinyin (``data/han_syllables_pinyin.csv``), so that reading a list
    with no Chinese characters (whose Latin names are still tested for pinyin spellings,
    ``from_pinyin``) does not load pypinyin; pypinyin itself for a character the
    generated table lacks."""
    return han_syllables_pinyin().get(ch) or _pinyin(ch)[0]


def split_han(name: str) -> list[str]:
    """Split a Chinese-character name on the middle dot (any of its look-alikes)."""
    for sep in HAN_SEPARATORS:
        name = name.replace(sep, " ")
    return [p for p in name.split() if p]


def simplified(text: str) -> str:
    """Traditional characters replaced by simplified ones: first the characters of the
    transcription tables (han_traditional.csv), then any other by OpenCC's traditional
    -> simplified character table (Hong Kong and Taiwan write 買買提 for 买买提)."""
    table = han_traditional()
    return "".join(table.get(ch) or _opencc_simplified(ch) for ch in text)


@lru_cache(maxsize=1 << 14)
def _opencc_simplified(ch: str) -> str:
    if ch in han_syllables() or not ("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"):
        return ch
    return str(_converter().convert(ch)) or ch


@lru_cache(maxsize=1)
def _converter() -> Any:
    from opencc import OpenCC  # imported on first use: it loads its dictionaries

    return OpenCC("t2s")


# Pinyin initials -> the Uyghur Latin (ULY) letters they write in transcriptions: pinyin
# x, q, j, zh are sh, ch, j, j (ULY's own x and q are kh and a uvular q), c is ts.
_PINYIN_INITIALS = (("zh", "j"), ("ch", "ch"), ("sh", "sh"), ("x", "sh"), ("q", "ch"), ("c", "s"))
# Finals whose Mandarin glide the transcribed Uyghur syllable does not have: 先 xian
# writes "shen" (古丽先 Gülshen), 且 qie "che" (布海丽且木 Buhelchem).
_PINYIN_FINALS = (("ian", "en"), ("ie", "e"), ("iu", "yu"))


def uyghur_sound_of_pinyin(syllable: str) -> str:
    """The Uyghur syllable (ULY) a character not in the transcription table most likely
    writes, from its toneless pinyin: the initial in Uyghur spelling, a Mandarin glide
    dropped, ü after j/q/x restored."""
    initial, rest = "", syllable
    for old, new in _PINYIN_INITIALS:
        if syllable.startswith(old):
            initial, rest = new, syllable[len(old) :]
            break
    if initial in ("sh", "ch", "j") and syllable[:1] in "xqj" and rest.startswith("u"):
        rest = "ü" + rest[1:]
    for old, new in _PINYIN_FINALS:
        if rest.startswith(old):
            rest = new + rest[len(old) :]
            break
    return initial + rest


def _char_options(ch: str, next_ch: str | None) -> list[tuple[int, str]]:
    syl = han_syllables().get(ch)
    if syl is None:
        syllable = _pinyin(ch)[0]
        sound = uyghur_sound_of_pinyin(syllable)
        # The -n of -ian is often Mandarin's, not the name's (阿依先木 Ayshem).
        return [(1, sound), (2, sound[:-1])] if syllable.endswith("ian") else [(1, sound)]
    closing = next_ch is None or not _starts_with_vowel(next_ch)
    options: list[tuple[int, str]] = []
    for rank, full in enumerate(syl.full[:2]):
        options.append((rank + (1 if syl.coda and closing else 0), full))
    if syl.coda:
        options.append((0 if closing else 2, syl.coda))
    return options


def _starts_with_vowel(ch: str) -> bool:
    syl = han_syllables().get(ch)
    return syl is not None and syl.full[0].startswith(_VOWEL_START)


def _pieces(part: str) -> list[str]:
    """Greedy longest-match segmentation of a part into lexicon pieces and characters."""
    lexicon = han_names()
    longest = max(len(k) for k in lexicon)
    pieces = []
    i = 0
    while i < len(part):
        for size in range(min(longest, len(part) - i), 0, -1):
            if size > 1 and part[i : i + size] in lexicon:
                pieces.append(part[i : i + size])
                i += size
                break
        else:
            pieces.append(part[i])
            i += 1
    return pieces


@lru_cache(maxsize=1)
def _standard_of_sound() -> dict[str, str]:
    """Toneless pinyin -> the transcription table's character for that syllable (the
    first listed, which the table gives as the usual one)."""
    standard: dict[str, str] = {}
    for ch in han_syllables():
        standard.setdefault(table_pinyin(ch), ch)
    return standard


@lru_cache(maxsize=1 << 14)
def _homophone_standard(ch: str) -> str:
    """A character outside the transcription tables written for a syllable the tables
    write with another character: clerks transcribe by sound, and a homophone (题 for 提,
    儿 for 尔, 疆 for 江, 科 for 克) is the commonest departure from the standard. Read
    it as the standard character, its closing consonant and its place in whole pieces
    (买买题 as 买买提 Memet) included. Other characters are kept."""
    if ch in _transcription_characters() or not ("\u4e00" <= ch <= "\u9fff"):
        return ch
    return _standard_of_sound().get(_pinyin(ch)[0], ch)


@lru_cache(maxsize=1 << 16)
def transcription_candidates(part: str) -> tuple[str, ...]:
    """Ranked Latin readings (lower case) of one transcribed name part."""
    part = "".join(_homophone_standard(ch) for ch in part)
    pieces = _pieces(part)
    lexicon = han_names()
    if len(pieces) >= 3 and pieces[-1] in lexicon and lexicon[pieces[-1]][0] in _honorifics():
        pieces = pieces[:-1]  # 沙比提大毛拉: Sabit + the title Damolla
    beams: list[tuple[int, str]] = [(0, "")]
    for i, piece in enumerate(pieces):
        nxt = pieces[i + 1][0] if i + 1 < len(pieces) else None
        if piece in lexicon:
            opts = [(rank, val) for rank, val in enumerate(lexicon[piece][:2])]
        else:
            opts = _char_options(piece, nxt)
        grown = [(c + oc, s + ov) for c, s in beams for oc, ov in opts]
        beams = heapq.nsmallest(MAX_CANDIDATES * 2, grown)
    out: list[str] = []
    for _, text in sorted(beams):
        if text not in out:
            out.append(text)
    return tuple(out[:MAX_CANDIDATES])


def _honorifics() -> frozenset[str]:
    from credible.names._tables import affixes

    return frozenset(affixes()["honorifics"])


_MAX_SEGMENTATIONS = 2
_MAX_HANZI = 8
_MAX_PINYIN_READINGS = 5


@lru_cache(maxsize=1)
def _pinyin_index() -> tuple[dict[str, tuple[str, ...]], int]:
    """Toneless pinyin syllable -> every table character read that way, in table order."""
    index: dict[str, list[str]] = {}
    for ch in han_syllables():
        index.setdefault(table_pinyin(ch), []).append(ch)
    return {k: tuple(v) for k, v in index.items()}, max(len(s) for s in index)


_syllables: frozenset[str] = frozenset()


def is_pinyin_syllable(word: str) -> bool:
    """Whether ``word`` is the pinyin of one character of the transcription table."""
    global _syllables
    if not _syllables:  # built on first use (pypinyin is slow to load)
        _syllables = frozenset(_pinyin_index()[0])
    # a syllable is at most 6 letters: most name parts are rejected without lower()
    return len(word) <= 6 and word.lower() in _syllables


def _segmentations(piece: str) -> list[tuple[str, ...]]:
    """Ways to split ``piece`` into table syllables, longest syllable first (at most a
    few: pinyin is ambiguous only at a few boundaries, such as xian = xi'an)."""
    index, longest = _pinyin_index()
    memo: dict[int, list[tuple[str, ...]]] = {}

    def rest(i: int) -> list[tuple[str, ...]]:
        if i == len(piece):
            return [()]
        if i not in memo:
            out: list[tuple[str, ...]] = []
            for size in range(min(longest, len(piece) - i), 0, -1):
                if piece[i : i + size] in index:
                    out += [(piece[i : i + size], *r) for r in rest(i + size)]
                if len(out) >= _MAX_SEGMENTATIONS:
                    break
            memo[i] = out[:_MAX_SEGMENTATIONS]
        return memo[i]

    return rest(0)


def _hanzi_choices(syllables: tuple[str, ...]) -> list[str]:
    """Character strings that the syllables may stand for, most usual first: the table
    has several characters for one pinyin syllable (穆 mu, 木 mu/-m), whose Uyghur
    readings differ, so each is tried (all combinations when few, else the first
    choice and every single substitution)."""
    index = _pinyin_index()[0]
    options = [index[s] for s in syllables]
    size = 1
    for o in options:
        size *= len(o)
    if size <= 4 * _MAX_HANZI:
        combos = sorted(itertools.product(*(range(len(o)) for o in options)), key=sum)
    else:
        first = tuple(0 for _ in options)
        combos = [first] + [
            (*first[:i], j, *first[i + 1 :])
            for i, o in enumerate(options)
            for j in range(1, len(o))
        ]
    return ["".join(o[k] for o, k in zip(options, c, strict=True)) for c in combos[:_MAX_HANZI]]


@lru_cache(maxsize=1 << 16)
def from_pinyin(word: str) -> tuple[str, ...]:
    """The transcription characters a pinyin-spelled name part may stand for, if it is one.

    PRC documents romanise a Uyghur name by writing the pinyin of its Chinese rendering
    (Maimaiti for 买买提 = Memet); reading the pinyin back into the transcription table
    recovers the Uyghur sounds. Empty unless the whole word splits into at least two
    table syllables (an apostrophe, as in Ku'erban, marks a syllable boundary).
    """
    # an apostrophe or a tone number (mai3mai4ti2) ends a syllable
    pieces = [p for p in re.split(r"['1-5]", word.lower()) if p]
    per_piece = [_segmentations(p) for p in pieces]
    if not pieces or not all(per_piece):
        return ()
    out: list[str] = []
    for combo in itertools.islice(itertools.product(*per_piece), _MAX_SEGMENTATIONS):
        syllables = tuple(s for seg in combo for s in seg)
        if len(syllables) < 2:
            continue
        for hanzi in _hanzi_choices(syllables):
            if hanzi not in out:
                out.append(hanzi)
    return tuple(out[: 2 * _MAX_HANZI])


def mandarin_syllables_from_pypinyin() -> dict[str, str]:
    """Every toneless Mandarin syllable with a vowel -> the first character of the basic
    CJK block whose first reading it is (pypinyin's table of readings): what
    ``data/mandarin_syllables.csv`` holds. The interjections without a vowel (hm, ng,
    m) are left out: they would split Latin words such as Lahman."""
    from pypinyin.pinyin_dict import pinyin_dict

    out: dict[str, str] = {}
    for code in sorted(pinyin_dict):
        if 0x4E00 <= code <= 0x9FFF:
            first = pinyin_dict[code].split(",")[0]
            plain = unicodedata.normalize("NFKD", first).encode("ascii", "ignore").decode()
            if any(v in plain for v in "aeiouv"):
                out.setdefault(plain.replace("v", "u"), chr(code))
    return out


_MAX_OUTSIDE = 0.5
"""At most this share of a pinyin word's syllables may be outside the table."""


@lru_cache(maxsize=1 << 16)
def _from_pinyin_outside(word: str) -> tuple[str, ...]:
    """``from_pinyin`` for a word of three or more syllables, some of them of characters
    the transcription table lacks (older and regional renderings use other characters:
    尤素甫 for 玉素甫, 舒库尔 for Shükür). Each such syllable stands for a character read
    so, which is read by its Mandarin sound as any unknown character is; the syllables
    of the table keep their Uyghur readings. Empty unless the word splits wholly into
    Mandarin syllables, at most half of them outside the table."""
    if not word.isascii() or not word.isalpha() or len(word) < 6:
        return ()
    index, _ = _pinyin_index()
    mandarin = mandarin_syllables()
    longest = max(map(len, mandarin))
    piece = word.lower()
    # longest syllable first (one split: the table's syllables are tried in full first)
    syllables: list[str] = []
    i = 0
    while i < len(piece):
        for size in range(min(longest, len(piece) - i), 0, -1):
            if piece[i : i + size] in mandarin:
                syllables.append(piece[i : i + size])
                i += size
                break
        else:
            return ()
    outside = [s for s in syllables if s not in index]
    if len(syllables) < 3 or not outside or len(outside) > _MAX_OUTSIDE * len(syllables):
        return ()
    return ("".join(index[s][0] if s in index else mandarin[s] for s in syllables),)


@lru_cache(maxsize=1 << 16)
def pinyin_readings(word: str) -> tuple[str, ...]:
    """Ranked Latin readings of a pinyin-spelled name part through the transcription
    table: the readings of every character string it may stand for, merged rank by
    rank (the usual reading of each string before the second reading of any)."""
    per_hanzi = [
        transcription_candidates(h) for h in from_pinyin(word) or _from_pinyin_outside(word)
    ]
    out: list[str] = []
    for rank in range(MAX_CANDIDATES):
        for cands in per_hanzi:
            if rank < len(cands) and cands[rank] not in out:
                out.append(cands[rank])
    return tuple(out[:_MAX_PINYIN_READINGS])


def pinyin_parts(name: str) -> list[str]:
    """Han/Hui name in pinyin: surname, then the given name as one word."""
    syllables = _pinyin(name)
    if len(syllables) <= 1:
        return syllables
    return [syllables[0], "".join(syllables[1:])]


def is_han_chinese_name(name: str) -> bool:
    """A dotless name of 2-3 characters starting with a common Chinese surname."""
    return (
        not any(sep in name for sep in HAN_SEPARATORS)
        and 2 <= len(name) <= 3
        and name[0] in _HAN_SURNAMES
        and name not in han_names()
    )


HAN_MARK = "#"
"""Appended to the candidates of a part read through the transcription table: its vowels
are unreliable, so it may also be compared on consonants alone."""


def readings(name: str, dotted: bool = False) -> list[list[tuple[str, ...]]]:
    """Ranked readings of a Chinese-character name.

    Each reading is a list of parts; each part a tuple of ranked Latin candidates.
    ``dotted``: the name is known to be a transcription (it was written with the
    middle dot), so it is not also read as a Han/Hui name in pinyin.
    """
    parts = split_han(simplified(name))
    transcribed = [(*transcription_candidates(p), HAN_MARK) for p in parts]
    if not dotted and len(parts) == 1 and is_han_chinese_name(parts[0]):
        pinyin: list[tuple[str, ...]] = [(p,) for p in pinyin_parts(parts[0])]
        if parts[0][0] in _TRANSCRIPTION_FIRST:
            return [transcribed, pinyin]
        return [pinyin, transcribed]
    return [transcribed]


@lru_cache(maxsize=1)
def _transcription_characters() -> frozenset[str]:
    chars = set(han_syllables())
    for piece in han_names():
        chars.update(piece)
    return frozenset(chars)


def transcription_runs(text: str, min_chars: int = 2) -> list[str]:
    """The stretches of running Chinese text that could be a transcribed Uyghur or
    Kazakh name: maximal runs of the characters the transcription standard uses (after
    traditional → simplified), cut at the middle dot. Chinese prose has no word breaks,
    so this is how a name inside a sentence is found; the runs overreach where a
    neighbouring word happens to use those characters, which callers allow for."""
    allowed = _transcription_characters()
    runs, current = [], []
    for ch in simplified(text):
        if ch in allowed:
            current.append(ch)
            continue
        if len(current) >= min_chars:
            runs.append("".join(current))
        current = []
    if len(current) >= min_chars:
        runs.append("".join(current))
    return runs
