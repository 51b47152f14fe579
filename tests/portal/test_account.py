"""The user's own page (issue 30): a language and a time zone that follow the person, and the
language before signing in (the browser's Accept-Language, the sign-in page's switch)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.test import Client
from django.urls import reverse

from portal import formatting
from portal.models import User
from tests.factories import PASSWORD


def _sign_in(user: User, **headers: str) -> Client:
    client = Client(**headers)
    answer = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert answer.status_code == 302, answer.content
    return client


def test_the_sign_in_page_speaks_the_browsers_language(db) -> None:
    german = Client(HTTP_ACCEPT_LANGUAGE="de-DE,de;q=0.9,en;q=0.5").get(reverse("login"))
    assert '<html lang="de">' in german.content.decode() and ">Sprache</label>" in german.content.decode()
    dutch = Client(HTTP_ACCEPT_LANGUAGE="nl-BE,nl;q=0.8").get(reverse("login"))
    assert '<html lang="nl">' in dutch.content.decode() and dutch["Content-Language"] == "nl"
    english = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").get(reverse("login"))
    assert '<html lang="en-gb">' in english.content.decode()
    unknown = Client(HTTP_ACCEPT_LANGUAGE="fr-FR").get(reverse("login"))
    assert '<html lang="en-gb">' in unknown.content.decode()  # the portal's own language


def test_the_switch_on_the_sign_in_page_is_kept_by_the_browser(db) -> None:
    browser = Client(HTTP_ACCEPT_LANGUAGE="de")
    page = browser.get(reverse("login") + "?next=/stations/").content.decode()
    assert 'action="/i18n/setlang/"' in page and 'value="nl" lang="nl"' in page
    switched = browser.post(reverse("set_language"), {"language": "nl", "next": "/accounts/login/?next=/stations/"})
    assert switched.status_code == 302 and switched["Location"] == "/accounts/login/?next=/stations/"
    again = browser.get(switched["Location"]).content.decode()
    assert '<html lang="nl">' in again and ">Taal</label>" in again  # the cookie wins over Accept-Language


def test_a_chosen_language_and_time_zone_follow_the_person(viewer) -> None:
    client = _sign_in(viewer, HTTP_ACCEPT_LANGUAGE="en-GB")
    page = client.get(reverse("account")).content.decode()
    assert "Your settings" in page and "The portal&#x27;s (Europe/Amsterdam)" in page
    saved = client.post(reverse("account"), {"language": "de", "time_zone": "America/New_York"}, follow=True)
    body = saved.content.decode()
    assert "Ihre Einstellungen sind gespeichert." in body and '<html lang="de">' in body
    viewer.refresh_from_db()
    assert (viewer.language, viewer.time_zone) == ("de", "America/New_York")

    # Another browser, saying English: the person's choice wins once they are signed in.
    before = datetime.now(ZoneInfo("UTC"))
    elsewhere = _sign_in(viewer, HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").get(reverse("account")).content.decode()
    after = datetime.now(ZoneInfo("UTC"))
    assert '<html lang="de">' in elsewhere and "Ihre Einstellungen" in elsewhere
    from django.utils import timezone, translation

    with translation.override("de"), timezone.override(ZoneInfo("America/New_York")):
        shown = {formatting.when(before), formatting.when(after)}
    assert any(f"Jetzt ist es {moment} " in elsewhere for moment in shown), elsewhere  # New York's time, German words


def test_blank_choices_give_back_the_browsers_language_and_the_portals_zone(viewer) -> None:
    viewer.language, viewer.time_zone = "nl", "Asia/Tokyo"
    viewer.save()
    client = _sign_in(viewer, HTTP_ACCEPT_LANGUAGE="de")
    assert '<html lang="nl">' in client.get(reverse("account")).content.decode()
    client.post(reverse("account"), {"language": "", "time_zone": ""})
    viewer.refresh_from_db()
    assert (viewer.language, viewer.time_zone) == ("", "")
    page = client.get(reverse("account")).content.decode()
    assert '<html lang="de">' in page and "(Europe/Amsterdam)" in page


def test_an_unknown_language_or_zone_is_refused_naming_the_field(viewer) -> None:
    client = _sign_in(viewer)
    answer = client.post(reverse("account"), {"language": "fr", "time_zone": "Mars/Olympus_Mons"})
    assert answer.status_code == 200
    errors = answer.context["form"].errors
    assert set(errors) == {"language", "time_zone"}
    viewer.refresh_from_db()
    assert (viewer.language, viewer.time_zone) == ("", "")


def test_the_page_is_for_signed_in_people_only(db) -> None:
    answer = Client().get(reverse("account"))
    assert answer.status_code == 302 and answer["Location"].startswith(reverse("login"))
