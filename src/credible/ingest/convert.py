"""Raw string columns → typed, validated columns of one kind, vectorised with pyarrow.

Every format reader hands over the cells as strings (one Arrow array per source
column); this module trims them, recodes, parses and checks them column by column.
Python only loops over *unique* values (dates, vocabulary codes) and over rows that
have a problem.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from credible.errors import InputError, Problem
from credible.ingest.dates import DateValue, parse_date_column
from credible.ingest.mapping import NAME_FIELDS, ColumnSpec, Mapping, resolve_column
from credible.model import check_id_number
from credible.model.fields import ID_NUMBER_DERIVED, Field, looks_sensitive
from credible.model.vocab import vocabulary

_INT = r"^[+-]?\d{1,18}(\.0*)?$"
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d{1,3})?$"
RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0)}
_NULL = pa.scalar(None, pa.string())
# Besides vocabulary fields, the types stored as text whose normalising (values:, dates)
# can change what was written; numbers are numbers, so their spelling is not kept.
_TEXTUAL = ("text", "edtf")
AS_WRITTEN = "as_written"


@dataclass
class _Plan:
    field: Field
    spec: ColumnSpec | None
    sources: list[int]
    constant: str | None


def _column(
    headers: list[str], wanted: str, missing: str, file: str, problems: list[Problem]
) -> int | None:
    """The index of a column a mapping names, or None with the problem recorded."""
    try:
        idx = resolve_column(headers, wanted)
    except ValueError as exc:
        problems.append(Problem(file, None, wanted, str(exc)))
        return None
    if idx is None:
        problems.append(Problem(file, None, wanted, missing))
    return idx


def _header_shown(header: str) -> str:
    """A header as an error may show it. A file without a header row has a data row
    there, which may hold a phone number or an e-mail address: such a cell is not shown."""
    if "@" in header or len(re.findall(r"\d", header)) >= 6:
        return "[a value that looks like contact details]"
    return repr(header)


def clean(column: pa.Array) -> pa.Array:
    """Trim surrounding white space; an empty cell becomes null."""
    trimmed = pc.utf8_trim_whitespace(column)
    return pc.if_else(pc.greater(pc.utf8_length(trimmed), 0), trimmed, _NULL)


def blank_rows(columns: list[pa.Array]) -> np.ndarray:
    """Boolean mask of rows whose every (cleaned) cell is null."""
    if not columns:
        return np.zeros(0, dtype=bool)
    mask = np.ones(len(columns[0]), dtype=bool)
    for col in columns:
        mask &= col.is_null().to_numpy(zero_copy_only=False)
    return mask


class Converter:
    """Turns batches of raw cells into the table a kind's importer expects."""

    def __init__(self, mapping: Mapping, headers: list[str], file: str) -> None:
        self.mapping = mapping
        self.headers = headers
        self.file = file
        self.date_cache: dict[str, DateValue] = {}
        problems: list[Problem] = []
        used: set[int] = set()
        self.plans: list[_Plan] = []
        for field in mapping.fields:
            spec = mapping.columns.get(field.name)
            sources = []
            for wanted in spec.columns if spec else []:
                missing = f"mapped column for {field.name} is missing"
                idx = _column(headers, wanted, missing, file, problems)
                if idx is not None:
                    sources.append(idx)
                    used.add(idx)
            self.plans.append(_Plan(field, spec, sources, mapping.constants.get(field.name)))
        self.keep: list[tuple[str, int]] = []
        if mapping.keep_columns == "all":
            seen: set[str] = set()
            for i, header in enumerate(headers):
                if i in used:
                    continue
                key = header.strip() or f"column {i + 1}"
                while key in seen or key == AS_WRITTEN:
                    key += "'"
                seen.add(key)
                self.keep.append((key, i))
        else:
            for wanted in mapping.keep_columns:
                idx = _column(headers, wanted, "column to keep is missing", file, problems)
                if idx is not None:
                    self.keep.append((wanted, idx))
        for wanted in mapping.sealed_columns:
            idx = _column(headers, wanted, "column to seal is missing", file, problems)
            if idx is not None and idx not in used and all(i != idx for _, i in self.keep):
                self.keep.append((wanted, idx))
        if problems:
            shown = ", ".join(_header_shown(h) for h in headers[:40])
            raise InputError(problems, f"{file}: the header does not match the mapping ({shown})")
        # Kept columns of contact details are sealed, not kept in clear.
        declared = {resolve_column(headers, c) for c in mapping.sealed_columns}
        self.keep_sealed = [
            (key, i) for key, i in self.keep if i in declared or looks_sensitive(headers[i])
        ]
        self.keep = [pair for pair in self.keep if pair not in self.keep_sealed]
        self.name_fields = NAME_FIELDS.get(mapping.kind, ())
        self.any_mapped = False  # has a row had a value in any mapped column yet?

    @property
    def mapped_columns(self) -> set[int]:
        """The columns that fields are read from."""
        return {i for p in self.plans for i in p.sources}

    def mapped_names(self) -> list[str]:
        """``field ← 'Header'`` for every field read from a column."""
        return [
            f"{p.field.name} ← {', '.join(repr(self.headers[i]) for i in p.sources)}"
            for p in self.plans
            if p.sources
        ]

    def schema(self) -> pa.Schema:
        out: list[pa.Field] = []
        for p in self.plans:
            out.append(pa.field(p.field.name, _arrow_type(p.field)))
        out.append(pa.field("source_row", pa.int64()))
        for p in self.plans:
            if p.field.type == "edtf":
                out += [pa.field(p.field.name + "_min", pa.date32())]
                out += [pa.field(p.field.name + "_max", pa.date32())]
            if p.field.type == "id_number":
                out += [pa.field(c, pa.string()) for c in ID_NUMBER_DERIVED]
        out += [pa.field(f + "_script", pa.string()) for f in self.name_fields]
        out.append(pa.field("extra", pa.string()))
        out.append(pa.field("extra_sealed", pa.string()))  # the importer seals it
        return pa.schema(out)

    def convert(self, raw: list[pa.Array], source_row: pa.Array) -> tuple[pa.Table, list[Problem]]:
        """``raw``: cleaned string columns, one per header; ``source_row``: int64."""
        n = len(source_row)
        rows = source_row.to_numpy(zero_copy_only=False)
        problems: list[Problem] = []
        cols: dict[str, pa.Array] = {}
        extra_dates: dict[str, pa.Array] = {}
        as_written: list[tuple[str, pa.Array]] = []
        for p in self.plans:
            name = p.field.name
            where = self.headers[p.sources[0]] if p.sources else name
            written = self._gather(p, raw, n)
            if p.sources and not self.any_mapped:
                self.any_mapped = written.null_count < n
            values = written
            if p.spec and p.spec.default is not None:
                values = pc.fill_null(values, p.spec.default)
            if p.spec and p.spec.values and not p.field.type.startswith("vocab:"):
                values = _recode(values, p.spec.values, None)
            kind = p.field.type
            if kind.startswith("vocab:"):
                original = values
                table = (p.spec.values if p.spec else None) or {}
                values = _recode(original, table, kind[6:])
                bad = np.nonzero(
                    pc.and_(values.is_null(), original.is_valid()).to_numpy(zero_copy_only=False)
                )[0]
                if len(bad):
                    voc = vocabulary(kind[6:])
                    expected = f"expected one of the {voc.name} codes: {voc.describe()}"
                    if table:
                        expected += " (or a raw value listed under values:)"
                    problems += self._report(p, bad, rows, where, expected, original)
            elif kind == "int":
                ok = pc.fill_null(pc.match_substring_regex(values, _INT), True)
                problems += self._report_mask(p, ok, rows, where, "expected a whole number", values)
                digits = pc.replace_substring_regex(values, r"\.0*$", "")
                values = pc.cast(pc.if_else(ok, digits, _NULL), pa.int64())
            elif kind == "float":
                ok = pc.fill_null(pc.match_substring_regex(values, _FLOAT), True)
                problems += self._report_mask(p, ok, rows, where, "expected a number", values)
                numbers = pc.cast(pc.if_else(ok, values, _NULL), pa.float64())
                if name in RANGES:
                    lo, hi = RANGES[name]
                    inside = pc.fill_null(
                        pc.and_(pc.greater_equal(numbers, lo), pc.less_equal(numbers, hi)), True
                    )
                    problems += self._report_mask(
                        p,
                        inside,
                        rows,
                        where,
                        f"expected a {name} between {lo:g} and {hi:g}",
                        values,
                    )
                    numbers = pc.if_else(inside, numbers, pa.scalar(None, pa.float64()))
                values = numbers
            elif kind == "edtf":
                formats = p.spec.date_formats if p.spec else ["edtf"]
                parsed = parse_date_column(values, formats, self.date_cache)
                for i, why in zip(parsed.bad, parsed.errors, strict=True):
                    problems += self._report(p, np.array([i]), rows, where, why, values)
                extra_dates[name + "_min"] = parsed.lower
                extra_dates[name + "_max"] = parsed.upper
                values = parsed.normalised
            elif kind == "id_number":
                # Kept as written; an invalid number is flagged on its row, not refused:
                # a list is evidence, and a mistyped number still links (by its parts).
                extra_dates.update(id_number_columns(values))
            if p.field.required:
                missing = np.nonzero(values.is_null().to_numpy(zero_copy_only=False))[0]
                problems += self._report(
                    p, missing, rows, where, f"a value for {name} is required", keepable=False
                )
            cols[name] = values
            # A sensitive field's text is sealed in its column; extra is not sealed.
            if p.sources and not p.field.sensitive:
                # What was written and did not survive validation (kept by --keep-invalid);
                # for text, vocabulary and dates also what normalising changed.
                differs = pc.and_(values.is_null(), written.is_valid())
                if kind in _TEXTUAL or kind.startswith("vocab:"):
                    differs = pc.or_(differs, pc.fill_null(pc.not_equal(values, written), False))
                if pc.any(differs).as_py():
                    as_written.append((name, pc.if_else(differs, written, _NULL)))
        cols["source_row"] = source_row
        cols.update(extra_dates)
        for f in self.name_fields:
            spec = self.mapping.columns.get(f)
            script = spec.script if spec else None
            cols[f + "_script"] = (
                pc.if_else(cols[f].is_valid(), pa.scalar(script, pa.string()), _NULL)
                if script
                else pa.nulls(n, pa.string())
            )
        cols["extra"] = self._extra(raw, n, self.keep, as_written)
        cols["extra_sealed"] = self._extra(raw, n, self.keep_sealed, [])
        return pa.Table.from_arrays(list(cols.values()), schema=self.schema()), problems

    def _gather(self, p: _Plan, raw: list[pa.Array], n: int) -> pa.Array:
        """The cells as written (trimmed; several columns joined), before any default."""
        if p.constant is not None:
            return pc.fill_null(pa.nulls(n, pa.string()), p.constant)
        if not p.sources:
            return pa.nulls(n, pa.string())
        if len(p.sources) == 1:
            values = raw[p.sources[0]]
        else:
            parts = [
                pc.fill_null(pc.binary_join_element_wise("; ", raw[i], ""), "") for i in p.sources
            ]
            joined = pc.utf8_slice_codeunits(pc.binary_join_element_wise(*parts, ""), 2)
            values = pc.if_else(pc.equal(joined, ""), _NULL, joined)
        return values

    def _report_mask(
        self,
        p: _Plan,
        ok: pa.Array,
        rows: np.ndarray,
        where: str,
        expected: str,
        values: pa.Array,
    ) -> list[Problem]:
        bad = np.nonzero(~ok.to_numpy(zero_copy_only=False))[0]
        return self._report(p, bad, rows, where, expected, values)

    def _report(
        self,
        p: _Plan,
        bad: np.ndarray,
        rows: np.ndarray,
        where: str,
        expected: str,
        values: pa.Array | None = None,
        keepable: bool = True,
    ) -> list[Problem]:
        """Every problem the converter finds is made here. The value of a field the model
        declares sensitive is never put in a problem: problems are printed and logged,
        and that value is sealed everywhere else. A value that failed validation is
        ``keepable`` (``import --keep-invalid``); a missing required one is not."""
        if p.field.sensitive and values is not None:
            values = None
            expected += f" (the value is not shown: {p.field.name} is sensitive)"
        return [
            Problem(
                self.file,
                int(rows[i]),
                where,
                expected,
                None if values is None else values[int(i)].as_py(),
                field=p.field.name,
                keepable=keepable,
            )
            for i in bad
        ]

    @staticmethod
    def _extra(
        raw: list[pa.Array],
        n: int,
        keep: list[tuple[str, int]],
        as_written: list[tuple[str, pa.Array]],
    ) -> pa.Array:
        """A JSON object per row: the kept columns' non-empty cells and, under
        ``as_written``, the text of mapped fields whose stored value differs from it.
        Built without a per-row loop: escape, wrap as ``"key":"value"`` and join."""
        kept = _members([(key, raw[idx]) for key, idx in keep], n)
        if as_written:
            inner = _members(as_written, n)
            written = pc.if_else(
                pc.equal(inner, ""),
                "",
                pc.binary_join_element_wise('"as_written":{', inner, "}", ""),
            )
            comma = pc.if_else(pc.and_(pc.not_equal(kept, ""), pc.not_equal(written, "")), ",", "")
            body = pc.binary_join_element_wise(kept, comma, written, "")
        else:
            body = kept
        wrapped = pc.binary_join_element_wise("{", body, "}", "")
        return pc.if_else(pc.equal(body, ""), _NULL, wrapped)


