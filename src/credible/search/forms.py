"""Which written forms of a name part are the name searched for, and which are other names.

``name_containment`` alone cannot tell a misspelt Memet (Memt) from Ehmet, a name of its
own one letter away; nor, in Chinese characters, whose transcription keeps few sounds
apart, 买买提 (Memet) from 买合木提 (Mahmut): both score alike against Memet. The store
itself can: a spelling that many records write is a name, a rare one near a frequent
one is a variant of it. So the forms of the candidate records are grouped by phonetic
key (Memet, Mamat, مەمەت and Мәмәт share MAMAT), and:

- a group as frequent as ``MIN_SHARE`` of its most frequent neighbour (a group whose
  name it resembles as ``same_name`` would) stands as a name of its own; a rarer group
  is a variant of the neighbour it is most like (its most frequent, on a tie);
- a form in Chinese characters belongs to the Latin-key group whose key its readings
  match most closely (买合木提 reads Mahmut: MAMUT), among the groups it resembles;
- a part is the name searched for when it ends in the query's group.

The query goes through the same steps, so a misspelt query finds the name it misspells.
Frequencies come from the candidates, which hold every record of every group that
shares a key with the query: the same spelling always gives the same keys.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache

from rapidfuzz.distance import Levenshtein

from credible import names
from credible.search.keys import SEPARATOR

MIN_SHARE = 0.05
"""A spelling written by at least this share of the records of the most frequent name
it resembles is a name of its own. A slip is one of many possible ones, each made in a
record or two in a hundred; a distinct name is written the same way by all its records,
and can be several times rarer than a neighbour (Mahmut beside Memet, Tursungül beside
Tursun: a seventh to a tenth as many records on the development seed). Until 2026-12-07
this was 0.2, which made such names variants of their neighbour: a query in Chinese
characters for the rarer one found every record of the commoner (precision 0.70 on the
development seed; 0.97 at 0.05, 0.88 at 0.1, for 0.6 points of recall)."""

HAN = "han"


@lru_cache(maxsize=1 << 16)
def is_han(form: str) -> bool:
    return names.detect_script(form) == HAN


@lru_cache(maxsize=1 << 16)
def label(form: str) -> str:
    """The phonetic key of a form written in letters: its full key (Tursunjan:
    TURsUNJAN, not the stem TURsUN), which the spellings of one name share."""
    keys = [k for k in names.name_keys(form) if not k.startswith("~")]
    return max(keys, key=lambda k: (len(k), k)) if keys else form


@lru_cache(maxsize=1 << 16)
def readings(form: str) -> tuple[str, ...]:
    """The keys of the likely readings of a form in Chinese characters."""
    return tuple(dict.fromkeys(label(c) for c in names.romanize_candidates(form)))


@lru_cache(maxsize=1 << 16)
def chinese_name_words(form: str) -> tuple[str, ...]:
    """The words of characters written without a separator and read first as a family
    and a given name (马明: Ma, Ming); none for one word, or a part of a separated name."""
    if not is_han(form) or SEPARATOR in form:
        return ()
    first = next(iter(names.romanize_candidates(form)), "")
    words = tuple(first.split())
    return words if len(words) > 1 else ()


def _strict(form: str, key: str) -> float:
    """How closely the readings of a Chinese form match a key, letter for letter."""
    return max((Levenshtein.normalized_similarity(r, key) for r in readings(form)), default=0.0)


EXACT = 0.999
UNPLACED = "\x00"  # the group of a form that is no name the candidates write
#: Groups less like every query part than this are left out of the decision: a group
#: that resembles a form like the query (>= SAME_NAME_THRESHOLD both) is far above it.
NEAR = 0.5


class Lexicon:
    """The name-part forms of a set of candidate records, grouped into names."""

    def __init__(
        self,
        parts_of_records: Iterable[Iterable[str]],
        focus: list[str],
        counted: Iterable[str] | None = None,
    ) -> None:
        """``focus``: the query's parts. Only groups that look somewhat like one of them
        (``NEAR``) can take part in deciding what a form like the query is. ``counted``:
        the forms every record of which was counted (by default, all)."""
        df: Counter[str] = Counter()
        for parts in parts_of_records:
            df.update(set(parts))
        self._setup(df, focus, counted)

    @classmethod
    def of_counts(
        cls, df: Mapping[str, int], focus: list[str], counted: Iterable[str] | None = None
    ) -> Lexicon:
        """The lexicon of forms counted already: how many records write each form."""
        lexicon = cls.__new__(cls)
        lexicon._setup(Counter(df), focus, counted)
        return lexicon

    def _setup(self, df: Counter[str], focus: list[str], counted: Iterable[str] | None) -> None:
        # A form met only beside a counted one (Memet in "Ehmet Memet", for Ehmet) is
        # counted in those records alone: too few to call it a slip of anything.
        self.complete = {label(f) for f in (df if counted is None else counted) if not is_han(f)}
        self.group_df: Counter[str] = Counter()
        self.rep: dict[str, str] = {}  # group -> its most frequent form
        for form, n in df.most_common():
            if is_han(form):
                continue
            g = label(form)
            self.group_df[g] += n
            self.rep.setdefault(g, form)
        groups = list(self.rep)
        near: set[str] = set()
        for part in focus:
            sims = names.name_similarity_many([part] * len(groups), [self.rep[g] for g in groups])
            near |= {g for g, s in zip(groups, sims.tolist(), strict=True) if s >= NEAR}
        self.near = sorted(near)
        self._own: dict[str, str | None] = {}
        self._target: dict[str, str] = {}
        self._sims: dict[tuple[str, str], float] = {}
        # each asked for many times while deciding the forms of one search
        self._likes: dict[str, list[str]] = {}
        self._canon: dict[str, str] = {}

    def _sim(self, form: str, g: str) -> float:
        key = (form, g)
        if key not in self._sims:
            self._sims[key] = names.name_containment(form, self.rep[g])
        return self._sims[key]

    def _like(self, form: str) -> list[str]:
        if form not in self._likes:
            self._likes[form] = [
                g for g in self.near if self._sim(form, g) >= names.SAME_NAME_THRESHOLD
            ]
        return self._likes[form]

    def _canonical(self, g: str) -> str:
        """Groups whose keys differ but which are exactly the same name to
        ``credible.names`` (Erlan, Ерлан read Yerlan) are one: the most frequent."""
        if g not in self._canon:
            same = [
                h
                for h in self._like(self.rep[g])
                if min(self._sim(self.rep[g], h), self._sim(self.rep[h], g)) >= EXACT
            ]
            self._canon[g] = max([g, *same], key=lambda h: (self.group_df[h], h))
        return self._canon[g]

    def own(self, form: str) -> str | None:
        """The group of a form: by its key, or for Chinese characters, the group whose
        key its readings match most closely among those it resembles. ``None``: a
        spelling no candidate writes, or characters that resemble no group; ``UNPLACED``:
        characters whose readings spell none of the groups they resemble."""
        if form not in self._own:
            if is_han(form):
                like = self._like(form)
                best = max(
                    like, key=lambda h: (_strict(form, h), self.group_df[h], h), default=None
                )
                if best is None:
                    self._own[form] = None
                elif _strict(form, best) < names.SAME_NAME_THRESHOLD:
                    # like it only through the loose skeletons of Chinese transcription,
                    # and no reading spells it: a name the candidates do not write
                    self._own[form] = UNPLACED
                else:
                    self._own[form] = self._canonical(best)
            else:
                g = label(form)
                self._own[form] = self._canonical(g) if g in self.near else None
        return self._own[form]

    def target(self, g: str) -> str:
        """The name a group is: itself, or, when it is much rarer than the names it
        resembles, the one it is most like (followed on to more frequent groups)."""
        if g == UNPLACED:
            return g
        if g in self._target:
            return self._target[g]
        seen, start = {g}, g
        while g in self.complete:
            neighbours = [h for h in self._like(self.rep[g]) if self._canonical(h) != g]
            if not neighbours or self.group_df[g] >= MIN_SHARE * max(
                self.group_df[h] for h in neighbours
            ):
                break
            bigger = [h for h in neighbours if self.group_df[h] > self.group_df[g]]
            nxt = self._canonical(
                max(bigger, key=lambda h: (self._sim(self.rep[g], h), self.group_df[h], h))
            )
            if nxt in seen:
                break
            seen.add(nxt)
            g = nxt
        self._target[start] = g
        return g

    def query_group(self, form: str) -> str | None:
        """The name a query part asks for: its own group when candidates spell it so (a
        rare name is still asked for as itself), else the name it is a variant of."""
        g = self.own(form)
        if g == UNPLACED:  # characters no candidate's spelling reads as: by likeness alone
            return None
        if g is not None:
            # characters are no spelling of their own: they ask for the name they read as
            return self.target(g) if is_han(form) else g
        like = self._like(form)
        best = max(like, key=lambda h: (self._sim(form, h), self.group_df[h], h), default=None)
        return None if best is None else self.target(self._canonical(best))

    def matches(self, part: str, wanted: str) -> bool:
        g = self.own(part)
        if g not in (None, UNPLACED) and (g == wanted or self.target(g) == wanted):
            return True
        # characters read as a Chinese name (马明: Ma Ming) hold the name of either word
        return any(self.matches(w, wanted) for w in chinese_name_words(part))
