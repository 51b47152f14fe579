"""Every URL of the project, for every kind of user, for GET and POST: the answer the rules promise.

URLs are found from the resolver, so a new page fails this test until its rule is written
below. Rules: anonymous users go to the login page; a role below the page's need gets 403;
a method the page does not take gets 405; a record of another company answers 404; otherwise
the page answers (200, a redirect, or a form's validation error). The checked matrix is
printed and written to ``artifacts/access-matrix.txt``.
"""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from portal.access import Role, role_of
from portal.models import User
from tests.trust.conftest import World

PUBLIC = "public"
V, O, A = Role.VIEWER, Role.OPERATOR, Role.ADMIN
ANSWERED = {200, 204, 302, 400, 422}

# name: (role for GET or None when GET is refused, role for POST or None, record of company A in the URL)
RULES: dict[str, tuple[object, object, bool]] = {
    "dashboard": (V, None, False),
    "login": (PUBLIC, PUBLIC, False),
    "logout": (None, PUBLIC, False),
    "password_change": (V, V, False),
    "password_change_done": (V, None, False),
    "account": (V, V, False),  # the user's own settings: any signed-in person, for themselves
    "set_language": (PUBLIC, PUBLIC, False),  # the sign-in page's language switch (Django's set_language)
    "invite_accept": (PUBLIC, PUBLIC, False),
    "invite_done": (PUBLIC, None, False),
    "user_list": (A, None, False),
    "user_create": (A, A, False),
    "user_edit": (A, A, True),
    "user_invite": (None, A, True),
    "backends:list": (A, None, False),
    "backends:create": (A, A, False),
    "backends:edit": (A, A, True),
    "backends:set_active": (None, A, True),
    "backends:check": (A, A, True),
    "companies:list": (A, A, False),
    "companies:edit": (A, A, True),
    "companies:identities": (A, None, True),
    "operations:list": (V, None, False),
    "operations:detail": (V, None, True),
    "operations:row": (V, None, True),
    "operations:retry": (None, O, True),
    "sync:list": (V, None, False),
    "sync:run": (V, None, True),
    "sync:refresh": (None, O, False),
    "sync:schedule": (None, A, False),
    "sync:hold": (V, None, True),
    "sync:hold_decide": (None, A, True),
    "audit:list": (A, None, False),
    "audit:detail": (A, None, True),
    "stations:list": (V, None, False),
    "stations:detail": (V, None, True),
    "stations:row": (V, None, True),
    "stations:create": (O, O, False),
    "stations:edit": (O, O, True),
    "stations:actions": (V, None, True),
    "stations:quick": (O, None, True),
    "stations:quick_edit": (None, O, True),
    "stations:refresh": (None, O, True),
    "stations:conflict": (O, None, True),
    "stations:conflict_reapply": (None, O, True),
    "stations:conflict_discard": (None, O, True),
    "stations:import_list": (O, O, False),
    "stations:import_template": (O, None, False),
    "stations:import_detail": (O, None, True),
    "stations:import_confirm": (None, O, True),
    "stations:import_retry": (None, O, True),
    "stations:import_rows_to_fix": (O, None, True),
    "stations:export": (V, None, False),
    "stations:bulk_new": (O, O, False),
    "stations:batch_list": (O, None, False),
    "stations:batch_detail": (O, None, True),
    "stations:batch_confirm": (None, O, True),
    "stations:batch_cancel": (None, O, True),
    "stations:batch_retry": (None, O, True),
    "stations:batch_failed_csv": (O, None, True),
    "stations:model_mapping": (A, A, False),
    "locations:list": (V, None, False),
    "locations:create": (O, O, False),
    "locations:detail": (V, None, True),
    "locations:edit": (O, O, True),
    "locations:status": (V, None, True),
    "locations:conflict_reapply": (None, O, True),
    "locations:conflict_discard": (None, O, True),
    "locations:network": (V, None, False),
    "models_catalog:list": (V, None, False),
    "models_catalog:create": (A, A, False),
    "models_catalog:detail": (V, None, False),
    "models_catalog:status": (V, None, False),
    "models_catalog:rename": (None, A, False),
    "models_catalog:archive": (A, A, False),
    "models_catalog:conflict_reapply": (None, A, False),
    "models_catalog:conflict_discard": (None, A, False),
    "stations:hardware": (O, O, True),
    "maintenance:list": (V, None, False),
    "maintenance:create": (O, O, True),
    "maintenance:cancel": (None, O, True),
    "maintenance:plan": (O, O, False),
    "maintenance:plan_result": (V, None, True),
    "alerts:list": (V, None, False),
    "alerts:detail": (V, O, True),  # acknowledging: the operator role in the alert's company
    "alerts:bell": (V, None, False),
    "alerts:companies": (A, None, False),
    "alerts:settings": (A, A, True),
    "alerts:subscriptions": (V, V, False),  # the user's own choices
    "alerts:mailbox": (V, None, False),  # the user's own alert mail
    "alerts:webhooks": (A, A, True),
    "alerts:webhook": (A, A, True),
    "api_tokens": (V, V, False),
    "api_token_revoke": (None, V, False),
    "user_factors_reset": (None, A, True),
    # Signing in and the second factor (allauth, portal/signin/urls.py): each person's own.
    "account_login": (PUBLIC, PUBLIC, False),
    "account_logout": (None, PUBLIC, False),
    "account_reauthenticate": (V, V, False),
    "mfa_authenticate": (PUBLIC, PUBLIC, False),  # a step of signing in: back to the sign-in page without one
    "mfa_index": (V, None, False),
    "mfa_reauthenticate": (V, V, False),
    "mfa_activate_totp": (V, V, False),
    "mfa_deactivate_totp": (V, V, False),
    "mfa_view_recovery_codes": (V, None, False),
    "mfa_generate_recovery_codes": (V, V, False),
    "mfa_download_recovery_codes": (V, None, False),
    "mfa_list_webauthn": (V, None, False),
    "mfa_add_webauthn": (V, V, False),
    "mfa_reauthenticate_webauthn": (V, V, False),
    "mfa_remove_webauthn": (V, V, False),
    "mfa_edit_webauthn": (V, V, False),
}
# POSTs for superusers only: naming a company (``portal.forms_companies``).
SUPERUSER_POSTS = {"companies:list"}
# Answers that are right for an empty POST: "refresh now" without a backend names nothing to refresh.
EMPTY_POST_NOT_FOUND = {"sync:refresh", "sync:schedule", "api_token_revoke"}
# A person's own second factor of a kind nobody in the world holds: 404 to every signed-in person
# (405 for a POST to a page that takes none).
NOTHING_YET = {"mfa_deactivate_totp", "mfa_view_recovery_codes", "mfa_download_recovery_codes"}


