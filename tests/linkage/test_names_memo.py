"""Linkage's calls into credible.names answer each distinct value once per process,
with the answers ``credible.names`` itself gives; and a link leaves garbage collection
as it found it."""

from __future__ import annotations

import gc

import pytest

from credible import names
from credible.linkage import _gc, _names


def test_each_value_is_computed_once_and_answered_as_names_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    asked: list[list[str]] = []

    def counting(values: list[str]) -> list[str]:
        asked.append(list(values))
        return [v.upper() for v in values]

    monkeypatch.setattr(_names, "_MEMO", {})
    assert _names._once_each(counting, ["a", "b", "a"]) == ["A", "B", "A"]
    assert _names._once_each(counting, ["b", "c", "c"]) == ["B", "C", "C"]
    assert asked == [["a", "b"], ["c"]]
    # Past the limit the memo starts again, and answers stay right.
    monkeypatch.setattr(_names, "_MEMO_LIMIT", 3)
    assert _names._once_each(counting, ["d", "e", "a"]) == ["D", "E", "A"]
    assert asked[-1] == ["d", "e"]
    written = ["Tursun Memet", "吐尔逊·买买提", "Tursun Memet", "  ", None]
    first = _names.name_keys_many(written)
    assert _names.name_keys_many(written) == first
    assert first[:3] == [names.name_keys_many([w])[0] for w in written[:3]]
    assert _names.romanize_many(written)[1] == names.romanize("吐尔逊·买买提").lower()


def test_objects_are_handed_back_to_the_collector() -> None:
    gc.unfreeze()
    with _gc.old_objects_frozen():
        with _gc.old_objects_frozen():
            assert gc.get_freeze_count() > 0
        assert gc.get_freeze_count() > 0
    assert gc.get_freeze_count() == 0


def test_an_applications_own_freeze_is_kept() -> None:
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        with _gc.old_objects_frozen():
            pass
        assert gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()
