"""Writes for accounts: creating users, changing their role and companies, invitations."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from portal.access import Role
from portal.models import Company, User


def _set_role(user: User, role: Role) -> None:
    role_groups = Group.objects.filter(name__in=[r.group_name for r in Role])
    user.groups.remove(*role_groups)
    group, _ = Group.objects.get_or_create(name=role.group_name)
    user.groups.add(group)
    user.__dict__.pop("_portal_role", None)


@transaction.atomic
def user_create(
    *,
    username: str,
    email: str,
    role: Role,
    companies: Iterable[Company],
    password: str | None,
    first_name: str = "",
    last_name: str = "",
) -> User:
    """Create a user; without a password the account can only be entered through an invitation."""
    user = User(username=username, email=email, first_name=first_name, last_name=last_name)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    user.companies.set(companies)
    _set_role(user, role)
    return user


@transaction.atomic
def user_update(*, user: User, role: Role, companies: Iterable[Company], is_active: bool) -> User:
    user.is_active = is_active
    user.save(update_fields=["is_active"])
    user.companies.set(companies)
    _set_role(user, role)
    return user


def user_invite_url(request: HttpRequest, user: User) -> str:
    """A one-time link to choose a password: Django's reset token, void once used."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("invite_accept", args=[uid, token]))
