"""Production settings pass Django's deployment checks; secrets come from the environment."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    # As a production server starts: none of the test session's settings (nor Playwright's
    # DJANGO_ALLOW_ASYNC_UNSAFE, which silences a deployment-relevant safety check).
    unset = {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE", "SESSION_COOKIE_SECURE",
             "CSRF_COOKIE_SECURE", "STATIC_MANIFEST", "WHITENOISE_USE_FINDERS"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.pop("SECURE_SSL_REDIRECT", None)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env},
        capture_output=True, text=True, timeout=120,
    )


def test_check_deploy_is_clean_in_production() -> None:
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="portal.example.com", DEBUG="0",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key() -> None:
    result = _manage("check", ALLOWED_HOSTS="portal.example.com", DEBUG="0")
    assert result.returncode != 0
    assert "Set SECRET_KEY" in result.stderr
