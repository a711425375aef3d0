"""Names across scripts: one person, five spellings.

The public API (linkage and the rest of the project use only these names)::

    detect_script(name) -> str                 # code from model/vocab/scripts.yml
    split_name(name) -> list[str]              # parts as written
    romanize(name, script=None) -> str         # canonical Latin (ULY conventions)
    romanize_candidates(name) -> list[str]     # ranked, for Chinese renderings
    name_keys(name) -> list[str]               # blocking keys
    cross_script_key(key) -> str               # coarse skeleton of a key (Chinese-proof)
    name_similarity(a, b) -> float             # [0, 1], any two scripts
    name_containment(query, name) -> float     # [0, 1]: query's parts found in name
    name_subset_similarity(a, b) -> float      # [0, 1]: the shorter found, in order, in the longer
    name_match_level(a, b) -> str              # "same" | "part" | "different" (MATCH_LEVELS)
    same_name(a, b) -> bool                    # name_similarity >= SAME_NAME_THRESHOLD
    romanize_many / name_keys_many / name_similarity_many / same_name_many
    name_match_level_many                      # batched; index into MATCH_LEVELS
    explain(name) / compare(a, b)              # what the CLI shows
    transcription_runs(text)                   # name-like stretches of Chinese prose

See docs/names.md for the method and its measured accuracy.
"""

from __future__ import annotations

from credible.names.api import (
    SAME_NAME_THRESHOLD,
    Comparison,
    NameExplanation,
    compare,
    explain,
    name_keys,
    name_keys_many,
    romanize,
    romanize_candidates,
    romanize_many,
    same_name,
    same_name_many,
)
from credible.names.han import transcription_runs
from credible.names.latin import cross_script_key
from credible.names.parts import split_name
from credible.names.script import SCRIPTS, detect_script
from credible.names.similarity import (
    MATCH_LEVELS,
    PART_NAME_THRESHOLD,
    name_containment,
    name_match_level,
    name_match_level_many,
    name_similarity,
    name_similarity_many,
    name_subset_similarity,
)
from credible.names.uyghur import uey_to_uly, uly_to_uey, uly_to_usy, usy_to_uly

__all__ = [
    "MATCH_LEVELS",
    "PART_NAME_THRESHOLD",
    "SAME_NAME_THRESHOLD",
    "SCRIPTS",
    "Comparison",
    "NameExplanation",
    "compare",
    "cross_script_key",
    "detect_script",
    "explain",
    "name_containment",
    "name_keys",
    "name_keys_many",
    "name_match_level",
    "name_match_level_many",
    "name_similarity",
    "name_similarity_many",
    "name_subset_similarity",
    "romanize",
    "romanize_candidates",
    "romanize_many",
    "same_name",
    "same_name_many",
    "split_name",
    "transcription_runs",
    "uey_to_uly",
    "uly_to_uey",
    "uly_to_usy",
    "usy_to_uly",
]
