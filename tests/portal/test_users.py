"""The Users page: create, invite, a role per company, remove from a company, deactivate.

A company's admin governs that company alone: the people shared with another company keep their
role there, and whatever acts on the whole account (a sign-in link, locking it) is for who governs
every company of that person, or a superuser.
"""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from portal.access import Role, role_of
from portal.models import Company, User
from tests.conftest import can_sign_in, client_for
from tests.factories import UserFactory


def test_admin_creates_user_with_password(admin_client_portal: Client, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "jan", "email": "jan@example.com", "role": "operator",
        "companies": [company_a.pk], "sign_in": "password", "password": "a-long-Passphrase-42",
    })
    assert response.status_code == 302
    jan = User.objects.get(username="jan")
    assert role_of(jan, company_a) == Role.OPERATOR
    assert list(jan.companies.all()) == [company_a]
    assert can_sign_in("jan", "a-long-Passphrase-42")


def test_invitation_link_is_shown_once_and_works_once(admin_client_portal: Client, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "eva", "email": "eva@example.com", "role": "viewer",
        "companies": [company_a.pk], "sign_in": "invite",
    })
    assert response.status_code == 200
    link = response.context["invite_url"]
    assert "/accounts/invite/" in link
    assert link not in admin_client_portal.get(reverse("user_list")).content.decode()

    guest = Client()
    path = link.split("testserver", 1)[1]
    form_page = guest.get(path, follow=True)
    set_url = form_page.redirect_chain[-1][0] if form_page.redirect_chain else path
    done = guest.post(set_url, {"new_password1": "Tulips-in-Spring-77", "new_password2": "Tulips-in-Spring-77"})
    assert done.status_code == 302
    assert can_sign_in("eva", "Tulips-in-Spring-77")
    again = Client().get(path, follow=True)
    assert b"no longer works" in again.content


def test_missing_password_names_the_field(admin_client_portal: Client, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "kim", "email": "kim@example.com", "role": "viewer", "sign_in": "password",
        "companies": [company_a.pk],
    })
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="kim").exists()


def test_a_new_user_needs_a_company(admin_client_portal: Client) -> None:
    """A person of no company would be nobody's to govern."""
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "kim", "email": "kim@example.com", "role": "viewer", "sign_in": "invite"})
    assert response.status_code == 200
    assert "Choose at least one company." in response.content.decode()
    assert not User.objects.filter(username="kim").exists()


def test_admin_cannot_remove_own_admin_role(admin_client_portal: Client, admin_user: User, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_edit", args=[admin_user.pk]), {
        f"role_{company_a.pk}": "viewer", "is_active": "on",
    })
    assert response.status_code == 200
    assert "cannot remove your own admin role" in response.content.decode()
    assert role_of(User.objects.get(pk=admin_user.pk), company_a) == Role.ADMIN


def test_admin_deactivates_user_who_then_cannot_sign_in(
    admin_client_portal: Client, viewer: User, company_a: Company, password: str
) -> None:
    response = admin_client_portal.post(reverse("user_edit", args=[viewer.pk]), {f"role_{company_a.pk}": "viewer"})
    assert response.status_code == 302
    assert not can_sign_in("viewer", password)


def test_admin_cannot_see_users_of_other_companies(admin_client_portal: Client, other_company_user: User) -> None:
    assert other_company_user.username not in admin_client_portal.get(reverse("user_list")).content.decode()
    assert admin_client_portal.get(reverse("user_edit", args=[other_company_user.pk])).status_code == 404
    assert admin_client_portal.post(reverse("user_invite", args=[other_company_user.pk])).status_code == 404


def test_admin_cannot_grant_company_it_does_not_have(admin_client_portal: Client, company_b: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "sneaky", "email": "s@example.com", "role": "viewer",
        "companies": [company_b.pk], "sign_in": "invite",
    })
    assert response.status_code == 200
    assert "companies" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_a_viewer_of_a_company_cannot_invite_people_into_it(company_a: Company, company_b: Company) -> None:
    """Admin of A, viewer of B: the new user's company picker offers A only."""
    mixed = UserFactory(username="mixed", memberships={company_a: Role.ADMIN, company_b: Role.VIEWER})
    page = client_for(mixed).get(reverse("user_create")).content.decode()
    assert company_a.name in page and company_b.name not in page
    response = client_for(mixed).post(reverse("user_create"), {
        "username": "sneaky", "email": "s@example.com", "role": "admin", "companies": [company_b.pk],
        "sign_in": "invite"})
    assert response.status_code == 200 and not User.objects.filter(username="sneaky").exists()


# -- People shared by two companies (issue 23 items 1 and 2) --------------------------------


@pytest.fixture
def admin_b(company_b: Company) -> User:
    return UserFactory(username="admin-b", role=Role.ADMIN, companies=[company_b])


