"""Every API endpoint, as another company's token (admin, operator and viewer of company B only): no
record of company A reaches them, checked by content, and none of their writes changes company A.

Endpoints are found from the resolver (the ``api`` namespace), so a new endpoint joins this test by
itself; ``ids`` says which of company A's records fills each URL parameter.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.urls import URLPattern, get_resolver, reverse

from api.models import ApiToken
from portal.access import Role
from portal.models import Operation
from stations.models import Station
from tests.api.conftest import TokenClient
from tests.factories import UserFactory
from tests.trust.conftest import World

NOT_RECORDS = {"schema", "swagger", "redoc", "not-found"}
# The station-model catalogue is shared by every company (held by the platform's admins), as on its page.
SHARED = {"model-detail", "model-archive"}


def api_patterns() -> list[tuple[str, list[str]]]:
    resolver = next(p for p in get_resolver().url_patterns if getattr(p, "namespace", None) == "api")
    return [(f"api:{p.name}", list(p.pattern.regex.groupindex)) for p in resolver.url_patterns
            if isinstance(p, URLPattern)]


def a_strings(world: World) -> list[str]:
    """What of company A must never show: its stations' names and identities, its company's name."""
    stations = Station.objects.filter(company=world.company_a)
    return [world.company_a.name, *stations.values_list("label", flat=True),
            *stations.values_list("charge_box_identity", flat=True)]


def snapshot(world: World) -> Any:
    return (list(Station.objects.filter(company=world.company_a).order_by("pk").values()),
            list(Operation.objects.filter(company=world.company_a).order_by("pk").values("pk", "status")))


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.name.lower())
def test_another_companys_token_reaches_nothing_of_company_a(world: World, make_token: Any, role: Role) -> None:
    outsider = UserFactory(username=f"b-{role.name.lower()}", role=role, companies=[world.company_b])
    api = TokenClient(make_token(outsider, ApiToken.Scope.READ_WRITE))
    secrets = a_strings(world)
    before = snapshot(world)
    patterns = api_patterns()
    assert len(patterns) >= 6
    leaks, answers = [], {}
    for name, params in patterns:
        if name.split(":")[1] in NOT_RECORDS | SHARED:
            continue
        url = reverse(name, kwargs={p: world.kwargs[p] for p in params})
        for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
            response = api.send(method, url, {"label": "Taken over"}, if_match="*", idempotency_key=f"{method}{url}")
            answers[(method, url)] = response.status_code
            body = response.content.decode()
            leaks += [f"{method} {url}: {s!r}" for s in secrets if s and s in body]
            if params:  # a record of company A in the URL: the same answer as for no record at all
                missing = reverse(name, kwargs={p: 999_999_999 for p in params})
                nothing = api.send(method, missing, {"label": "Taken over"}, if_match="*",
                                   idempotency_key=f"{method}{missing}")
                assert (response.status_code, response.json().get("detail")) == (
                    nothing.status_code, nothing.json().get("detail")), (method, url, body[:300])
    assert not leaks, leaks
    assert snapshot(world) == before
    assert answers, "no endpoint was tried"
