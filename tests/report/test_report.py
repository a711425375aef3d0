"""The report of a FICTIONAL demo store: reproducible bytes, every number traced, the
public edition free of what it must not show, and a PDF whose pages are not blank."""

from __future__ import annotations

import json
import re
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from tests.report.conftest import DemoCase

from credible.report import build_report

DIGIT = re.compile(r"\d")
#: Static wording with digits, allowed only inside <span class="lit">.
LITERALS = {"art. 7"}


# Every test here reads a demo store built once per session (about 40 s).
pytestmark = pytest.mark.slow


def test_building_twice_gives_identical_html(demo_case: DemoCase, tmp_path: Path) -> None:
    for edition in ("internal", "public"):
        a = build_report(demo_case.store, tmp_path / f"{edition}-a", edition=edition, pdf=False)
        b = build_report(demo_case.store, tmp_path / f"{edition}-b", edition=edition, pdf=False)
        assert a.html.read_bytes() == b.html.read_bytes()
        assert a.json.read_bytes() == b.json.read_bytes()
    built = (demo_case.internal / "index.html").read_bytes()
    assert (tmp_path / "internal-a" / "index.html").read_bytes() == built


def _pdf_text(folder: Path) -> str:
    out = subprocess.run(
        ["pdftotext", "-layout", str(folder / "report.pdf"), "-"],
        capture_output=True,
        check=True,
        text=True,
    )
    return out.stdout


def _public_texts(case: DemoCase) -> dict[str, str]:
    return {
        "html": (case.public / "index.html").read_text(encoding="utf-8"),
        "json": (case.public / "report.json").read_text(encoding="utf-8"),
        "pdf": _pdf_text(case.public),
    }


def test_the_public_edition_shows_no_protected_value(demo_case: DemoCase) -> None:
    protected = [*demo_case.witness_names, *demo_case.contacts, *demo_case.confidential_sources]
    assert "testimony_archive" in demo_case.confidential_sources
    texts = _public_texts(demo_case)
    for where, text in texts.items():
        # JSON escapes nothing here (ensure_ascii=False), so a plain search finds names.
        found = [value for value in protected if value in text]
        assert not found, f"public {where} shows {found}"
    # ... while the internal edition does name the confidential sources, so the scan is
    # not vacuous, and the witness named in the judgement appears there.
    internal = (demo_case.internal / "index.html").read_text(encoding="utf-8")
    assert "testimony_archive" in internal
    assert demo_case.witness_names[0] in internal


def test_victims_are_named_in_public_only_with_consent(demo_case: DemoCase) -> None:
    internal = json.loads((demo_case.internal / "report.json").read_text(encoding="utf-8"))
    named = {k.split(":", 1)[1] for k in internal["refs"] if k.startswith("person:")}
    assert demo_case.consenting_victim in named and len(named) > 3
    texts = _public_texts(demo_case)
    others = named - {demo_case.consenting_victim}
    for where, text in texts.items():
        assert not [n for n in others if n in text], f"public {where} names a victim"
    assert demo_case.consenting_victim in texts["html"]
    public = json.loads(texts["json"])
    pseudonyms = [k for k in public["refs"] if k.startswith("person:P-")]
    assert len(pseudonyms) >= len(others) - 1


class _Scan(HTMLParser):
    """Every text with a digit, with the figure, ref or literal it sits in."""

    SKIP = frozenset({"style", "svg", "head", "script"})
    VOID = frozenset({"br", "meta", "col", "img", "hr", "link", "input"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, dict[str, str | None]]] = []
        self.loose: list[str] = []
        self.figures: list[tuple[str, str]] = []  # (key, text)
        self.refs: list[tuple[str, str]] = []
        self.lits: list[str] = []
        self._open: list[tuple[str, str, list[str]]] = []  # (kind, key, texts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.VOID:
            if self._open:
                self._open[-1][2].append(" ")
            return
        a = dict(attrs)
        self.stack.append((tag, a))
        if "data-figure" in a and tag != "figure":
            self._open.append(("figure", str(a["data-figure"]), []))
        elif "data-ref" in a:
            self._open.append(("ref", str(a["data-ref"]), []))
        elif a.get("class") == "lit":
            self._open.append(("lit", "", []))
        else:
            self._open.append(("", "", []))

    def handle_endtag(self, tag: str) -> None:
        if tag in self.VOID or not self.stack:
            return
        self.stack.pop()
        kind, key, texts = self._open.pop()
        text = "".join(texts)
        if self._open:
            self._open[-1][2].append(text + (" " if tag in ("td", "th", "dd", "dt", "li") else ""))
        if kind == "figure":
            self.figures.append((key, text))
        elif kind == "ref":
            self.refs.append((key, text))
        elif kind == "lit":
            self.lits.append(text)

    def handle_data(self, data: str) -> None:
        if any(tag in self.SKIP for tag, _ in self.stack):
            return
        if self._open:
            self._open[-1][2].append(data)
        inside = any(kind for kind, _, _ in self._open)
        if DIGIT.search(data) and not inside:
            self.loose.append(data.strip())


