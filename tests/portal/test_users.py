"""The Users page: create, invite, change role and companies, deactivate."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from portal.access import Role, role_of
from portal.models import Company, User
from tests.conftest import can_sign_in, client_for


def test_admin_creates_user_with_password(admin_client_portal: Client, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "jan", "email": "jan@example.com", "role": "operator",
        "companies": [company_a.pk], "sign_in": "password", "password": "a-long-Passphrase-42",
    })
    assert response.status_code == 302
    jan = User.objects.get(username="jan")
    assert role_of(jan) == Role.OPERATOR
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


def test_missing_password_names_the_field(admin_client_portal: Client) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "kim", "email": "kim@example.com", "role": "viewer", "sign_in": "password",
    })
    assert response.status_code == 200
    assert "password" in response.context["form"].errors
    assert not User.objects.filter(username="kim").exists()


def test_admin_cannot_remove_own_admin_role(admin_client_portal: Client, admin_user: User, company_a: Company) -> None:
    response = admin_client_portal.post(reverse("user_edit", args=[admin_user.pk]), {
        "role": "viewer", "companies": [company_a.pk], "is_active": "on",
    })
    assert response.status_code == 200
    assert "cannot remove your own admin role" in response.content.decode()
    assert role_of(User.objects.get(pk=admin_user.pk)) == Role.ADMIN


def test_admin_deactivates_user_who_then_cannot_sign_in(
    admin_client_portal: Client, viewer: User, company_a: Company, password: str
) -> None:
    response = admin_client_portal.post(reverse("user_edit", args=[viewer.pk]), {
        "role": "viewer", "companies": [company_a.pk],
    })
    assert response.status_code == 302
    assert not can_sign_in("viewer", password)


def test_admin_cannot_see_users_of_other_companies(admin_client_portal: Client, other_company_user: User) -> None:
    assert other_company_user.username not in admin_client_portal.get(reverse("user_list")).content.decode()
    assert admin_client_portal.get(reverse("user_edit", args=[other_company_user.pk])).status_code == 404


def test_admin_cannot_grant_company_it_does_not_have(admin_client_portal: Client, company_b: Company) -> None:
    response = admin_client_portal.post(reverse("user_create"), {
        "username": "sneaky", "email": "s@example.com", "role": "viewer",
        "companies": [company_b.pk], "sign_in": "invite",
    })
    assert response.status_code == 200
    assert "companies" in response.context["form"].errors
    assert not User.objects.filter(username="sneaky").exists()


def test_editing_keeps_companies_the_admin_cannot_see(
    admin_user: User, company_a: Company, company_b: Company
) -> None:
    shared = User.objects.create_user("shared", password="x")
    shared.companies.set([company_a, company_b])
    client_for(admin_user).post(reverse("user_edit", args=[shared.pk]), {
        "role": "operator", "companies": [company_a.pk], "is_active": "on",
    })
    assert set(shared.companies.all()) == {company_a, company_b}
    assert role_of(User.objects.get(pk=shared.pk)) == Role.OPERATOR
