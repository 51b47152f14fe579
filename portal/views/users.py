"""The Users page for admins: the people of the companies they govern; invite people into those
companies, change their role there, remove them from them.

An admin reaches only memberships of companies where they are admin: other companies' memberships
are neither shown nor changeable, and a person belonging to no company the admin governs answers
404. Whatever acts on the account itself (sign-in link, may sign in) is for who governs *every*
company of that person (``services.may_govern_account``).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_http_methods

from portal import services
from portal.access import Role, role_required
from portal.forms import UserCreateForm, UserEditForm
from portal.models import User
from portal.selectors import companies_for, users_for_admin
from portal.signin.services import factors_of, user_factors_reset as factors_reset


def _get_managed_user(request: HttpRequest, user_id: int) -> User:
    return get_object_or_404(users_for_admin(request.user), pk=user_id)


@role_required(Role.ADMIN)
@require_http_methods(["GET"])
def user_list(request: HttpRequest) -> HttpResponse:
    users = list(users_for_admin(request.user))
    return render(request, "portal/user_list.html", {"users": users})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_create(request: HttpRequest) -> HttpResponse:
    form = UserCreateForm(request.POST or None, companies=companies_for(request.user, Role.ADMIN))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        wants_invite = data["sign_in"] == UserCreateForm.INVITE
        user = services.user_create(
            username=data["username"],
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            memberships=form.memberships(),
            password=None if wants_invite else data["password"],
            actor=request.user,
        )
        if wants_invite:
            # Rendered once, never stored: reloading the list does not show it again.
            invite_url = services.user_invite_url(request, user, actor=request.user)
            return render(request, "portal/user_invited.html", {"new_user": user, "invite_url": invite_url})
        messages.success(request, f"User {user.username} created.")
        return redirect("user_list")
    return render(request, "portal/user_form.html", {"form": form, "creating": True})


@role_required(Role.ADMIN)
@require_http_methods(["GET", "POST"])
def user_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    target = _get_managed_user(request, user_id)
    may_govern = services.may_govern_account(request.user, target)
    form = UserEditForm(request.POST or None, companies=companies_for(request.user, Role.ADMIN),
                        editor=request.user, target=target, may_lock=may_govern)
    if request.method == "POST" and form.is_valid():
        services.user_update(user=target, memberships=form.memberships(), is_active=form.is_active_value(),
                             actor=request.user)
        messages.success(request, f"User {target.username} saved.")
        return redirect("user_list")
    return render(request, "portal/user_form.html",
                  {"form": form, "target": target, "creating": False, "may_govern": may_govern,
                   "factors": factors_of(target)})


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def user_invite(request: HttpRequest, user_id: int) -> HttpResponse:
    """A fresh one-time link for a user who lost theirs (the old one keeps working until used); never
    for a person who belongs to a company this admin does not govern."""
    target = _get_managed_user(request, user_id)
    if not services.may_govern_account(request.user, target):
        raise PermissionDenied("This person belongs to another company as well: only a platform "
                               "administrator can make them a new sign-in link.")
    invite_url = services.user_invite_url(request, target, actor=request.user)
    return render(request, "portal/user_invited.html", {"new_user": target, "invite_url": invite_url})


@role_required(Role.ADMIN)
@require_http_methods(["POST"])
def user_factors_reset(request: HttpRequest, user_id: int) -> HttpResponse:
    """Remove a person's second factors (a lost phone or key); audited. Only for who governs the whole
    account, as a new sign-in link (issue 23)."""
    target = _get_managed_user(request, user_id)
    if not services.may_govern_account(request.user, target):
        raise PermissionDenied("This person belongs to another company as well: only a platform "
                               "administrator can reset their second factors.")
    factors_reset(user=target, actor=request.user)
    messages.success(request, gettext("The second factors of %(username)s were removed. They set up a new one "
                                      "when they next sign in, where their role needs one.")
                     % {"username": target.username})
    return redirect("user_edit", target.pk)
