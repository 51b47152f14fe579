"""Security baseline: sign-in throttling, CSP, session lifetime, CSRF, the audit trail."""

from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from portal.audit.models import AuditEntry
from portal.middleware import ACTIVE_AT, LOGIN_AT
from portal.models import Company, User
from tests.conftest import can_sign_in, client_for


def test_repeated_failures_lock_the_account_from_that_address(viewer: User, password: str) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "viewer", "password": "wrong"})
    locked = client.post(reverse("login"), {"username": "viewer", "password": password})
    assert locked.status_code == 429
    assert b"Too many failed sign-ins" in locked.content
    assert not can_sign_in("viewer", password)


def test_a_success_before_the_limit_resets_the_count(viewer: User, password: str) -> None:
    for _ in range(4):
        Client().post(reverse("login"), {"username": "viewer", "password": "wrong"})
    assert can_sign_in("viewer", password)
    for _ in range(4):
        Client().post(reverse("login"), {"username": "viewer", "password": "wrong"})
    assert can_sign_in("viewer", password)


def test_csp_forbids_inline_and_foreign_scripts(viewer_client: Client) -> None:
    policy = viewer_client.get(reverse("dashboard"))["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";") if part.strip())
    assert directives["script-src"] == "'self'"
    assert "frame-ancestors 'none'" in policy


def test_pages_have_no_inline_scripts(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("dashboard")).content.decode()
    for tag in html.split("<script")[1:]:
        assert "src=" in tag.split(">", 1)[0], "inline <script> found"


def _age_session(client: Client, **seconds_ago: float) -> None:
    session = client.session
    now = time.time()
    session[LOGIN_AT] = now - seconds_ago.get("login", 0)
    session[ACTIVE_AT] = now - seconds_ago.get("active", 0)
    session.save()


def test_session_ends_after_thirty_idle_minutes(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    _age_session(viewer_client, active=31 * 60, login=40 * 60)
    response = viewer_client.get(reverse("dashboard"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert b"30 minutes without activity" in response.content


def test_session_ends_twelve_hours_after_sign_in_despite_activity(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    _age_session(viewer_client, active=10, login=12 * 3600 + 60)
    response = viewer_client.get(reverse("stations:list"))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_background_polling_does_not_keep_a_session_alive(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    _age_session(viewer_client, active=29 * 60, login=29 * 60)
    viewer_client.get(reverse("stations:list"), HTTP_HX_REQUEST="true")  # a poll
    assert time.time() - viewer_client.session[ACTIVE_AT] > 28 * 60
    viewer_client.get(reverse("stations:list"))  # a real visit
    assert time.time() - viewer_client.session[ACTIVE_AT] < 60


def test_htmx_request_after_expiry_redirects_the_whole_page(viewer_client: Client) -> None:
    viewer_client.get(reverse("dashboard"))
    _age_session(viewer_client, active=31 * 60, login=31 * 60)
    response = viewer_client.get(reverse("stations:list"), HTTP_HX_REQUEST="true")
    assert response["HX-Redirect"].startswith(reverse("login"))


def test_forms_refuse_posts_without_csrf_token(admin_user: User, company_a: Company) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(admin_user)
    response = client.post(reverse("user_create"), {"username": "x", "email": "x@example.com", "role": "viewer",
                                                    "companies": [company_a.pk], "sign_in": "invite"})
    assert response.status_code == 403
    assert not User.objects.filter(username="x").exists()


def test_base_layout_sends_csrf_token_with_htmx_requests(viewer_client: Client) -> None:
    html = viewer_client.get(reverse("dashboard")).content.decode()
    assert 'hx-headers=\'{"X-CSRFToken": "' in html


def test_user_changes_are_audited_with_before_and_after(admin_client_portal: Client, viewer: User,
                                                        company_a: Company) -> None:
    admin_client_portal.post(reverse("user_edit", args=[viewer.pk]), {f"role_{company_a.pk}": "operator",
                                                                        "is_active": "on"})
    entry = AuditEntry.objects.get(action="membership.set")  # a role is a membership's, audited per company
    assert entry.actor_name == "admin" and entry.entity_label == "viewer" and entry.company == company_a
    assert entry.before["role"] == "viewer" and entry.after["role"] == "operator"
    page = admin_client_portal.get(reverse("audit:detail", args=[entry.pk])).content.decode()
    assert "Change role in company" in page and "operator" in page


def test_audit_page_is_for_admins_only(viewer_client: Client, operator_client: Client) -> None:
    assert viewer_client.get(reverse("audit:list")).status_code == 403
    assert operator_client.get(reverse("audit:list")).status_code == 403


def test_audit_never_stores_secrets(db: None) -> None:
    from portal.audit.services import audit_record

    entry = audit_record(actor=None, action="backend.update", entity="backend",
                         after={"name": "GF", "credentials": {"token": "s3cr3t"}, "client_secret": "x"})
    assert "s3cr3t" not in str(entry.after) and entry.after["client_secret"] == "•••"


def test_audit_entries_written_many_at_once_never_store_secrets(db: None) -> None:
    from portal.audit.models import AuditEntry
    from portal.audit.services import audit_records_many

    audit_records_many(actor=None, entries=[
        {"action": "station.put", "entity": "station", "entity_id": 1,
         "after": {"name": "A", "evses": [{"uid": "u1", "Auth_Token": "s3cr3t"}]}},
        {"action": "station.put", "entity": "station", "entity_id": 2,  # a Kelvin sign lowers to "k"
         "after": {"name": "B", "api_to\u212aen": "s3cr3t"}, "before": {"name": "b", "evses": [{"uid": "u2"}]}},
        {"action": "station.put", "entity": "station", "entity_id": 3, "after": {"name": "C", "note": "no token here"}},
    ])
    first, second, third = AuditEntry.objects.order_by("entity_id")
    assert first.after == {"name": "A", "evses": [{"uid": "u1", "Auth_Token": "•••"}]}
    assert second.after == {"name": "B", "api_to\u212aen": "•••"} and second.before == {"name": "b", "evses": [{"uid": "u2"}]}
    assert third.after == {"name": "C", "note": "no token here"}


@pytest.mark.parametrize("url_name", ["audit:list"])
def test_admin_of_other_company_does_not_see_entries(url_name: str, admin_user: User, company_b: Company) -> None:
    from portal.audit.services import audit_record

    audit_record(actor=None, action="station.put", entity="station", entity_label="Secret depot", company=company_b)
    assert b"Secret depot" not in client_for(admin_user).get(reverse(url_name)).content


def test_backend_changes_are_audited_without_secret_values(admin_user: User, company_a: Company) -> None:
    from portal import services

    backend = services.backend_create(name="GF", kind="greenflux", company=company_a, base_url="https://gf.example",
                                      credentials={"token": "tok-123-secret"}, actor=admin_user)
    services.backend_update(backend=backend, name="GF", company=company_a, base_url="https://gf.example",
                            credentials={"token": "tok-456-secret"}, actor=admin_user)
    entries = AuditEntry.objects.filter(entity="backend").order_by("id")
    assert [e.action for e in entries] == ["backend.create", "backend.update"]
    assert entries[1].after["auth fields changed"] == ["token"]
    assert "tok-" not in str([e.before for e in entries]) + str([e.after for e in entries])


def test_pages_do_not_save_the_session_on_every_request(viewer_client: Client) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    viewer_client.get(reverse("dashboard"))
    with CaptureQueriesContext(connection) as queries:
        viewer_client.get(reverse("dashboard"))
    assert not [q for q in queries.captured_queries if "django_session" in q["sql"] and "UPDATE" in q["sql"]]


def test_schedule_changes_are_audited(admin_client_portal: Client, admin_user: User, company_a: Company) -> None:
    from sync.schedules import schedule_set_interval
    from tests.factories import BackendFactory

    backend = BackendFactory(name="GF A", kind="greenflux", company=company_a)
    schedule_set_interval(backend, "stations", minutes=15, enabled=False, actor=admin_user)
    entry = AuditEntry.objects.get(action="schedule.update")
    assert entry.after == {"every minutes": 15, "enabled": False}
    assert entry.entity_label == "GF A · stations" and entry.actor_name == "admin"
