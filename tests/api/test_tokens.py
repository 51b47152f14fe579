"""Personal API tokens: made on the user's page and shown once, stored hashed, refused once revoked,
expired or when their user is deactivated; a read-only token cannot write; the audit names the token."""

from __future__ import annotations

import re
from datetime import timedelta

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from portal.audit.models import AuditEntry
from portal.models import User
from tests.api.conftest import TokenClient

STATIONS = "/api/v1/stations/"


def test_a_token_made_on_the_page_is_shown_once_stored_hashed_and_works(operator_client: Client,
                                                                        operator: User) -> None:
    page = operator_client.post(reverse("api_tokens"), {"name": "ERP sync", "scope": "read", "expires": "30"})
    assert page.status_code == 200
    token = re.search(r"cpt_[0-9a-f]{8}_[\w-]+", page.content.decode()).group(0)
    row = ApiToken.objects.get(user=operator, name="ERP sync")
    assert token not in (row.digest, row.prefix) and len(row.digest) == 64
    assert token not in operator_client.get(reverse("api_tokens")).content.decode()  # never shown again
    assert TokenClient(token).get(STATIONS).status_code == 200
    assert AuditEntry.objects.filter(action="api_token.create", entity_label="ERP sync").exists()


def test_a_second_token_with_the_same_name_is_refused_naming_the_field(operator_client: Client) -> None:
    operator_client.post(reverse("api_tokens"), {"name": "CI", "scope": "read", "expires": "30"})
    again = operator_client.post(reverse("api_tokens"), {"name": "CI", "scope": "read", "expires": "30"})
    assert again.status_code == 400
    assert "already have a token with this name" in again.content.decode()


def test_revoked_expired_and_deactivated_tokens_are_refused(operator: User, operator_client: Client,
                                                           make_token) -> None:
    revoked = make_token(operator, name="old")
    row = ApiToken.objects.get(user=operator, name="old")
    assert operator_client.post(reverse("api_token_revoke"), {"token": row.pk}).status_code == 302
    answer = TokenClient(revoked).get(STATIONS)
    assert answer.status_code == 401 and answer["Content-Type"] == "application/problem+json"
    assert "revoked" in answer.json()["detail"]
    assert answer["WWW-Authenticate"].startswith("Bearer")

    expired = make_token(operator, name="short", expires_at=timezone.now() - timedelta(seconds=1))
    assert "expired" in TokenClient(expired).get(STATIONS).json()["detail"]

    live = make_token(operator, name="live")
    assert TokenClient(live).get(STATIONS).status_code == 200
    operator.is_active = False
    operator.save()
    assert TokenClient(live).get(STATIONS).status_code == 401


def test_a_user_cannot_revoke_someone_elses_token(viewer_client: Client, operator: User, make_token) -> None:
    token = make_token(operator, name="theirs")
    row = ApiToken.objects.get(name="theirs")
    assert viewer_client.post(reverse("api_token_revoke"), {"token": row.pk}).status_code == 404
    assert TokenClient(token).get(STATIONS).status_code == 200


def test_a_made_up_or_altered_token_is_refused(operator: User, make_token) -> None:
    token = make_token(operator)
    assert TokenClient(token[:-2] + "xx").get(STATIONS).status_code == 401
    assert TokenClient("not-a-token").get(STATIONS).status_code == 401
    assert Client().get(STATIONS).status_code in (401, 403)
