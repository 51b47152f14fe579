"""Create the demo's companies and its three users (one per role), once.

Passwords are random, kept in ``var/demo-credentials.json`` (outside git, readable
by the owner only) and printed at every demo start so nobody has to guess them.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from portal import services
from portal.access import Role
from portal.models import Company, User

DEMO_USERS = [("viewer", Role.VIEWER), ("operator", Role.OPERATOR), ("admin", Role.ADMIN)]


def demo_companies() -> list[tuple[str, str]]:
    """(name, upstream ref) of the demo's two companies: the simulator's first two."""
    from simulator.seed import COMPANIES

    return [(c["name"], c["uuid"]) for c in COMPANIES[:2]]


def credentials_path() -> Path:
    return Path(settings.VAR_DIR) / "demo-credentials.json"


class Command(BaseCommand):
    help = "Create demo companies and users (once) and print the demo sign-ins."

    def handle(self, *args: Any, **options: Any) -> None:
        path = credentials_path()
        saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
        with transaction.atomic():
            companies = [
                Company.objects.get_or_create(upstream_ref=ref, defaults={"name": name})[0]
                for name, ref in demo_companies()
            ]
            for username, role in DEMO_USERS:
                if User.objects.filter(username=username).exists() and username in saved:
                    continue
                password = secrets.token_urlsafe(12)
                user = User.objects.filter(username=username).first()
                if user is None:
                    services.user_create(
                        username=username,
                        email=f"{username}@demo.example",
                        role=role,
                        companies=companies,
                        password=password,
                    )
                else:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                saved[username] = password
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(saved, indent=2))
        os.chmod(path, 0o600)
        self.stdout.write(self.style.SUCCESS("Demo sign-ins (also in var/demo-credentials.json):"))
        for username, role in DEMO_USERS:
            self.stdout.write(f"  {role.label:<9} username: {username:<9} password: {saved[username]}")
