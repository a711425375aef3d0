"""Mapping files: what a file holds and how its columns become fields (docs/mapping.md).

A mapping is validated once, when loaded, against the fields of its kind and the
vocabularies, so that every later step can trust it. Without a mapping file, one is
built from the file's headers by recognising obvious names (``Field.aliases``).
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError, field_validator, model_validator

from credible.errors import InputError, Problem
from credible.ingest.dates import parse_date_value
from credible.ingest.limits import ReadLimits, limit_problem
from credible.model.fields import KINDS, Field, sensitive_fields
from credible.model.vocab import vocabulary

FORMATS = ("csv", "tsv", "xlsx", "json", "jsonl")
NAME_FIELDS: dict[str, tuple[str, ...]] = {
    "person_record": ("name", "given_name", "father_name", "family_name"),
    "facility": ("name",),
}
CONFIDENTIALITY = ("public", "restricted", "confidential")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """How one field is read: from which column(s), in which script, recoded how."""

    column: str | list[str]
    script: str | None = None
    values: dict[str, str] | None = None
    date_format: str | list[str] = "edtf"
    default: str | None = None

    @field_validator("values", mode="before")
    @classmethod
    def _stringify_values(cls, v: Any) -> Any:
        # YAML turns `1: male` or `yes: true` into non-strings; the cells are strings.
        if isinstance(v, dict):
            return {_yaml_scalar(k): _yaml_scalar(x) for k, x in v.items()}
        return v

    @field_validator("default", mode="before")
    @classmethod
    def _stringify_default(cls, v: Any) -> Any:
        return None if v is None else _yaml_scalar(v)

    @property
    def columns(self) -> list[str]:
        return [self.column] if isinstance(self.column, str) else list(self.column)

    @property
    def date_formats(self) -> list[str]:
        return [self.date_format] if isinstance(self.date_format, str) else list(self.date_format)


class SourceDefaults(_Strict):
    """How to describe the source when ``--source NAME`` creates it."""

    kind: str = "other"
    reliability: str = "F"
    derived_from: str | None = None  # the name of the source this one was compiled from
    description: str | None = None
    confidentiality: Literal["public", "restricted", "confidential"] = "restricted"

    @field_validator("kind")
    @classmethod
    def _kind(cls, v: str) -> str:
        return _check_code("source_kinds", v)

    @field_validator("reliability")
    @classmethod
    def _reliability(cls, v: str) -> str:
        return _check_code("reliability", v)


class Mapping(_Strict):
    """A validated mapping file (or one built from headers when there is none)."""

    kind: Literal["person_record", "facility", "facility_observation", "act", "allegation"] = (
        "person_record"
    )
    format: Literal["csv", "tsv", "xlsx", "json", "jsonl"] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None
    records: str | None = None
    skip_blank_rows: bool = True
    source: SourceDefaults = SourceDefaults()
    columns: dict[str, ColumnSpec] = {}
    constants: dict[str, str] = {}
    keep_columns: list[str] | Literal["all"] = []
    # Kept columns that hold contact details or identities, sealed (``extra_sealed``);
    # columns whose header says so (phone, e-mail, WeChat...) are sealed without asking.
    sealed_columns: list[str] = []

    @field_validator("columns", mode="before")
    @classmethod
    def _expand_columns(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        out = {}
        for key, spec in v.items():
            if isinstance(spec, str | list):
                spec = {"column": spec}
            out[str(key)] = spec
        return out

    @field_validator("constants", mode="before")
    @classmethod
    def _stringify_constants(cls, v: Any) -> Any:
        if isinstance(v, dict):
            return {str(k): _yaml_scalar(x) for k, x in v.items()}
        return v

    @field_validator("encoding")
    @classmethod
    def _encoding(cls, v: str | None) -> str | None:
        if v is None:
            return v
        try:
            return codecs.lookup(v).name
        except LookupError:
            raise ValueError(f"unknown text encoding {v!r}") from None

    @field_validator("delimiter")
    @classmethod
    def _delimiter(cls, v: str | None) -> str | None:
        if v is not None and (len(v) != 1 or v in '\r\n"' or not v.isascii()):
            raise ValueError(
                "a delimiter is one ASCII character (not a quote or line break), as the CSV "
                "reader takes it"
            )
        return v

    @model_validator(mode="after")
    def _fields_exist(self) -> Mapping:
        fields = {f.name: f for f in KINDS[self.kind]}
        for name, spec in self.columns.items():
            if name not in fields:
                raise ValueError(
                    f"columns.{name}: {self.kind} has no field {name!r}; "
                    f"fields are: {', '.join(fields)}"
                )
            _check_spec(self.kind, fields[name], spec)
        for name, value in self.constants.items():
            if name not in fields:
                raise ValueError(f"constants.{name}: {self.kind} has no field {name!r}")
            if name in self.columns:
                raise ValueError(f"constants.{name}: the field is also mapped to a column")
            _check_value(fields[name], value, ColumnSpec(column=""), f"constants.{name}")
        return self

    @property
    def fields(self) -> tuple[Field, ...]:
        return KINDS[self.kind]


def _yaml_scalar(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _check_code(vocab: str, v: str) -> str:
    voc = vocabulary(vocab)
    if v not in voc:
        raise ValueError(f"{v!r} is not in vocabulary {vocab} ({voc.describe()})")
    return v


def _check_spec(kind: str, field: Field, spec: ColumnSpec) -> None:
    key = f"columns.{field.name}"
    if len(spec.columns) > 1 and field.type != "text":
        raise ValueError(f"{key}: only text fields can join several columns")
    if spec.script is not None:
        if field.name not in NAME_FIELDS.get(kind, ()):
            raise ValueError(f"{key}.script: only name fields take a script")
        try:
            _check_code("scripts", spec.script)
        except ValueError as exc:
            raise ValueError(f"{key}.script: {exc}") from None
    if spec.date_format != "edtf" and field.type != "edtf":
        raise ValueError(f"{key}.date_format: {field.name} is not a date field")
    for fmt in spec.date_formats:
        if fmt != "edtf" and "%" not in fmt:
            raise ValueError(f"{key}.date_format: {fmt!r} is neither 'edtf' nor a strptime format")
    if spec.values and field.type.startswith("vocab:"):
        voc = vocabulary(field.type.split(":", 1)[1])
        bad = sorted({v for v in spec.values.values() if v not in voc})
        if bad:
            raise ValueError(f"{key}.values: {bad} not in vocabulary {voc.name} ({voc.describe()})")
    if spec.default is not None:
        _check_value(field, spec.default, spec, f"{key}.default")


def _check_value(field: Field, value: str, spec: ColumnSpec, key: str) -> None:
    """A constant or default must itself be valid, or every row would fail for it."""
    if field.type.startswith("vocab:"):
        code = (spec.values or {}).get(value, value)
        try:
            _check_code(field.type.split(":", 1)[1], code)
        except ValueError as exc:
            raise ValueError(f"{key}: {exc}") from None
    elif field.type == "int" and not re.fullmatch(r"[+-]?\d+", value.strip()):
        raise ValueError(f"{key}: expected a whole number, got {value!r}")
    elif field.type == "float":
        try:
            float(value)
        except ValueError:
            raise ValueError(f"{key}: expected a number, got {value!r}") from None
    elif field.type == "edtf" and parse_date_value(value.strip(), spec.date_formats).error:
        raise ValueError(f"{key}: expected a date ({spec.date_format}), got {value!r}")


class _NoAliases(yaml.SafeLoader):
    """YAML without anchors and aliases (``&name``, ``*name``, ``<<: *name``). A mapping
    never needs them, and nested aliases make a few hundred bytes expand to gigabytes
    (the "billion laughs")."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None) is not None:
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (&name, *name) are not allowed in a mapping file; "
                "write each value out",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def load_mapping(path: Path, limits: ReadLimits | None = None) -> Mapping:
    """Read and validate a mapping file; raises InputError naming the file and the key."""
    path = Path(path)
    name = str(path)
    limits = limits or ReadLimits()
    try:
        with open(path, "rb") as f:
            raw = f.read(limits.mapping_kb * 1024 + 1)
        if len(raw) > limits.mapping_kb * 1024:
            too_big = f"a mapping file over {limits.mapping_kb} KB"
            raise InputError([limit_problem(name, "mapping_kb", limits, too_big)])
        data = yaml.load(raw.decode("utf-8"), Loader=_NoAliases)
    except OSError as exc:
        raise InputError([Problem(name, None, None, f"cannot read mapping file: {exc}")]) from exc
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise InputError([Problem(name, None, None, f"not valid YAML: {exc}")]) from exc
    except RecursionError:
        deep = "YAML nested a few levels deep, as a mapping is (this nests too deeply to read)"
        raise InputError([Problem(name, None, None, deep)]) from None
    if not isinstance(data, dict):
        raise InputError(
            [Problem(name, None, None, "a mapping file is a YAML mapping (key: value)")]
        )
    try:
        return Mapping.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            key = ".".join(str(p) for p in err["loc"]) or None
            msg = err["msg"].removeprefix("Value error, ")
            located = re.match(r"([\w.]+): (.*)", msg, re.S)
            if key is None and located:
                key, msg = located.groups()
            problems.append(Problem(name, None, key, msg, err.get("input") if key else None))
        raise InputError(problems, f"mapping file {name} is invalid") from exc


