"""The second factor: who must enrol, enrolling an authenticator app, signing in with it, recovery codes,
secrets at rest, and an admin resetting another person's factors (issue 29)."""

from __future__ import annotations

import pytest
from allauth.mfa.models import Authenticator
from allauth.mfa.recovery_codes.internal.auth import RecoveryCodes
from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.audit.models import AuditEntry
from portal.models import Company, User
from portal.signin.gate import ENROLLED
from tests.conftest import client_for
from tests.factories import UserFactory
from tests.signin.helpers import enrol_totp, sign_in_password, totp_code

pytestmark = [pytest.mark.django_db]
# Enrolling marks the session when allauth's transaction commits (as in a real request): these tests commit.
ENROLS = pytest.mark.django_db(transaction=True)


def passed(client: Client, user: User) -> Client:
    """A session that has used its second factor (as after enrolling one)."""
    session = client.session
    session[ENROLLED] = str(user.pk)
    session.save()
    return client


@pytest.fixture(autouse=True)
def _gate_on(settings: object) -> None:
    settings.SECOND_FACTOR_GATE = True  # type: ignore[attr-defined]


def test_an_admin_without_a_second_factor_is_sent_to_set_one_up(admin_user: User) -> None:
    client = Client()
    assert sign_in_password(client, "admin") == reverse("dashboard")
    for page in (reverse("dashboard"), reverse("user_list"), reverse("stations:list"), reverse("companies:list")):
        answer = client.get(page)
        assert answer.status_code == 302 and answer["Location"] == reverse("mfa_index"), page
    index = client.get(reverse("mfa_index"))
    assert index.status_code == 200
    assert "Your role needs a second sign-in factor" in index.content.decode()
    # The API refuses the session too.
    assert client.get("/api/v1/stations/").status_code == 403


def test_operators_and_viewers_enrol_only_where_their_company_requires_it(viewer: User, company_a: Company) -> None:
    client = Client()
    sign_in_password(client, "viewer")
    assert client.get(reverse("dashboard")).status_code == 200
    company_a.require_second_factor = True
    company_a.save()
    answer = client.get(reverse("stations:list"))
    assert answer.status_code == 302 and answer["Location"] == reverse("mfa_index")


def test_htmx_requests_are_redirected_as_whole_pages(admin_user: User) -> None:
    client = Client()
    sign_in_password(client, "admin")
    answer = client.get(reverse("dashboard"), HTTP_HX_REQUEST="true")
    assert answer.status_code == 204 and answer["HX-Redirect"] == reverse("mfa_index")


@ENROLS
def test_enrolling_an_app_opens_the_pages_and_the_next_sign_in_asks_for_a_code(
        admin_user: User) -> None:
    client = Client()
    sign_in_password(client, "admin")
    secret = enrol_totp(client)
    assert client.get(reverse("dashboard")).status_code == 200
    # Secret encrypted at rest (portal.crypto), readable with the key.
    stored = Authenticator.objects.get(user=admin_user, type=Authenticator.Type.TOTP).data["secret"]
    assert secret not in stored and stored.startswith("gAAAAA")
    assert AuditEntry.objects.filter(action="user.factor_add", entity_id=str(admin_user.pk)).exists()

    fresh = Client()
    step = sign_in_password(fresh, "admin", next_url=reverse("stations:list"))
    assert step == reverse("mfa_authenticate")
    assert fresh.get(reverse("dashboard")).status_code == 302  # not signed in before the code
    wrong = fresh.post(reverse("mfa_authenticate"), {"code": "000000"})
    assert wrong.status_code == 200 and "Incorrect code" in wrong.content.decode()
    answer = fresh.post(reverse("mfa_authenticate"), {"code": totp_code(secret)})
    assert answer.status_code == 302 and answer["Location"] == reverse("stations:list")
    assert fresh.get(reverse("stations:list")).status_code == 200


