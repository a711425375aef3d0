"""Near-duplicate photos: the same FICTIONAL scene resized or recompressed is found across
sources, unrelated scenes are not, and the pair suggests a derived_from link."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from credible.evidence import (
    DEFAULT_MAX_DISTANCE,
    add_evidence,
    derived_from_suggestions,
    near_duplicates,
)
from credible.simulate import render_scene
from credible.store import Store, schema


def _save(image: Image.Image, path: Path, quality: int = 92) -> Path:
    image.save(path, "JPEG", quality=quality)
    return path


@pytest.fixture
def photos(sourced: Store, tmp_path: Path) -> dict[str, int]:
    original = render_scene(1)
    files = {
        "original": ("FICTIONAL testimony", _save(original, tmp_path / "orig.jpg")),
        "resized": (
            "FICTIONAL media",
            _save(original.resize((320, 240), Image.Resampling.LANCZOS), tmp_path / "small.jpg"),
        ),
        "recompressed": ("FICTIONAL media", _save(original, tmp_path / "q30.jpg", quality=30)),
        "unrelated": ("FICTIONAL media", _save(render_scene(2), tmp_path / "other.jpg")),
        "same_source_copy": (
            "FICTIONAL testimony",
            _save(original.resize((500, 375)), tmp_path / "copy.jpg", quality=70),
        ),
    }
    return {
        k: add_evidence(sourced, p, source=s, actor="tester", ocr_lang="eng").id
        for k, (s, p) in files.items()
    }


def test_resized_and_recompressed_copies_are_found_across_sources(
    sourced: Store, photos: dict[str, int]
) -> None:
    pairs = near_duplicates(sourced)
    found = {frozenset((p.a, p.b)) for p in pairs}
    assert found == {
        frozenset((photos["original"], photos["resized"])),
        frozenset((photos["original"], photos["recompressed"])),
        frozenset((photos["same_source_copy"], photos["resized"])),
        frozenset((photos["same_source_copy"], photos["recompressed"])),
    }
    assert all(p.across_sources and p.distance <= DEFAULT_MAX_DISTANCE for p in pairs)
    within = near_duplicates(sourced, across_sources=False)
    assert frozenset((photos["original"], photos["same_source_copy"])) in {
        frozenset((p.a, p.b)) for p in within
    }
    assert photos["unrelated"] not in {i for p in within for i in (p.a, p.b)}
    only = near_duplicates(sourced, [photos["resized"]])
    assert {photos["resized"]} <= {i for p in only for i in (p.a, p.b)}
    assert all(photos["resized"] in (p.a, p.b) for p in only)


def test_pairs_suggest_derived_from_and_no_edit_is_made(
    sourced: Store, photos: dict[str, int]
) -> None:
    (suggestion,) = derived_from_suggestions(sourced, near_duplicates(sourced))
    assert (suggestion.source, suggestion.derived_from) == (
        "FICTIONAL media",
        "FICTIONAL testimony",
    )
    # resized and recompressed copies of the original point one way; the testimony's own
    # smaller copy beside the media's full-size recompressed one points the other
    assert len(suggestion.pairs) == 3 and suggestion.against == 1
    with sourced.read() as conn:
        parents = list(
            conn.execute(
                schema.sources.select().with_only_columns(schema.sources.c.derived_from_id)
            )
        )
    assert all(p == (None,) for p in parents)  # a suggestion, never an edit
    with sourced.write("analyst") as uow:
        media = uow.conn.execute(
            schema.sources.select().where(schema.sources.c.name == "FICTIONAL media")
        ).one()
        testimony = uow.conn.execute(
            schema.sources.select().where(schema.sources.c.name == "FICTIONAL testimony")
        ).one()
        uow.update(schema.sources, media.id, derived_from_id=testimony.id)
    assert derived_from_suggestions(sourced, near_duplicates(sourced)) == []


@settings(max_examples=15, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    scale=st.floats(0.3, 1.0),
    quality=st.integers(25, 95),
)
def test_a_rescaled_recompressed_copy_stays_within_the_threshold(
    tmp_path_factory: pytest.TempPathFactory, seed: int, scale: float, quality: int
) -> None:
    from credible.evidence.extract.image import perceptual_hash

    folder = tmp_path_factory.mktemp("ph")
    original = render_scene(seed)
    copy = original.resize((int(640 * scale), int(480 * scale)), Image.Resampling.BILINEAR)
    a, b, other = (
        int(perceptual_hash(Image.open(p)), 16)
        for p in (
            _save(original, folder / "a.jpg"),
            _save(copy, folder / "b.jpg", quality=quality),
            _save(render_scene(seed + 1), folder / "c.jpg"),
        )
    )
    near, far = bin(a ^ b).count("1"), bin(a ^ other).count("1")
    assert near <= DEFAULT_MAX_DISTANCE < far, (near, far)
