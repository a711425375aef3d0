"""Every interface string is in the message catalogue (Babel), and text in Arabic script
is laid out right to left."""

from __future__ import annotations

from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
WEB = ROOT / "src" / "credible" / "web"


def _extracted() -> set[str]:
    method_map = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
    options = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n"}}
    return {
        msg if isinstance(msg, str) else msg[0]
        for _, _, msg, _, _ in extract_from_dir(str(WEB), method_map, options)
    }


def test_the_catalogue_holds_every_string() -> None:
    with (WEB / "locale" / "messages.pot").open("rb") as f:
        # A plural message's id is its (singular, plural) pair: the singular names it.
        catalogue = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(f) if m.id}
    missing = _extracted() - catalogue
    assert missing == set(), "rebuild the catalogue: make messages"
    assert len(catalogue) > 100


def test_no_template_text_outside_the_catalogue() -> None:
    """A heading or button written in plain English in a template would not be
    translated: every <h1>, <h2>, <th>, <button> and <label> starts with a gettext call
    or a value."""
    import re

    bad = []
    for path in (WEB / "templates").glob("*.html"):
        for tag, text in re.findall(
            r"<(h1|h2|h3|th|button|label|dt)[^>]*>([^<{]*[A-Za-z][^<{]*)<", path.read_text()
        ):
            if text.strip() and not text.strip().startswith(("#",)):
                bad.append(f"{path.name}: <{tag}>{text.strip()}")
    assert bad == []


def test_counts_are_written_with_the_locales_separators() -> None:
    from credible.web.pages import _number

    assert _number(25048) == "25,048"
    assert _number(1234567.5) == "1,234,567.5"
    assert _number(7) == "7"
    # A withheld or missing value passes through unchanged, never as "0".
    assert _number(None) == ""
    assert _number("withheld") == "withheld"
    assert _number(True) == "True"
