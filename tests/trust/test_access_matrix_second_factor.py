"""The access matrix again with the second-factor gate on (issue 29): nothing opens without the second
factor where it is required.

Company A requires a second factor of its operators and viewers; admins always need one. Every URL of
the project is requested (GET and POST) by each signed-in user of the matrix:

- with no second factor set up, every page but signing in and out, the language switch, the invitation
  and the second factor's own pages sends them to set one up (and nothing else answers);
- once their session has used a second factor, every page answers as ``test_access_matrix`` says.
"""

from __future__ import annotations

from allauth.mfa.models import Authenticator
from django.db import transaction
from django.test import Client
from django.urls import reverse

from portal.models import User
from portal.signin.gate import ENROLLED, OPEN_NAMES
from tests.trust.conftest import World
from tests.trust.test_access_matrix import expected, project_urls


def _open(name: str) -> bool:
    return name in OPEN_NAMES or name.startswith("mfa_")


def _client(user: User, *, passed: bool) -> Client:
    """A fresh signed-in client per request, as in the main matrix (a sign-out must not carry over)."""
    client = Client()
    client.force_login(user)
    if passed:
        session = client.session
        session[ENROLLED] = str(user.pk)
        session.save()
    return client


def _answers(world: World, check: object, *, passed: bool) -> list[str]:
    wrong = []
    for name, params in project_urls():
        url = reverse(name, kwargs={p: world.kwargs[p] for p in params})
        for who, user in world.users.items():
            if user is None:
                continue
            for method in ("get", "post"):
                client = _client(user, passed=passed)
                with transaction.atomic():
                    answer = getattr(client, method)(url)
                    transaction.set_rollback(True)
                problem = check(name, method, who, answer)  # type: ignore[operator]
                if problem:
                    wrong.append(f"{method.upper()} {name} as {who}: {problem}")
    return wrong


def test_without_a_second_factor_every_page_sends_to_set_one_up(world: World, settings: object) -> None:
    settings.SECOND_FACTOR_GATE = True  # type: ignore[attr-defined]
    world.company_a.require_second_factor = True
    world.company_a.save()
    enrol = reverse("mfa_index")

    def check(name: str, method: str, who: str, answer: object) -> str:
        if _open(name):
            return ""
        status, location = answer.status_code, answer.get("Location", "")  # type: ignore[attr-defined]
        return "" if status == 302 and location == enrol else f"{status} {location}"

    wrong = _answers(world, check, passed=False)
    assert not wrong, "\n".join(wrong[:40])


def test_once_the_session_used_its_factor_every_page_answers_as_the_rules_say(world: World, settings: object) -> None:
    settings.SECOND_FACTOR_GATE = True  # type: ignore[attr-defined]
    world.company_a.require_second_factor = True
    world.company_a.save()
    for user in world.users.values():
        if user is not None:
            Authenticator.objects.create(user=user, type=Authenticator.Type.TOTP, data={"secret": "unused"})

    def check(name: str, method: str, who: str, answer: object) -> str:
        status = answer.status_code  # type: ignore[attr-defined]
        if name in {"mfa_deactivate_totp"}:
            return ""  # they hold an app now: the page answers (the rule of the main matrix assumes none)
        want = expected(name, method, world.users[who], world)
        return "" if status in want else f"{status}, expected one of {sorted(want)}"

    wrong = _answers(world, check, passed=True)
    assert not wrong, "\n".join(wrong[:40])
