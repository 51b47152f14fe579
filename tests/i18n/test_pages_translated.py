"""Every page, for every role, in German and in Dutch: no visible text left in English (issue 30).

Each URL of the project (found from the resolver, as the access matrix finds them) is opened with
GET by a viewer, an operator and an admin of company A, whose estate names one record of every kind
(``tests.trust.conftest.world``), in each translated language. The page's visible text (and the
``title``, ``aria-label``, ``placeholder`` and ``alt`` a reader or a screen reader meets) is searched
for English words that are neither German nor Dutch ("the", "your", "station" …). Upstream text is
shown as it is, never translated: the estate's names, the platforms' names and codes are taken out
first (:data:`UPSTREAM`).

Pages not translated yet are listed in :data:`PENDING`; the test fails as well when one of them
has no English left, so the list only shrinks.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from django.conf import settings
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.locale import time_zone_names

from tests.trust.conftest import World, world  # noqa: F401  (the estate every URL can name)
from tests.trust.test_access_matrix import project_urls

LANGUAGES = [code for code, _name in settings.LANGUAGES if not code.startswith("en")]
ROLES = ("viewer", "operator", "admin")

# Words of English that are no German or Dutch word (nor a code the portal shows as it is).
ENGLISH = set("""
the and with from your you this that these those which there their they them its it's are was were
been have has had will would should could can't cannot don't doesn't not yet nothing none every each
more than then when what who how why where while after before about again already also only still
station stations window windows page pages show save cancel change changes sign edit new back
choose enter add remove delete create created update updated refresh send sent open close
search filter filters model models location locations company companies user users backend
operations operation import imports export role roles settings password token tokens run runs
failed pending synced conflict held being waits waiting never today tomorrow yesterday hours
minutes days week weeks month year of the by on or at for to
""".split())
# Words that are English and also German or Dutch ("was", "will", "also" in German; "model", "week",
# "conflict", "open", "filters" in Dutch; "Backend", "Token", "Import", "Filter" in both).
ENGLISH -= {"in", "an", "is", "de", "per", "of", "was", "will", "also", "still", "model", "week", "conflict",
            "open", "filter", "filters", "backend", "token", "tokens", "import", "imports", "export"}
# Text that comes from the upstreams or the estate, or names the portal keeps in every language.
UPSTREAM = [
    "be.ENERGISED", "GreenFlux", "ChargEye", "Kempower", "Lynkwell", "OCPP", "OCPI", "REST", "OpenAPI",
    "Company A", "Company B", "A station", "A be station", "A location", "A GreenFlux", "A be.ENERGISED",
    "A window", "Eve A", "Alfen", "a-invitee", "admin-b", "viewer", "operator", "admin", "Mine", "Theirs",
    "Refused", "This field is required.", "Production", "Deploy state", "Europe/Amsterdam",
]

PATHS = re.compile(r"(?<![\w.])/[\w{}/.-]+")

# Pages not translated yet (the list may only shrink): none are left; every page of every app is checked.
PENDING_PREFIXES: tuple[str, ...] = ()
PENDING_NAMES: set[str] = set()


def _pending(name: str) -> bool:
    return name.startswith(PENDING_PREFIXES) or name in PENDING_NAMES


class _Visible(HTMLParser):
    """The text a reader meets: text outside script, style and code, and the labelling attributes."""

    HIDDEN = {"script", "style", "code", "pre", "template", "svg"}
    ATTRS = {"title", "aria-label", "placeholder", "alt"}

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.HIDDEN:
            self._hidden += 1
        self.chunks += [v for k, v in attrs if k in self.ATTRS and v]

    def handle_endtag(self, tag: str) -> None:
        if tag in self.HIDDEN and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.chunks.append(data.strip())


def english_in(html: str) -> list[str]:
    """The chunks of visible text with an English word in them."""
    parser = _Visible()
    parser.feed(html)
    found = []
    zones = set(time_zone_names())
    for chunk in parser.chunks:
        if chunk.replace(" ", "_") in zones:  # "America/New York" in the time-zone picker
            continue
        text = PATHS.sub(" ", chunk)  # a URL path ("/locations") is a code, shown as the vendor gives it
        for name in UPSTREAM:
            text = text.replace(name, " ")
        words = {w.lower() for w in re.findall(r"[A-Za-z']+", text)}
        if words & ENGLISH:
            found.append(chunk[:120])
    return found


def _pages(world: World, lang: str) -> dict[str, list[str]]:
    """English found per page name, for each role that may open it."""
    found: dict[str, list[str]] = {}
    for name, params in project_urls():
        url = reverse(name, kwargs={p: world.kwargs[p] for p in params})
        for role in ROLES:
            client = Client(HTTP_ACCEPT_LANGUAGE=lang)
            client.force_login(world.users[role])
            with transaction.atomic():  # every page sees the same estate
                answer = client.get(url)
                transaction.set_rollback(True)
            if answer.status_code != 200 or "text/html" not in answer.get("Content-Type", ""):
                continue
            english = english_in(answer.content.decode())
            found.setdefault(name, [])
            found[name] += [f"{role}: {chunk}" for chunk in english]
    return found


def _check(world: World, lang: str) -> None:
    found = _pages(world, lang)
    assert len(found) > 30, f"only {len(found)} pages answered: the walk is broken"
    left = {name: chunks for name, chunks in found.items() if chunks and not _pending(name)}
    done = sorted(name for name, chunks in found.items() if not chunks and _pending(name))
    report = "\n".join(f"{name}: {chunks[:6]}" for name, chunks in sorted(left.items()))
    assert not left, f"English left on {len(left)} {lang} pages:\n{report}"
    assert not done, f"translated now, take them out of PENDING: {done}"


def test_german_pages_have_no_english_left(world: World) -> None:
    _check(world, "de")


def test_dutch_pages_have_no_english_left(world: World) -> None:
    _check(world, "nl")


def test_the_check_finds_english() -> None:
    """The detector itself: an English sentence is found, German, Dutch and upstream names are not."""
    assert english_in("<p>No windows planned for this station.</p>")
    assert english_in('<input placeholder="Search the stations">')
    assert not english_in("<p>Keine Wartungsfenster für diese Ladestation geplant.</p>")
    assert not english_in("<p>Geen onderhoudsvensters gepland voor deze laadpaal.</p>")
    assert not english_in("<p>be.ENERGISED · A station</p><script>var the = 1;</script>")