def normalise_header(text: str) -> str:
    """Case, space and punctuation do not matter when recognising a header."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return "".join(ch for ch in text if ch.isalnum())


def auto_mapping(headers: list[str], kind: str) -> Mapping:
    """Build a mapping from headers that obviously name a field; keep the rest in extra."""
    lookup: dict[str, str] = {}
    for f in KINDS[kind]:
        for spelling in (f.name, *f.aliases):
            lookup.setdefault(normalise_header(spelling), f.name)
    columns: dict[str, str | list[str]] = {}
    sensitive = sensitive_fields(kind)
    for header in headers:
        field = lookup.get(normalise_header(header))
        if field and field not in columns:
            columns[field] = header
        elif field in sensitive:
            # Every column of a sealed field goes into it (a file with both phone and
            # email): one left over would be kept in extra, in clear.
            found = columns[field]
            columns[field] = [*(found if isinstance(found, list) else [found]), header]
    return Mapping.model_validate({"kind": kind, "columns": columns, "keep_columns": "all"})


def unread_aliases(headers: list[str], kind: str) -> dict[str, tuple[str, list[str]]]:
    """Fields that more than one header names, without a mapping: field -> (the header
    ``auto_mapping`` reads it from, the other headers, which are kept in extra)."""
    mapping = auto_mapping(headers, kind)
    lookup: dict[str, str] = {}
    for f in KINDS[kind]:
        for spelling in (f.name, *f.aliases):
            lookup.setdefault(normalise_header(spelling), f.name)
    out: dict[str, tuple[str, list[str]]] = {}
    for header in headers:
        field = lookup.get(normalise_header(header))
        spec = mapping.columns.get(field) if field else None
        if field and spec and header not in spec.columns:
            out.setdefault(field, (str(spec.column), []))[1].append(header)
    return out


def resolve_column(headers: list[str], wanted: str) -> int | None:
    """Index of a header: exact, else ignoring surrounding spaces, else ignoring case.

    Raises ValueError when the looser match is ambiguous."""
    if wanted in headers:
        hits = [i for i, h in enumerate(headers) if h == wanted]
    else:
        hits = [i for i, h in enumerate(headers) if h.strip() == wanted.strip()]
        if not hits:
            hits = [
                i
                for i, h in enumerate(headers)
                if h.strip().casefold() == wanted.strip().casefold()
            ]
    if len(hits) > 1:
        raise ValueError(f"column {wanted!r} appears {len(hits)} times in the header")
    return hits[0] if hits else None
