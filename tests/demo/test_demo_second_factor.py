"""The demo's admin is asked to set up a second factor, with the secret the demo printed (issue 29)."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from demo.signin import current_code


@pytest.mark.django_db(transaction=True)  # enrolling marks the session when allauth's transaction commits
def test_the_demo_admin_enrols_with_the_printed_secret(settings: object, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    settings.DEBUG = True  # type: ignore[attr-defined]
    settings.MFA_FORMS = {"activate_totp": "demo.signin.DemoActivateTOTPForm"}  # type: ignore[attr-defined]
    settings.SECOND_FACTOR_GATE = True  # type: ignore[attr-defined]
    out = StringIO()
    call_command("seed_demo", "--no-refresh", stdout=out)
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    secret = credentials["totp"]["admin"]
    assert f"authenticator secret {secret}" in out.getvalue()
    code = StringIO()
    call_command("demo_totp", stdout=code)
    assert code.getvalue().strip() == current_code(secret)

    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": credentials["admin"]})
    assert client.get(reverse("dashboard"))["Location"] == reverse("mfa_index")
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert f'value="{secret}"' in page
    assert client.post(reverse("mfa_activate_totp"), {"code": current_code(secret)}).status_code == 302
    assert client.get(reverse("dashboard")).status_code == 200
    # The viewer's companies do not require a second factor: straight in.
    viewer = Client()
    viewer.post(reverse("login"), {"username": "viewer", "password": credentials["viewer"]})
    assert viewer.get(reverse("dashboard")).status_code == 200


@pytest.mark.django_db
def test_without_debug_no_secret_is_offered(settings: object, tmp_path: Path) -> None:
    settings.VAR_DIR = tmp_path  # type: ignore[attr-defined]
    settings.DEBUG = False  # type: ignore[attr-defined]
    settings.MFA_FORMS = {"activate_totp": "demo.signin.DemoActivateTOTPForm"}  # type: ignore[attr-defined]
    call_command("seed_demo", "--no-refresh", stdout=StringIO())
    credentials = json.loads((tmp_path / "demo-credentials.json").read_text())
    client = Client()
    client.post(reverse("login"), {"username": "admin", "password": credentials["admin"]})
    page = client.get(reverse("mfa_activate_totp")).content.decode()
    assert credentials["totp"]["admin"] not in page
