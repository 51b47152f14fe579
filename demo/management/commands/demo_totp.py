"""``manage.py demo_totp [username]``: the current code of a demo admin's authenticator secret (the one
``seed_demo`` printed), for a newcomer without an authenticator app."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from demo.signin import current_code, demo_totp_secrets


class Command(BaseCommand):
    help = "Print the current second-factor code of a demo admin (default: admin)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("username", nargs="?", default="admin")

    def handle(self, *args: Any, username: str, **options: Any) -> None:
        secret = demo_totp_secrets().get(username)
        if not secret:
            raise CommandError(f"No demo authenticator secret for {username!r}: run `make run` (seed_demo) first.")
        self.stdout.write(current_code(secret))
