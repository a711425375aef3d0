"""docs/mapping.md stays true: every mapping key and column option is documented, and
the shipped example mappings load."""

from __future__ import annotations

from pathlib import Path

import pytest

from credible.ingest.limits import ReadLimits
from credible.ingest.mapping import ColumnSpec, Mapping, SourceDefaults, load_mapping

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "mapping.md").read_text("utf-8")


@pytest.mark.parametrize("key", sorted(Mapping.model_fields))
def test_mapping_key_documented(key: str) -> None:
    assert f"\n{key}:" in DOC


@pytest.mark.parametrize("key", sorted(SourceDefaults.model_fields))
def test_source_key_documented(key: str) -> None:
    assert f"  {key}:" in DOC


@pytest.mark.parametrize("key", sorted(ColumnSpec.model_fields))
def test_column_option_documented(key: str) -> None:
    assert f"| `{key}` |" in DOC


@pytest.mark.parametrize("name", sorted(ReadLimits.names()))
def test_read_limit_documented(name: str) -> None:
    default = getattr(ReadLimits(), name)
    assert f"| `{name}` | {default:,} |" in DOC or f"| `{name}` | {default} |" in DOC


def test_doc_example_is_a_valid_mapping(tmp_path: Path) -> None:
    example = DOC.split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yml"
    path.write_text(example, "utf-8")
    mapping = load_mapping(path)
    assert mapping.columns["sex"].values == {"男": "male", "女": "female"}
    assert mapping.columns["notes"].columns == ["Note 1", "Note 2"]


def test_buzzfeed_mapping_loads() -> None:
    mapping = load_mapping(ROOT / "examples" / "buzzfeed_facilities.yml")
    assert mapping.kind == "facility" and mapping.encoding == "cp437"
    assert set(mapping.columns) >= {"external_id", "name", "latitude", "longitude", "kind"}
    assert {"town", "prefecture"} <= set(mapping.columns)