@pytest.mark.parametrize("edition", ["internal", "public"])
def test_every_number_in_the_html_resolves_to_report_json(
    demo_case: DemoCase, edition: str
) -> None:
    folder = demo_case.internal if edition == "internal" else demo_case.public
    report = json.loads((folder / "report.json").read_text(encoding="utf-8"))
    scan = _Scan()
    scan.feed((folder / "index.html").read_text(encoding="utf-8"))
    assert scan.loose == [], f"numbers outside any figure or ref: {scan.loose[:5]}"
    assert len(scan.figures) > 200 and len(scan.refs) > 50
    for key, text in scan.figures:
        fig = report["figures"].get(key)
        assert fig is not None, f"figure {key} is not in report.json"
        assert text == fig["text"], (key, text, fig["text"])
        assert fig["query"] in report["queries"]
    for key, text in scan.refs:
        body = report["refs"].get(key)
        assert body is not None, f"ref {key} is not in report.json"
        dumped = json.dumps(body, ensure_ascii=False) + key
        for number in re.findall(r"\d+", text):
            assert number in dumped, f"{number} shown in ref {key} is not in its entry"
    assert set(scan.lits) <= LITERALS


def test_every_stored_run_is_named_with_its_provenance(demo_case: DemoCase) -> None:
    report = json.loads((demo_case.internal / "report.json").read_text(encoding="utf-8"))
    for stage in ("link", "estimate", "assess"):
        run = report["runs"][stage]
        assert run["input_fingerprint"] and run["software_version"]
        assert f"run:{run['id']}" in report["refs"]
    assert report["report"]["fictional"] is True
    assert report["report"]["audit_head"]["hash"]
    finding = report["figures"]["assess.finding.arbitrary_detention.acts_established"]
    assert finding["run"] == report["runs"]["assess"]["id"] and finding["stage"] == "assess"


def test_the_pdf_renders_pages_that_are_not_blank(demo_case: DemoCase, tmp_path: Path) -> None:
    from PIL import Image

    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "24",
            "-png",
            str(demo_case.public / "report.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 5
    for page in pages:
        with Image.open(page) as im:
            grey = im.convert("L")
            dark = sum(grey.histogram()[:200])
        assert dark > 200, f"{page.name} is blank"
    text = _pdf_text(demo_case.public)
    assert text.count("FICTIONAL DATA") >= len(pages)  # the banner on every page


def test_fictional_is_said_on_every_page_of_the_html(demo_case: DemoCase) -> None:
    html = (demo_case.internal / "index.html").read_text(encoding="utf-8")
    assert "FICTIONAL DATA" in html and "position: sticky" in html
    assert "<script" not in html and "http://" not in html.replace(
        'xmlns:xlink="http://www.w3.org/1999/xlink"', ""
    ).replace('xmlns="http://www.w3.org/2000/svg"', "").replace(
        "http://www.w3.org/1999/02/22-rdf-syntax-ns#", ""
    ).replace("http://purl.org/dc/elements/1.1/", "").replace(
        "http://creativecommons.org/ns#", ""
    ).replace("http://purl.org/dc/dcmitype/StillImage", "")
    assert "https://" not in html


def test_the_report_shows_the_interval_with_the_linkage_held_fixed(demo_case: DemoCase) -> None:
    """The demo estimates with linkage draws: beside each interval with the linkage's
    uncertainty the report shows the fixed one and what the linkage adds (issue 20)."""
    report = json.loads((demo_case.internal / "report.json").read_text(encoding="utf-8"))
    html = (demo_case.internal / "index.html").read_text(encoding="utf-8")
    assert "interval, linkage fixed" in html and "width added by linkage" in html
    for end in ("lcmcr.fixed.lower", "lcmcr.fixed.upper", "lcmcr.linkage_share"):
        keys = [k for k in report["figures"] if k.endswith(end)]
        assert keys, end
        assert f'data-figure="{keys[0]}"' in html, keys[0]


def test_the_report_says_what_the_split_audit_found(demo_case: DemoCase) -> None:
    """The demo answers a split audit: the report states its size, finds and rate as
    traced figures, and no longer says the draws ignore the splits it corrects."""
    report = json.loads((demo_case.internal / "report.json").read_text(encoding="utf-8"))
    html = (demo_case.internal / "index.html").read_text(encoding="utf-8")
    found = [k for k in report["figures"] if k.endswith("linkage.split_audit.found")]
    assert found, "the demo's estimate used no split audit"
    assert "A split audit corrects the draws" in html
    assert f'data-figure="{found[0]}"' in html
    assert "blocking never proposed leave people split" not in html
