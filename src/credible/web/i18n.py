"""Interface text through gettext (Babel catalogues under ``locale/``), English by default.

``_`` marks a string in code; templates use ``{% trans %}`` / ``_()`` through Jinja's
i18n extension. ``pybabel extract -F babel.cfg -o src/credible/web/locale/messages.pot .``
rebuilds the catalogue (tests/web/test_i18n.py checks it is complete).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources

from babel.support import NullTranslations, Translations

DOMAIN = "messages"
DEFAULT_LOCALE = "en"


@lru_cache(maxsize=16)
def translations(locale: str = DEFAULT_LOCALE) -> NullTranslations:
    root = resources.files("credible.web") / "locale"
    return Translations.load(str(root), [locale], domain=DOMAIN)


def _(message: str) -> str:
    return translations().gettext(message)
