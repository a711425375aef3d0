"""A corpus of hostile and malformed inputs to the CLI, each with the exit code and the
words its message must contain. `make test` runs every case on SQLite and PostgreSQL:
each must end in a clear message, no traceback, and nothing written (vault included).

The files are built here rather than committed: several are large (a 200 KiB field, a
workbook whose shared strings expand a thousandfold) or are made to be dangerous."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

INPUT, CONFIG, STORE, NOT_FOUND = 6, 2, 3, 4
HEADER = "name,sex,birth_date,contact\n"
ROW = "FICTIONAL Aygul Tursun,female,1980,+1 555 0100\n"


@dataclass(frozen=True)
class Case:
    id: str
    kind: str  # the class of input, as the closing note counts them
    files: dict[str, bytes | Callable[[], bytes]]
    args: tuple[str, ...]  # {dir} is the case's folder
    code: int
    says: str  # a fragment the message must contain (case-insensitive)
    env: dict[str, str] = field(default_factory=dict)
    reads_store: bool = True  # the command opens the store (so its key is checked)

    def materialise(self, folder: Path) -> list[str]:
        for name, body in self.files.items():
            data = body() if callable(body) else body
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        return [a.replace("{dir}", str(folder)) for a in self.args]


def imp(name: str, *extra: str) -> tuple[str, ...]:
    return ("import", "{dir}/" + name, "--source", "FICTIONAL hostile", *extra)


def csv_case(cid: str, kind: str, body: bytes | str, says: str, *extra: str,
             name: str = "in.csv", code: int = INPUT) -> Case:  # fmt: skip
    data = body.encode("utf-8") if isinstance(body, str) else body
    return Case(cid, kind, {name: data}, imp(name, *extra), code, says)


def _xlsx(sheet_xml: str, shared: str | None = None, extra: dict[str, bytes] | None = None):
    def build() -> bytes:
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
            z.writestr(
                "[Content_Types].xml",
                '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/'
                'package/2006/content-types"><Default Extension="xml" ContentType='
                '"application/xml"/><Override PartName="/xl/workbook.xml" ContentType='
                '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"'
                '/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
                'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>',
            )
            z.writestr(
                "xl/workbook.xml",
                '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/'
                'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/'
                'officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" '
                'r:id="rId1"/></sheets></workbook>',
            )
            z.writestr(
                "xl/_rels/workbook.xml.rels",
                '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
                'openxmlformats.org/officeDocument/2006/relationships/worksheet" '
                'Target="worksheets/sheet1.xml"/>'
                + (
                    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/'
                    'officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/>'
                    if shared is not None
                    else ""
                )
                + "</Relationships>",
            )
            z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
            if shared is not None:
                z.writestr("xl/sharedStrings.xml", shared)
            for name, data in (extra or {}).items():
                z.writestr(name, data)
        return out.getvalue()

    return build


def _sheet(rows: str) -> str:
    return (
        '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/'
        f'spreadsheetml/2006/main"><sheetData>{rows}</sheetData></worksheet>'
    )


def _shared_bomb() -> bytes:
    """A small workbook whose shared-strings table expands to over 2 GB when read."""
    cell = "x" * 100_000
    strings = "".join(f"<si><t>{cell}</t></si>" for _ in range(200))
    table = (
        f'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">{strings}</sst>'
    )
    rows = '<row r="1"><c r="A1" t="s"><v>0</v></c></row>'
    return _xlsx(_sheet(rows), table * 120)()


def _deep_json(depth: int) -> bytes:
    return ("[" + '{"name":' * depth + '"x"' + "}" * depth + "]").encode()


def _zip_bytes(names: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, b in names.items():
            z.writestr(n, b)
    return out.getvalue()


MAPPING_OK = "kind: person_record\ncolumns:\n  name: name\n"


def mapping_case(cid: str, yaml_text: str | bytes, says: str, code: int = INPUT) -> Case:
    data = yaml_text.encode("utf-8") if isinstance(yaml_text, str) else yaml_text
    return Case(
        cid,
        "mapping file",
        {"in.csv": (HEADER + ROW).encode(), "map.yml": data},
        imp("in.csv", "--mapping", "{dir}/map.yml"),
        code,
        says,
    )


CASES: list[Case] = [
    # --- delimited text: structure -----------------------------------------------
    csv_case(
        "csv-unterminated-quote-at-end",
        "csv structure",
        'name,notes\nAlim,"unclosed\nBob,x\nCarol,y\n',
        "quote",
    ),
    csv_case(
        "csv-unterminated-quote-mid",
        "csv structure",
        'name,notes\nA,ok\nB,"never closed\nC,x\n',
        "quote",
    ),
    csv_case("csv-ragged-row", "csv structure", "name,sex\nA,female\nB,male,extra\n", "cells"),
    csv_case("csv-ragged-short", "csv structure", "name,sex,notes\nA,female\n", "cells"),
    csv_case("csv-empty", "csv structure", b"", "empty"),
    csv_case("csv-whitespace-only", "csv structure", "   \n\n  \n", "empty"),
    csv_case("csv-header-only", "csv structure", "name,sex\n", "no data rows"),
    csv_case("csv-blank-header", "csv structure", ",,\nA,B,C\n", "header"),
    csv_case("csv-nul-bytes", "csv structure", b"name,sex\nA\x00B,female\n", "binary"),
    csv_case("csv-binary-garbage", "csv structure", bytes(range(256)) * 40, "binary"),
    csv_case("csv-bom-only", "csv structure", b"\xef\xbb\xbf", "header"),
    csv_case(
        "csv-huge-field-no-delimiter",
        "csv structure",
        "name,notes\nA," + "x" * 200_000 + "\n",
        "imported",
        code=0,
    ),
    csv_case(
        "tsv-that-is-comma-separated",
        "csv structure",
        "name,sex\nA,female\nB,male\n",
        "delimiter",
        name="in.tsv",
    ),
    csv_case("csv-no-known-column", "csv structure", "foo,bar\n1,2\n", "no "),
    csv_case("csv-only-unmapped-values", "csv structure", "name,sex,other\n,,1\n,,2\n", "value"),
    Case(
        "csv-declared-wrong-encoding",
        "csv structure",
        {
            "in.csv": "name\nÄygül\n".encode(),
            "m.yml": b"encoding: latin-1\ncolumns:\n  name: name\n",
        },
        imp("in.csv", "--mapping", "{dir}/m.yml"),
        INPUT,
        "encoding",
    ),
    csv_case(
        "csv-latin1-stray-bytes",
        "csv structure",
        b"name,sex\nA\xff\xfe\xfd,female\n",
        "imported",
        code=0,
    ),
    # --- delimited text: values ----------------------------------------------------
    csv_case("value-bad-sex", "values", "name,sex\nA,spaceship\n", "sex"),
    csv_case("value-impossible-date", "values", "name,birth_date\nA,1955-11-92\n", "date"),
    csv_case("value-month-45", "values", "name,birth_date\nA,1940-45-02\n", "date"),
    csv_case("value-date-words", "values", "name,birth_date\nA,last spring\n", "date"),
    csv_case("value-future-date-garbage", "values", "name,detained\nA,2019-02-30\n", "date"),
    csv_case(
        "value-latitude-out-of-range",
        "values",
        "name,latitude,longitude\nCamp,95,80\n",
        "latitude",
        "--kind",
        "facility",
    ),
    csv_case(
        "value-longitude-text",
        "values",
        "name,latitude,longitude\nCamp,40,east\n",
        "number",
        "--kind",
        "facility",
    ),
    csv_case(
        "value-tier-not-int",
        "values",
        "name,security_tier\nCamp,high\n",
        "whole number",
        "--kind",
        "facility",
    ),
    csv_case(
        "value-capacity-float",
        "values",
        "name,capacity\nCamp,10.5\n",
        "whole number",
        "--kind",
        "facility",
    ),
    csv_case(
        "value-act-type-unknown", "values", "type,victim\nsomething,\n", "act", "--kind", "act"
    ),
    csv_case(
        "value-act-type-missing", "values", "type,place\n,Kashgar\n", "required", "--kind", "act"
    ),
    csv_case(
        "value-act-victim-unknown",
        "values",
        "type,victim\ntorture_or_ill_treatment,NOBODY\n",
        "person_records",
        "--kind",
        "act",
    ),
    csv_case(
        "value-allegation-act-unknown",
        "values",
        "act,credibility\nNO-SUCH-ACT,2\n",
        "acts",
        "--kind",
        "allegation",
    ),
    csv_case(
        "value-credibility-9",
        "values",
        "act,credibility\nX,9\n",
        "credibility",
        "--kind",
        "allegation",
    ),
    csv_case(
        "value-stance-unknown", "values", "act,stance\nX,maybe\n", "stance", "--kind", "allegation"
    ),
    csv_case(
        "value-observation-no-date",
        "values",
        "facility,observed\nF1,\n",
        "required",
        "--kind",
        "facility_observation",
    ),
    csv_case(
        "value-observation-change-unknown",
        "values",
        "facility,observed,change\nF1,2019,exploded\n",
        "change",
        "--kind",
        "facility_observation",
    ),
    csv_case("value-role-unknown", "values", "name,role\nA,bystander-ish\n", "role"),
    csv_case("value-many-bad-rows", "values", "name,sex\n" + "A,alien\n" * 500, "500 problem"),
    # --- JSON -------------------------------------------------------------------------
    csv_case("json-not-json", "json", "this is not json", "json", name="in.json"),
    csv_case("json-truncated", "json", '[{"name": "A"}, {"name": "B"', "json", name="in.json"),
    csv_case("json-object-not-array", "json", '{"name": "A"}', "json", name="in.json"),
    csv_case("json-object-as-name", "json", '[{"name": {"first": "A"}}]', "name", name="in.json"),
    csv_case("json-list-as-sex", "json", '[{"name": "A", "sex": ["male"]}]', "sex", name="in.json"),
    csv_case(
        "json-duplicate-keys",
        "json",
        '[{"name": "A", "name": "B"}]',
        "more than once",
        name="in.json",
    ),
    csv_case("json-deep-nesting", "json", _deep_json(100_000), "deep", name="in.json"),
    csv_case("json-elements-not-objects", "json", "[1, 2, 3]", "object", name="in.json"),
    csv_case("json-empty-array", "json", "[]", "no records", name="in.json"),
    csv_case("json-trailing-garbage", "json", '[{"name": "A"}] trailing', "json", name="in.json"),
    csv_case("jsonl-bad-line", "json", '{"name": "A"}\n{"name": \n', "json", name="in.jsonl"),
    csv_case("jsonl-array-line", "json", '{"name": "A"}\n["B"]\n', "object", name="in.jsonl"),
    csv_case(
        "jsonl-duplicate-keys",
        "json",
        '{"name": "A", "name": "B"}\n',
        "more than once",
        name="in.jsonl",
    ),
    csv_case(
        "jsonl-deep",
        "json",
        b'{"name": ' + b"[" * 50_000 + b"]" * 50_000 + b"}\n",
        "deep",
        name="in.jsonl",
    ),
    csv_case("json-nan-literal", "json", '[{"name": NaN}]', "not a json value", name="in.json"),
    csv_case(
        "json-utf16-garbage", "json", '[{"name": "A"}]'.encode("utf-32"), "json", name="in.json"
    ),
    # --- XLSX ---------------------------------------------------------------------------
    csv_case("xlsx-empty", "xlsx", b"", "empty", name="in.xlsx"),
    csv_case("xlsx-not-a-zip", "xlsx", b"PK\x03\x04 but not really a zip", "xlsx", name="in.xlsx"),
    csv_case(
        "xlsx-old-binary-xls",
        "xlsx",
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600,
        "xls",
        name="in.xls",
    ),
    Case(
        "xlsx-shared-strings-bomb",
        "xlsx",
        {"in.xlsx": _shared_bomb},
        imp("in.xlsx"),
        INPUT,
        "limit",
    ),
    Case("xlsx-no-header", "xlsx", {"in.xlsx": _xlsx(_sheet(""))}, imp("in.xlsx"), INPUT, "empty"),
    Case(
        "xlsx-missing-sheet-part",
        "xlsx",
        {"in.xlsx": lambda: _zip_bytes({"[Content_Types].xml": b"<Types/>"})},
        imp("in.xlsx"),
        INPUT,
        "xlsx",
    ),
    Case(
        "xlsx-bad-xml",
        "xlsx",
        {"in.xlsx": _xlsx('<?xml version="1.0"?><worksheet><sheetData><row><c')},
        imp("in.xlsx"),
        INPUT,
        "not a readable xlsx",
    ),
    Case(
        "xlsx-value-right-of-header",
        "xlsx",
        {
            "in.xlsx": _xlsx(
                _sheet(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is></c></row>'
                    '<row r="2"><c r="A2" t="inlineStr"><is><t>A</t></is></c>'
                    '<c r="C2" t="inlineStr"><is><t>stray</t></is></c></row>'
                )
            )
        },
        imp("in.xlsx"),
        INPUT,
        "right of the last header",
    ),
    Case(
        "xlsx-bad-shared-index",
        "xlsx",
        {
            "in.xlsx": _xlsx(
                _sheet('<row r="1"><c r="A1" t="s"><v>99</v></c></row>'),
                '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/'
                '2006/main"><si><t>name</t></si></sst>',
            )
        },
        imp("in.xlsx"),
        INPUT,
        "xlsx",
    ),
    Case(
        "xlsx-mapping-asks-missing-sheet",
        "xlsx",
        {
            "in.xlsx": _xlsx(
                _sheet(
                    '<row r="1"><c r="A1" t="inlineStr"><is><t>name</t></is>'
                    '</c></row><row r="2"><c r="A2" t="inlineStr"><is><t>A</t>'
                    "</is></c></row>"
                )
            ),
            "map.yml": b"kind: person_record\nsheet: Nope\ncolumns:\n  name: name\n",
        },
        imp("in.xlsx", "--mapping", "{dir}/map.yml"),
        INPUT,
        "sheet",
    ),
    csv_case("xlsx-that-is-csv", "xlsx", HEADER + ROW, "xlsx", name="in.xlsx"),
    # --- mapping files -----------------------------------------------------------------
    mapping_case(
        "map-billion-laughs",
        'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
        "b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
        "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
        "f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n",
        "alias",
    ),
    mapping_case("map-merge-key-alias", "base: &b {name: name}\ncolumns:\n  <<: *b\n", "alias"),
    mapping_case("map-not-a-mapping", "- just\n- a list\n", "mapping"),
    mapping_case("map-not-yaml", "kind: [unclosed\n", "yaml"),
    mapping_case("map-unknown-field", MAPPING_OK + "  shoe_size: sex\n", "shoe_size"),
    mapping_case("map-unknown-kind", "kind: spaceship\n", "kind"),
    mapping_case(
        "map-bad-values-vocab",
        MAPPING_OK + "  sex:\n    column: sex\n    values:\n      m: man\n",
        "vocabulary",
    ),
    mapping_case(
        "map-bad-date-format",
        MAPPING_OK + "  birth_date:\n    column: birth_date\n    date_format: whenever\n",
        "date_format",
    ),
    mapping_case("map-delimiter-too-long", "delimiter: ';;'\n" + MAPPING_OK, "delimiter"),
    mapping_case("map-unknown-encoding", "encoding: klingon-8\n" + MAPPING_OK, "encoding"),
    mapping_case("map-constant-unknown-field", MAPPING_OK + "constants:\n  nope: x\n", "nope"),
    mapping_case("map-constant-bad-vocab", MAPPING_OK + "constants:\n  sex: alien\n", "sex"),
    mapping_case("map-column-and-constant", MAPPING_OK + "constants:\n  name: x\n", "also"),
    mapping_case(
        "map-script-on-non-name",
        MAPPING_OK + "  sex:\n    column: sex\n    script: han\n",
        "script",
    ),
    mapping_case("map-missing-column", "kind: person_record\ncolumns:\n  name: nom\n", "nom"),
    mapping_case("map-extra-top-key", MAPPING_OK + "surprise: 1\n", "surprise"),
    mapping_case("map-bad-source-grade", MAPPING_OK + "source:\n  reliability: Z\n", "reliability"),
    mapping_case("map-bad-source-kind", MAPPING_OK + "source:\n  kind: gossip\n", "kind"),
    mapping_case("map-not-utf8", b"kind: person_record\ncolumns:\n  name: \xff\xfe\n", "utf"),
    mapping_case("map-huge", "# " + "x" * (2 << 20) + "\n" + MAPPING_OK, "limit"),
    mapping_case(
        "map-derived-from-missing",
        MAPPING_OK + "source:\n  derived_from: Nowhere\n",
        "Nowhere",
        code=NOT_FOUND,
    ),
    Case(
        "map-file-missing",
        "mapping file",
        {"in.csv": (HEADER + ROW).encode()},
        imp("in.csv", "--mapping", "{dir}/nope.yml"),
        INPUT,
        "nope.yml",
    ),
    Case(
        "map-is-a-directory",
        "mapping file",
        {"in.csv": (HEADER + ROW).encode(), "dir.yml/x": b""},
        imp("in.csv", "--mapping", "{dir}/dir.yml"),
        INPUT,
        "dir.yml",
    ),
    # --- command-line arguments -----------------------------------------------------------
    Case(
        "arg-kind-spaceship",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        imp("in.csv", "--kind", "spaceship"),
        2,
        "spaceship",
        reads_store=False,
    ),
    Case(
        "arg-source-empty",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        ("import", "{dir}/in.csv", "--source", ""),
        INPUT,
        "source",
    ),
    Case(
        "arg-source-newline",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        ("import", "{dir}/in.csv", "--source", "evil\nname"),
        INPUT,
        "source",
    ),
    Case(
        "arg-source-too-long",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        ("import", "{dir}/in.csv", "--source", "x" * 300),
        INPUT,
        "200",
    ),
    Case(
        "arg-source-spaces",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        ("import", "{dir}/in.csv", "--source", " padded "),
        INPUT,
        "source",
    ),
    Case("arg-file-missing", "arguments", {}, imp("missing.csv"), INPUT, "missing.csv"),
    Case("arg-file-is-directory", "arguments", {"d.csv/x": b""}, imp("d.csv"), INPUT, "d.csv"),
    Case(
        "arg-limit-unknown",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        imp("in.csv", "--limit", "bananas=3"),
        CONFIG,
        "bananas",
    ),
    Case(
        "arg-limit-not-a-number",
        "arguments",
        {"in.csv": (HEADER + ROW).encode()},
        imp("in.csv", "--limit", "json_depth=deep"),
        CONFIG,
        "json_depth",
    ),
    Case(
        "arg-export-out-missing-folder",
        "arguments",
        {},
        ("export", "sources", "--out", "{dir}/no/such/x.csv"),
        CONFIG,
        "does not exist",
    ),
    Case(
        "arg-export-out-directory",
        "arguments",
        {"outdir/x": b""},
        ("export", "sources", "--out", "{dir}/outdir"),
        CONFIG,
        "directory",
    ),
    Case(
        "arg-export-unknown-table", "arguments", {}, ("export", "passwords"), NOT_FOUND, "passwords"
    ),
    Case(
        "arg-export-bad-format",
        "arguments",
        {},
        ("export", "sources", "--format", "xml"),
        CONFIG,
        "xml",
    ),
    Case(
        "arg-estimate-out-is-file",
        "arguments",
        {"est": b"a file"},
        ("estimate", "--out", "{dir}/est"),
        CONFIG,
        "not a folder",
    ),
    Case(
        "arg-estimate-out-proc",
        "arguments",
        {},
        ("estimate", "--out", "/proc/nope/out"),
        CONFIG,
        "cannot be written",
    ),
    Case(
        "arg-assess-bad-standard",
        "arguments",
        {},
        ("assess", "--standard", "vibes"),
        INPUT,
        "vibes",
    ),
    Case(
        "arg-assess-bad-policy",
        "arguments",
        {"p.yml": b"name: x\nversion: 1\n"},
        ("assess", "--policy", "{dir}/p.yml"),
        INPUT,
        "policy",
    ),
    Case(
        "arg-source-add-bad-grade",
        "arguments",
        {},
        ("source", "add", "FICTIONAL s", "--kind", "media", "--reliability", "Q"),
        INPUT,
        "reliability",
    ),
    Case(
        "arg-source-add-bad-kind",
        "arguments",
        {},
        ("source", "add", "FICTIONAL s", "--kind", "gossip", "--reliability", "B"),
        INPUT,
        "kind",
    ),
    Case(
        "arg-source-grade-unknown",
        "arguments",
        {},
        ("source", "grade", "nobody", "--reliability", "B", "--rationale", "x"),
        NOT_FOUND,
        "nobody",
    ),
    Case(
        "arg-judge-unknown-element",
        "arguments",
        {},
        ("assess", "judge", "vibes", "--met", "yes", "--rationale", "x"),
        INPUT,
        "vibes",
    ),
    Case(
        "arg-evidence-unknown-source",
        "arguments",
        {"note.txt": b"FICTIONAL"},
        ("evidence", "add", "{dir}/note.txt", "--source", "nobody"),
        NOT_FOUND,
        "nobody",
    ),
    Case(
        "arg-link-explain-unknown",
        "arguments",
        {},
        ("link", "explain", "1", "2"),
        NOT_FOUND,
        "link",
    ),
    Case(
        "arg-audit-published-junk",
        "arguments",
        {"head.json": b"{not json"},
        ("audit", "verify", "--published", "{dir}/head.json"),
        CONFIG,
        "head",
    ),
    # --- the store and the key -----------------------------------------------------------
    Case(
        "store-db-is-a-csv",
        "store and key",
        {"not.db": (HEADER + ROW).encode()},
        ("--db", "{dir}/not.db", "export", "sources"),
        STORE,
        "not a credible store",
    ),
    Case(
        "store-db-is-a-directory",
        "store and key",
        {"dir.db/x": b""},
        ("--db", "{dir}/dir.db", "export", "sources"),
        STORE,
        "directory",
    ),
    Case(
        "store-db-missing",
        "store and key",
        {},
        ("--db", "{dir}/none.db", "search", "x"),
        STORE,
        "credible init",
    ),
    Case(
        "key-file-missing",
        "store and key",
        {},
        ("export", "sources"),
        CONFIG,
        "no key file",
        env={"CREDIBLE_KEY_FILE": "{dir}/missing-key"},
    ),
    Case(
        "key-file-junk",
        "store and key",
        {"junk-key": b"not a key at all"},
        ("export", "sources"),
        CONFIG,
        "not a credible key file",
        env={"CREDIBLE_KEY_FILE": "{dir}/junk-key"},
    ),
    Case(
        "key-file-other",
        "store and key",
        {"other-key": b"ZmFrZWtleWZha2VrZXlmYWtla2V5ZmFrZWtleWZha2U="},
        ("export", "sources"),
        CONFIG,
        "is not the key of the store",
        env={"CREDIBLE_KEY_FILE": "{dir}/other-key"},
    ),
    Case(
        "key-file-directory",
        "store and key",
        {"kdir/x": b""},
        ("export", "sources"),
        CONFIG,
        "directory",
        env={"CREDIBLE_KEY_FILE": "{dir}/kdir"},
    ),
    Case(
        "env-lock-timeout-junk",
        "store and key",
        {},
        ("export", "sources"),
        CONFIG,
        "CREDIBLE_LOCK_TIMEOUT",
        env={"CREDIBLE_LOCK_TIMEOUT": "soon"},
    ),
]


def classes() -> dict[str, int]:
    out: dict[str, int] = {}
    for c in CASES:
        out[c.kind] = out.get(c.kind, 0) + 1
    return out


if __name__ == "__main__":
    print(json.dumps(classes(), indent=1), len(CASES))
