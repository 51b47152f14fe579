"""A request that finds its session gone goes to the sign-in page with "You are signed out" and a way back.

htmx fragments (a quick edit, the Network page's minute refresh) get
``HX-Redirect`` so the whole page moves, with ``next`` set to the page the
user was on (not the fragment's URL); a plain form POST comes back to the page
it was sent from. The browser test (tests/browser/test_signed_out.py) shows
the typed value coming back after signing in.
"""

from __future__ import annotations

import time
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from portal.middleware import ACTIVE_AT, LOGIN_AT

pytestmark = pytest.mark.django_db

PAGE = "http://testserver/locations/network/?company=1"


def age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    session[LOGIN_AT] = now - seconds_ago.get("login", 0)
    session[ACTIVE_AT] = now - seconds_ago.get("active", 0)
    session.save()


def next_of(url: str) -> str:
    parts = urlsplit(url)
    assert parts.path == reverse("login")
    return parse_qs(parts.query)["next"][0]


def sign_in_page_after(client: Client, url: str) -> str:
    return client.get(url).content.decode()


def test_a_fragment_request_whose_session_is_gone_moves_the_whole_page_to_sign_in(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    Session.objects.all().delete()  # the session ended on the server (expired, cleared, signed out elsewhere)
    response = viewer_client.get(reverse("locations:network"), HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL=PAGE)
    assert response.status_code == 204
    assert next_of(response["HX-Redirect"]) == "/locations/network/?company=1"
    assert "You are signed out" in sign_in_page_after(viewer_client, response["HX-Redirect"])


def test_a_quick_edit_after_idle_expiry_returns_to_the_station_page(operator_client: Client) -> None:
    operator_client.get(reverse("dashboard"))
    age_session(operator_client, active=31 * 60, login=31 * 60)
    response = operator_client.post("/stations/1/quick/label/", {"quick-label-value": "New name"},
                                    HTTP_HX_REQUEST="true", HTTP_HX_CURRENT_URL="http://testserver/stations/1/")
    assert response.status_code == 204
    assert next_of(response["HX-Redirect"]) == "/stations/1/"
    body = sign_in_page_after(operator_client, response["HX-Redirect"])
    assert "You are signed out (30 minutes without activity)" in body


def test_a_plain_form_post_comes_back_to_the_page_it_was_sent_from(operator_client: Client) -> None:
    operator_client.get(reverse("dashboard"))
    Session.objects.all().delete()
    response = operator_client.post("/stations/1/quick/label/", {"quick-label-value": "x"},
                                    HTTP_REFERER="http://testserver/stations/1/quick/")
    assert response.status_code == 302 and next_of(response["Location"]) == "/stations/1/quick/"
    assert "You are signed out" in sign_in_page_after(operator_client, response["Location"])


def test_a_page_visit_after_the_session_ended_says_so(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    Session.objects.all().delete()
    response = viewer_client.get("/stations/?status=offline")
    assert response.status_code == 302 and next_of(response["Location"]) == "/stations/?status=offline"
    assert "You are signed out" in sign_in_page_after(viewer_client, response["Location"])


def test_a_never_signed_in_visitor_is_not_told_they_were_signed_out() -> None:
    client = Client()
    response = client.get("/stations/")
    assert response.status_code == 302 and next_of(response["Location"]) == "/stations/"
    assert "signed out" not in sign_in_page_after(client, response["Location"])


def test_next_never_points_at_another_site(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    Session.objects.all().delete()
    response = viewer_client.get(reverse("locations:network"), HTTP_HX_REQUEST="true",
                                 HTTP_HX_CURRENT_URL="https://evil.example/phish")
    assert next_of(response["HX-Redirect"]) == "/locations/network/"
