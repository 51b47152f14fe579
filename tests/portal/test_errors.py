"""403, 404 and 500 pages: inside the layout, with the reason the server knows and a way back; 500 leaks nothing."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.models import User
from tests.conftest import client_for
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_a_page_above_the_users_role_says_which_role_it_needs(viewer_client: Client) -> None:
    response = viewer_client.get(reverse("stations:create"), HTTP_REFERER="http://testserver/stations/?q=x")
    body = response.content.decode()
    assert response.status_code == 403
    assert "This page needs the operator role." in body
    assert 'aria-label="Main"' in body and "portal.css" in body  # the layout, with its navigation
    assert 'href="/stations/?q=x"' in body and "Back to the previous page" in body
    assert f'href="{reverse("dashboard")}"' in body


def test_a_record_of_another_company_is_not_found_with_a_way_back(viewer_client: Client) -> None:
    from tests.factories import StationFactory

    station = StationFactory(company=CompanyFactory(name="Not yours"))
    response = viewer_client.get(reverse("stations:detail", args=[station.pk]))
    body = response.content.decode()
    assert response.status_code == 404
    assert "No station found." in body and "Not yours" not in body
    assert "Go to the dashboard" in body and 'aria-label="Main"' in body


def test_an_unknown_address_gets_a_plain_reason_not_the_resolvers(viewer_client: Client) -> None:
    response = viewer_client.get("/no-such-page/")
    body = response.content.decode()
    assert response.status_code == 404
    assert "There is no page at this address" in body and "Resolver404" not in body and "urlpatterns" not in body


def test_a_fragment_request_that_is_refused_shows_the_whole_error_page(viewer_client: Client) -> None:
    response = viewer_client.get(reverse("stations:create"), HTTP_HX_REQUEST="true")
    assert response.status_code == 403 and response["HX-Retarget"] == "body"


def test_a_server_error_says_something_went_wrong_and_nothing_more(
    viewer: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("db password is hunter2 at /srv/portal/secret.py")

    monkeypatch.setattr("dashboard.views.dashboard_figures", broken)
    client = client_for(viewer)
    client.raise_request_exception = False
    response = client.get(reverse("dashboard"))
    body = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong" in body and "Go to the dashboard" in body and "portal.css" in body
    assert "hunter2" not in body and "RuntimeError" not in body and "Traceback" not in body


def test_refusals_log_one_line_and_errors_keep_their_traceback() -> None:
    """The console handler's filter (portal.log_filters): 400, 403, 404 and 405 lose their traceback."""
    import logging
    import sys

    from portal.log_filters import RefusalLogFilter

    try:
        raise ValueError("boom")
    except ValueError:
        exc_info = sys.exc_info()
    formatter = logging.Formatter("%(message)s")
    for status, traceback_kept in ((403, False), (404, False), (405, False), (400, False), (500, True)):
        record = logging.LogRecord("django.request", logging.WARNING, __file__, 1, "refused", None, exc_info)
        record.status_code = status
        assert RefusalLogFilter().filter(record)
        assert ("Traceback" in formatter.format(record)) is traceback_kept, status
