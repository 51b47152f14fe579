"""URL configuration of the portal."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import include, path, reverse, reverse_lazy
from django.utils.http import urlencode

from api.views import tokens as api_tokens
from portal.audit import views as audit
from portal.views import account, backends, companies, users
from dashboard import views as dashboard
from outbox import views as operations
from sync import views as sync

admin.site.has_permission = lambda request: request.user.is_active and request.user.is_superuser  # type: ignore[method-assign]


def admin_login(request: HttpRequest) -> HttpResponse:
    """Django admin's sign-in is the portal's (its lockout, session clocks and look); ``next`` is kept.

    A signed-in user who is not a superuser gets the 403 page: sending them to the sign-in page,
    which returns a signed-in user to ``next``, would go round in circles.
    """
    if request.user.is_authenticated:
        raise PermissionDenied("The Django admin is for superusers; everything else is in the portal's pages.")
    return redirect(f"{reverse('login')}?{urlencode({'next': request.GET.get('next') or reverse('admin:index')})}")


admin.site.login = admin_login  # type: ignore[method-assign]

urlpatterns = [
    path("", dashboard.dashboard, name="dashboard"),
    # Signing in, out and the second factors (django-allauth, issue 29): portal/signin/urls.py.
    path("accounts/", include("portal.signin.urls")),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path(
        "accounts/invite/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="registration/invite_accept.html", success_url=reverse_lazy("invite_done")
        ),
        name="invite_accept",
    ),
    path(
        "accounts/invite/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/invite_done.html"),
        name="invite_done",
    ),
    path("users/", users.user_list, name="user_list"),
    path("users/new/", users.user_create, name="user_create"),
    path("users/<int:user_id>/", users.user_edit, name="user_edit"),
    path("users/<int:user_id>/invite/", users.user_invite, name="user_invite"),
    path("users/<int:user_id>/factors/reset/", users.user_factors_reset, name="user_factors_reset"),
    path("backends/", include((backends.urlpatterns, backends.app_name))),
    path("companies/", include((companies.urlpatterns, companies.app_name))),
    path("operations/", include((operations.urlpatterns, operations.app_name))),
    path("sync/", include((sync.urlpatterns, sync.app_name))),
    path("audit/", include((audit.urlpatterns, audit.app_name))),
    path("stations/", include("stations.urls")),
    path("locations/", include("locations.urls")),
    path("models/", include("models_catalog.urls")),
    path("maintenance/", include("maintenance.urls")),
    path("alerts/", include("alerts.urls")),
    path("api/v1/", include("api.urls")),
    path("account/", account.account_settings, name="account"),
    # Django's set_language (POST language, next): the sign-in page's language switch (language cookie).
    path("i18n/", include("django.conf.urls.i18n")),
    path("account/api-tokens/", api_tokens.token_list, name="api_tokens"),
    path("account/api-tokens/revoke/", api_tokens.token_revoke, name="api_token_revoke"),
    path("django-admin/", admin.site.urls),
]

handler403 = "portal.views.errors.permission_denied"
handler404 = "portal.views.errors.page_not_found"
handler500 = "portal.views.errors.server_error"
