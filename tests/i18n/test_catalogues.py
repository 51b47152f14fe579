"""The translation catalogues (locale/<lang>/LC_MESSAGES): complete, reviewed, and compiled.

Every entry of the German and Dutch ``.po`` files has a translation that is not marked fuzzy (a
guess ``makemessages`` made from a similar text), keeps the original's placeholders, and the
committed ``.mo`` (what Django reads) says the same as the ``.po`` (what people edit): after
editing a ``.po``, ``make messages`` compiles it.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
TRANSLATED = [code for code, _name in settings.LANGUAGES if not code.startswith("en")]
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|\{\w+\}")


def _entries(lang: str) -> list[polib.POEntry]:
    return [e for e in polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po")) if not e.obsolete]


def _key(entry: polib.POEntry) -> str:
    return f"{entry.msgctxt or ''}\x04{entry.msgid}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_entry_is_translated_and_reviewed(lang: str) -> None:
    entries = _entries(lang)
    assert entries, f"locale/{lang} is empty"
    empty = [e.msgid for e in entries if not (e.msgstr or all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)]
    fuzzy = [e.msgid for e in entries if "fuzzy" in e.flags]
    assert not empty, f"{len(empty)} {lang} entries without a translation (run make messages, then translate): {empty[:20]}"
    assert not fuzzy, f"{len(fuzzy)} {lang} entries marked fuzzy (check them, drop the flag): {fuzzy[:20]}"


@pytest.mark.parametrize("lang", TRANSLATED)
def test_translations_keep_the_placeholders(lang: str) -> None:
    wrong = []
    for e in _entries(lang):
        for text in ([e.msgstr] if not e.msgid_plural else list(e.msgstr_plural.values())):
            if text and sorted(set(PLACEHOLDER.findall(text))) != sorted(set(PLACEHOLDER.findall(e.msgid))):
                wrong.append((e.msgid, text))
    assert not wrong, wrong[:10]


@pytest.mark.parametrize("lang", TRANSLATED)
def test_the_committed_mo_is_the_po_compiled(lang: str) -> None:
    folder = LOCALE / lang / "LC_MESSAGES"
    compiled = {_key(e): (e.msgstr, e.msgstr_plural) for e in polib.mofile(str(folder / "django.mo")) if e.msgid}
    written = {_key(e): (e.msgstr, e.msgstr_plural) for e in _entries(lang)
               if (e.msgstr or e.msgstr_plural) and "fuzzy" not in e.flags}
    stale = sorted(k for k in set(compiled) ^ set(written) | {k for k in compiled if compiled.get(k) != written.get(k)})
    assert not stale, f"locale/{lang}/LC_MESSAGES/django.mo is older than its .po: run make messages ({stale[:5]})"
