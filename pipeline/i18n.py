"""The message catalogue: every fixed word of the documents, in English and Welsh (gettext, read with Babel).

Fixed text (headings, labels, stance and status words, captions, the methods section) is written in
the code in English and passed through a :class:`Translator`. The Welsh catalogue is the gettext file
``pipeline/locale/cy/LC_MESSAGES/messages.po``; English needs no catalogue (a message is its own
English text). Entries a Welsh speaker should check carry the gettext ``fuzzy`` flag: they are still
used (so Welsh documents are complete) and :meth:`Translator.needs_check` lists them.

Usage::

    from pipeline.i18n import translator
    tr = translator()              # language from REPORT_LANG (en or cy), English when unset
    tr = translator("cy")          # or chosen by the caller (--language cy)
    tr("Summary")                  # -> "Crynodeb"
    tr("{n} statements from {people} people").format(n=12, people=5)
    tr.plural("{n} organisation", "{n} organisations", 3).format(n=3)
    tr.name({"name": "Challenge racism", "name_cy": "Herio hiliaeth"})   # the item's Welsh form if any
    tr.bcp47                       # "cy-GB" / "en-GB", for the document's language

Messages are looked up by their exact English text (msgid), so a message that is not in the Welsh
catalogue comes out in English; ``tests/test_i18n.py`` checks that every message the documents use is
in the catalogue. Data (quotes, EDI sources and caveats, organisation names) is never translated.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

__all__ = ["LANGUAGES", "Translator", "catalogue_path", "report_language", "translator"]

#: Supported document languages and their BCP 47 tags (the document language of HTML and Word).
LANGUAGES: dict[str, str] = {"en": "en-GB", "cy": "cy-GB"}
LOCALE_DIR = Path(__file__).parent / "locale"
ENV_VAR = "REPORT_LANG"


class UnknownLanguageError(ValueError):
    """A language other than those in :data:`LANGUAGES` was asked for."""


def report_language(language: str | None = None) -> str:
    """The document language: ``language`` if given, else ``$REPORT_LANG``, else ``en``.

    Raises:
        UnknownLanguageError: If the language is not ``en`` or ``cy``.
    """
    lang = (language or os.environ.get(ENV_VAR) or "en").strip().lower().split("_")[0].split("-")[0]
    if lang not in LANGUAGES:
        raise UnknownLanguageError(
            f"The report language {lang!r} is not supported: use one of {', '.join(LANGUAGES)} "
            f"(set {ENV_VAR}=cy or pass --language cy for Welsh)."
        )
    return lang


def catalogue_path(language: str) -> Path:
    """Where the gettext catalogue of ``language`` lives (``locale/<lang>/LC_MESSAGES/messages.po``)."""
    return LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"


@lru_cache(maxsize=4)
def _load(language: str) -> tuple[dict[str, str | tuple[str, ...]], frozenset[str]]:
    if language == "en":
        return {}, frozenset()
    from babel.messages.pofile import read_po  # noqa: PLC0415

    with catalogue_path(language).open("rb") as fh:
        catalog = read_po(fh, locale=language)
    messages: dict[str, str | tuple[str, ...]] = {}
    check: set[str] = set()
    for msg in catalog:
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        if msg.string and (msg.string if isinstance(msg.string, str) else any(msg.string)):
            messages[key] = msg.string
            if msg.fuzzy:
                check.add(key)
    return messages, frozenset(check)


@dataclass(frozen=True)
class Translator:
    """Translates the fixed text of a document into one language (see the module docstring)."""

    language: str = "en"
    _messages: Mapping[str, str | tuple[str, ...]] = field(default_factory=dict, repr=False)
    _check: frozenset[str] = field(default_factory=frozenset, repr=False)

    @property
    def bcp47(self) -> str:
        """The BCP 47 tag of the language (``en-GB`` or ``cy-GB``)."""
        return LANGUAGES[self.language]

    def __call__(self, message: str) -> str:
        """The message in this language (its English text when the catalogue lacks it)."""
        found = self._messages.get(message)
        if isinstance(found, tuple):
            return found[0] or message
        return found or message

    gettext = __call__

    def plural(self, singular: str, plural: str, n: int) -> str:
        """The singular or plural form of a message for ``n`` (Welsh uses the catalogue's forms)."""
        found = self._messages.get(singular)
        if isinstance(found, tuple) and found:
            return found[0] if n == 1 else found[-1]
        return singular if n == 1 else plural

    def name(self, item: Mapping[str, object], key: str = "name") -> str:
        """An item's name in this language: ``<key>_cy`` in Welsh where the item has one, else ``<key>``
        through the catalogue (so a name the catalogue holds is translated, any other kept as it is)."""
        if self.language != "en":
            local = item.get(f"{key}_{self.language}")
            if local:
                return str(local)
        return self(str(item.get(key, "")))

    def needs_check(self, message: str) -> bool:
        """True when the Welsh text of ``message`` is marked for checking by a Welsh speaker."""
        return message in self._check

    def messages(self) -> frozenset[str]:
        """Every message (English text) this catalogue translates."""
        return frozenset(self._messages)


def translator(language: str | None = None) -> Translator:
    """The translator for ``language`` (or ``$REPORT_LANG``, else English); see :func:`report_language`."""
    lang = report_language(language)
    messages, check = _load(lang)
    return Translator(lang, messages, check)