def project_urls() -> list[tuple[str, list[str]]]:
    found: list[tuple[str, list[str]]] = []

    def walk(patterns: list, namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                # Django's admin site: see test_django_admin_*; the REST API answers as APIs do
                # (401, problem+json): tests/api/test_scoping.py walks it.
                if pattern.namespace not in ("admin", "api"):
                    walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern):
                assert pattern.name, f"unnamed URL pattern {pattern.pattern}"
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                found.append((name, list(pattern.pattern.regex.groupindex)))

    walk(get_resolver().url_patterns, None)
    return found


def expected(name: str, method: str, user: User | None, world: World) -> set[int]:
    get_need, post_need, scoped = RULES[name]
    need = get_need if method == "get" else post_need
    if user is None:
        if need == PUBLIC:
            return {200, 302}
        # A public page refuses the other method; any other page sends strangers to sign in first.
        return {405} if PUBLIC in (get_need, post_need) else {302}
    if need == PUBLIC:
        return ANSWERED
    if name in NOTHING_YET:
        return {404, 405} if method == "post" else {404}
    role = role_of(user)
    page_need = [n for n in (get_need, post_need) if n not in (None, PUBLIC)]
    if page_need and role < min(page_need):  # type: ignore[operator]
        return {403}
    if need is None:
        return {405}
    if role < need or (method == "post" and name in SUPERUSER_POSTS):  # type: ignore[operator]
        return {403}
    if scoped and not user.companies.filter(pk=world.company_a.pk).exists():
        return {404}
    if method == "post" and name in EMPTY_POST_NOT_FOUND:
        return ANSWERED | {404}
    return ANSWERED


def test_every_url_answers_every_user_as_the_rules_say(world: World) -> None:
    urls = project_urls()
    unruled = sorted({name for name, _ in urls} - set(RULES))
    assert not unruled, f"add these URLs to RULES in {__file__}: {unruled}"
    lines, wrong = [], []
    header = f"{'url':32}" + "".join(f"{who + ' ' + m:>18}" for who in world.users for m in ("GET", "POST"))
    for name, params in urls:
        url = reverse(name, kwargs={p: world.kwargs[p] for p in params})
        cells = []
        for who, user in world.users.items():
            for method in ("get", "post"):
                client = Client()
                if user is not None:
                    client.force_login(user)
                with transaction.atomic():  # every request sees the same estate
                    status = getattr(client, method)(url).status_code
                    transaction.set_rollback(True)
                want = expected(name, method, user, world)
                cells.append(f"{status}{'' if status in want else '!'}")
                if status not in want:
                    wrong.append(f"{method.upper()} {name} as {who}: {status}, expected one of {sorted(want)}")
        lines.append(f"{name:32}" + "".join(f"{c:>18}" for c in cells))
    matrix = "\n".join([header, *lines])
    print("\n" + matrix)
    out = Path(__file__).resolve().parents[2] / "artifacts" / "access-matrix.txt"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(matrix + "\n")
    assert not wrong, "\n".join(wrong)


def test_django_admin_is_for_superusers_only(world: World) -> None:
    for who, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        response = client.get("/django-admin/")
        assert response.status_code == 302 and "/django-admin/login/" in response["Location"], who