def _members(pairs: list[tuple[str, pa.Array]], n: int) -> pa.Array:
    """``"key":"value",...`` per row for the non-null values ("" when there are none)."""
    if not pairs:
        return pa.array([""] * n, pa.string())
    parts = []
    for key, col in pairs:
        esc = col
        for a, b in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\r", "\\r"), ("\t", "\\t")):
            esc = pc.replace_substring(esc, a, b)
        # Rarer control characters need \\u escapes; fall back to json.dumps for those rows.
        odd = pc.fill_null(pc.match_substring_regex(esc, r"[\x00-\x1f]"), False)
        if pc.any(odd).as_py():
            fixed = [
                json.dumps(v, ensure_ascii=False)[1:-1] if o else e
                for v, e, o in zip(col.to_pylist(), esc.to_pylist(), odd.to_pylist(), strict=True)
            ]
            esc = pa.array(fixed, pa.string())
        prefix = "," + json.dumps(key, ensure_ascii=False) + ':"'
        part = pc.binary_join_element_wise(prefix, esc, '"', "")
        parts.append(pc.fill_null(part, ""))
    # No nulls reach the join (pyarrow mishandles all-null inputs with null_handling).
    body = pc.binary_join_element_wise(*parts, "") if len(parts) > 1 else parts[0]
    return pc.utf8_slice_codeunits(body, 1)


