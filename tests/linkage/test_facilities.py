"""Facility names in five scripts resolve to one (place, kind, number); places by skeleton."""

from __future__ import annotations

import pytest

from credible.linkage.facilities import facility_keys
from credible.linkage.places import county_ids

# FICTIONAL facility names written the way lists write real ones.
SAME_CAMP = [
    "墨玉县第1职业技能教育培训中心",
    "墨玉县第一职业技能教育培训中心",
    "Karakax No. 1 Vocational Skills Education and Training Centre",
    "Qaraqash 1-kespiy maharet terbiyilesh merkizi",
    "قاراقاش 1-كەسپىي ماھارەت تەربىيىلەش مەركىزى",
    "Moyu County No.1 Vocational Skills Education and Training Center",
]


def test_one_camp_in_every_script_is_one_key():
    keys = facility_keys(SAME_CAMP)
    assert {k.key for k in keys if k} == {"qaraqash|camp|1"}


@pytest.mark.parametrize(
    ("name", "kind", "number"),
    [
        ("乌鲁木齐市第三看守所", "detention_centre", 3),
        ("Urumqi No. 3 Detention Center", "detention_centre", 3),
        ("达坂城第二十二看守所", "detention_centre", 22),
        ("喀什地区第1监狱", "prison", 1),
        ("Kashgar Prefecture Prison No. 1", "prison", 1),
        ("Қашқар 1-түрмесі", "prison", 1),
        ("Korla No. 2 Industrial Park", "industrial", 2),
    ],
)
def test_kind_and_number(name, kind, number):
    (key,) = facility_keys([name])
    assert key is not None and (key.kind, key.number) == (kind, number)


def test_different_numbers_places_and_kinds_differ():
    keys = facility_keys(
        [
            "Karakax No. 1 Vocational Skills Education and Training Centre",
            "Karakax No. 2 Vocational Skills Education and Training Centre",
            "Karakax Detention Centre No. 1",
            "Guma No. 1 Vocational Skills Education and Training Centre",
        ]
    )
    assert len({k.key for k in keys if k}) == 4


def test_empty_and_unparsed_names():
    empty, bare = facility_keys([None, "Dabancheng"])
    assert empty is None
    assert bare is not None and bare.place == "dabancheng" and bare.key is None


def test_places_resolve_by_diacritics_and_consonant_skeleton():
    # Kériye with its accent, Kazakh Шапшал (Chapchal), Шәуешек (Chöchek), and a
    # prefecture named after no county.
    ids = county_ids(["Kériye", "Шапшал", "Шәуешек", "伊犁哈萨克自治州", "Qizilsu"])
    assert ids == ["keriye", "chapchal", "chöchek", "ili", "kizilsu"]


def test_an_ambiguous_skeleton_identifies_nothing():
    # Gaochang (Turpan) and Gucheng (Qitai) share the skeleton g-sh-ng.
    assert county_ids(["Gushung"]) == [None]