@pytest.fixture
def shared(company_a: Company, company_b: Company, password: str) -> User:
    """The demo's case: a person of both companies (here an operator of both)."""
    return UserFactory(username="shared", role=Role.OPERATOR, companies=[company_a, company_b])


def test_another_companys_admin_gets_no_sign_in_link_for_a_shared_person(
        admin_b: User, admin_user: User, shared: User, company_a: Company) -> None:
    """Repro of issue 23 item 1: B's admin asked for a link for a person of A and B, and took the account."""
    for asker in (admin_b, admin_user):  # neither governs both companies of the shared person
        response = client_for(asker).post(reverse("user_invite", args=[shared.pk]))
        assert response.status_code == 403, asker.username
        assert "/accounts/invite/" not in response.content.decode()
    # ...nor of an admin of A, who is no person of B at all: 404, not even the name.
    assert client_for(admin_b).post(reverse("user_invite", args=[admin_user.pk])).status_code == 404
    # The edit page says why, and offers no link button.
    page = client_for(admin_b).get(reverse("user_edit", args=[shared.pk])).content.decode()
    assert reverse("user_invite", args=[shared.pk]) not in page and company_a.name not in page


def test_a_superuser_may_make_a_link_for_anyone(shared: User) -> None:
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    response = client_for(root).post(reverse("user_invite", args=[shared.pk]))
    assert response.status_code == 200 and "/accounts/invite/" in response.content.decode()


def test_an_admin_of_every_company_of_a_person_may_make_their_link(
        shared: User, company_a: Company, company_b: Company) -> None:
    both = UserFactory(username="both", role=Role.ADMIN, companies=[company_a, company_b])
    response = client_for(both).post(reverse("user_invite", args=[shared.pk]))
    assert response.status_code == 200 and "/accounts/invite/" in response.content.decode()


def test_another_companys_admin_changes_the_role_in_their_company_only(
        admin_b: User, shared: User, company_a: Company, company_b: Company) -> None:
    """Repro of issue 23 item 2: B's admin set a person of both companies to viewer, and so demoted
    them in A too. The old form's fields are posted as well, so the test means the same on old code."""
    response = client_for(admin_b).post(reverse("user_edit", args=[shared.pk]), {
        "role": "viewer", "companies": [company_b.pk], f"role_{company_b.pk}": "viewer", "is_active": "on"})
    assert response.status_code == 302
    # Still an operator of A: A's station form opens for them; B's role changed.
    assert client_for(shared).get(reverse("stations:create")).status_code == 200
    assert role_of(shared, company_a) == Role.OPERATOR and role_of(shared, company_b) == Role.VIEWER


def test_another_companys_admin_cannot_lock_a_shared_person_out(
        admin_b: User, shared: User, company_b: Company, password: str) -> None:
    """Deactivating the account would lock the person out of A as well: the field is not offered."""
    page = client_for(admin_b).get(reverse("user_edit", args=[shared.pk])).content.decode()
    assert 'name="is_active"' not in page
    client_for(admin_b).post(reverse("user_edit", args=[shared.pk]), {
        "role": "operator", "companies": [company_b.pk], f"role_{company_b.pk}": "operator"})
    assert can_sign_in("shared", password)


def test_admin_removes_a_person_from_their_company_only(
        admin_b: User, shared: User, company_a: Company, company_b: Company) -> None:
    response = client_for(admin_b).post(reverse("user_edit", args=[shared.pk]), {f"role_{company_b.pk}": ""})
    assert response.status_code == 302
    assert list(shared.companies.all()) == [company_a]
    assert "shared" not in client_for(admin_b).get(reverse("user_list")).content.decode()
    assert client_for(admin_b).get(reverse("user_edit", args=[shared.pk])).status_code == 404


def test_user_list_shows_only_the_roles_in_the_admins_companies(
        admin_b: User, company_a: Company, company_b: Company) -> None:
    UserFactory(username="mixed", memberships={company_a: Role.ADMIN, company_b: Role.VIEWER})
    page = client_for(admin_b).get(reverse("user_list")).content.decode()
    assert "mixed" in page and f"{company_b.name}: Viewer" in page
    assert company_a.name not in page and "Admin" not in page.split("mixed", 1)[1].split("</tr>", 1)[0]


def test_roles_differ_per_company(company_a: Company, company_b: Company) -> None:
    """An admin of A who is a viewer of B administers A's people, never B's."""
    mixed = UserFactory(username="mixed", memberships={company_a: Role.ADMIN, company_b: Role.VIEWER})
    only_b = UserFactory(username="only-b", role=Role.VIEWER, companies=[company_b])
    client = client_for(mixed)
    assert client.get(reverse("user_edit", args=[only_b.pk])).status_code == 404
    assert "only-b" not in client.get(reverse("user_list")).content.decode()
    assert role_of(mixed, company_a) == Role.ADMIN and role_of(mixed, company_b) == Role.VIEWER