def _recode(values: pa.Array, table: dict[str, str], vocab: str | None) -> pa.Array:
    """Map raw values through ``values:`` (exact, then ignoring case) and, for a
    vocabulary field, to its code (exact, then ignoring case, spaces and punctuation);
    unknown → null."""
    encoded = pc.dictionary_encode(values)
    folded = {k.casefold(): v for k, v in table.items()}
    codes: dict[str, str] = {}
    if vocab is not None:
        codes = {_code_key(c): c for c in vocabulary(vocab).codes}
    out: list[str | None] = []
    for raw in encoded.dictionary.to_pylist():
        value = table.get(raw) or folded.get(raw.casefold()) or raw
        if vocab is not None:
            value = value if value in codes.values() else codes.get(_code_key(value))
        out.append(value)
    return pa.array(out, pa.string()).take(encoded.indices)


def _code_key(text: str) -> str:
    """``Detention center``, ``detention-center`` and ``detention_center`` are one code."""
    return "_".join(re.findall(r"[^\W_]+", text.casefold()))


def id_number_columns(values: pa.Array) -> dict[str, pa.Array]:
    """The columns derived from written identity numbers (``ID_NUMBER_DERIVED``), one
    check per distinct number."""
    written = values.to_pylist()
    checks = {v: check_id_number(v) for v in set(written) if v is not None}
    out: dict[str, list[str | None]] = {c: [] for c in ID_NUMBER_DERIVED}
    for v in written:
        c = checks.get(v) if v is not None else None
        ok = c is not None and c.valid
        out["id_number_norm"].append(c.normalised if c else None)
        out["id_number_problem"].append("; ".join(c.problems) if c and not ok else None)
        out["id_number_birth_date"].append(c.birth.isoformat() if ok and c and c.birth else None)
        male = c.male if ok and c else None
        out["id_number_sex"].append(None if male is None else ("male" if male else "female"))
        out["id_number_region"].append(c.normalised[:6] if ok and c and c.normalised else None)
    return {k: pa.array(v, pa.string()) for k, v in out.items()}


def _arrow_type(field: Field) -> pa.DataType:
    return {"int": pa.int64(), "float": pa.float64()}.get(field.type, pa.string())