@ENROLS
def test_a_recovery_code_works_once(admin_user: User) -> None:
    client = Client()
    sign_in_password(client, "admin")
    enrol_totp(client)
    rc = Authenticator.objects.get(user=admin_user, type=Authenticator.Type.RECOVERY_CODES)
    assert "seed" in rc.data and rc.data["seed"].startswith("gAAAAA")  # encrypted at rest as well
    code = RecoveryCodes(rc).get_unused_codes()[0]

    first = Client()
    sign_in_password(first, "admin")
    assert first.post(reverse("mfa_authenticate"), {"code": code}).status_code == 302
    assert first.get(reverse("dashboard")).status_code == 200

    second = Client()
    sign_in_password(second, "admin")
    again = second.post(reverse("mfa_authenticate"), {"code": code})
    assert again.status_code == 200 and "Incorrect code" in again.content.decode()
    assert second.get(reverse("dashboard")).status_code == 302


def test_a_session_that_skipped_the_factor_is_asked_for_it(admin_user: User) -> None:
    Authenticator.objects.create(user=admin_user, type=Authenticator.Type.TOTP, data={"secret": "x"})
    client = client_for(admin_user)  # force_login: no second factor in this session
    answer = client.get(reverse("user_list"))
    assert answer.status_code == 302
    assert answer["Location"] == f"{reverse('mfa_reauthenticate')}?next=%2Fusers%2F"


@ENROLS
def test_who_must_hold_a_factor_cannot_remove_the_last_one(
        admin_user: User) -> None:
    client = Client()
    sign_in_password(client, "admin")
    enrol_totp(client)
    answer = client.post(reverse("mfa_deactivate_totp"))
    assert answer.status_code == 200
    assert Authenticator.objects.filter(user=admin_user, type=Authenticator.Type.TOTP).exists()


def test_an_admin_resets_the_factors_of_a_person_of_their_own_company_only(
        admin_user: User, company_a: Company, company_b: Company) -> None:
    own = UserFactory(username="own", role=Role.OPERATOR, companies=[company_a])
    shared = UserFactory(username="shared", memberships={company_a: Role.OPERATOR, company_b: Role.VIEWER})
    for person in (own, shared):
        Authenticator.objects.create(user=person, type=Authenticator.Type.TOTP, data={"secret": "x"})
    admin = passed(client_for(admin_user), admin_user)

    page = admin.get(reverse("user_edit", args=[own.pk])).content.decode()
    assert "Reset second factors" in page
    answer = admin.post(reverse("user_factors_reset", args=[own.pk]))
    assert answer.status_code == 302
    assert not Authenticator.objects.filter(user=own).exists()
    entry = AuditEntry.objects.get(action="user.factors_reset")
    assert entry.entity_id == str(own.pk) and entry.actor == admin_user
    assert entry.before == {"factors": ["totp"]}

    assert "Reset second factors" not in admin.get(reverse("user_edit", args=[shared.pk])).content.decode()
    assert admin.post(reverse("user_factors_reset", args=[shared.pk])).status_code == 403
    assert Authenticator.objects.filter(user=shared).exists()

    root = UserFactory(username="root", is_superuser=True)
    Authenticator.objects.create(user=root, type=Authenticator.Type.TOTP, data={"secret": "x"})
    superuser = passed(client_for(root), root)
    assert superuser.post(reverse("user_factors_reset", args=[shared.pk])).status_code == 302
    assert not Authenticator.objects.filter(user=shared).exists()


def test_a_company_admin_requires_the_factor_on_the_company_page(admin_user: User, company_a: Company) -> None:
    client = passed(client_for(admin_user), admin_user)
    answer = client.post(reverse("companies:edit", args=[company_a.pk]),
                         {"name": company_a.name, "require_second_factor": "on"})
    assert answer.status_code == 302
    company_a.refresh_from_db()
    assert company_a.require_second_factor
    entry = AuditEntry.objects.filter(action="company.update").latest("at")
    assert entry.after["second factor"] is True
