"""The Users page for admins: list, create (or invite), change role and companies, deactivate."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from portal import services
from portal.access import Role, role_of, role_required
from portal.forms import UserCreateForm, UserEditForm
from portal.models import User
from portal.selectors import companies_for, users_for_admin


def _get_managed_user(request: HttpRequest, user_id: int) -> User:
    return get_object_or_404(users_for_admin(request.user), pk=user_id)


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    users = [(user, role_of(user)) for user in users_for_admin(request.user)]
    return render(request, "portal/user_list.html", {"users": users})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, companies=companies_for(request.user))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wants_invite = data["sign_in"] == UserCreateForm.INVITE
        user = services.user_create(
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            role=form.role_value,
            companies=data["companies"],
            password=None if wants_invite else data["password"],
            actor=request.user,
        )
        if wants_invite:
            # Rendered once, never stored: reloading the list does not show it again.
            invite_url = services.user_invite_url(request, user)
            return render(request, "portal/user_invited.html", {"new_user": user, "invite_url": invite_url})
        messages.success(request, f"User {user.username} created.")
        return redirect("user_list")
    return render(request, "portal/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _get_managed_user(request, user_id)
    visible = companies_for(request.user)
    initial = {
        "role": (role_of(target) or Role.VIEWER).group_name,
        "companies": target.companies.filter(id__in=visible),
        "is_active": target.is_active,
    }
    form = UserEditForm(
        request.POST or None, initial=initial, companies=visible, editor=request.user, target=target
    )
    if request.method == "POST" and form.is_valid():
        # Companies this admin cannot see stay as they were.
        hidden = target.companies.exclude(id__in=visible)
        services.user_update(
            user=target,
            role=form.role_value,
            companies=[*form.cleaned_data["companies"], *hidden],
            is_active=form.cleaned_data["is_active"],
            actor=request.user,
        )
        messages.success(request, f"User {target.username} saved.")
        return redirect("user_list")
    return render(request, "portal/user_form.html", {"form": form, "target": target, "creating": False})


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    """A fresh one-time link for a user who lost theirs (the old one keeps working until used)."""
    target = _get_managed_user(request, user_id)
    invite_url = services.user_invite_url(request, target)
    return render(request, "portal/user_invited.html", {"new_user": target, "invite_url": invite_url})
