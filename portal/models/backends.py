"""Backends: one company's account on one upstream platform.

A be.ENERGISED or GreenFlux backend belongs to one company (its token sees
that company's records). The ``models`` catalogue is shared, and a ChargEye
token may see several tenants (each location names its own), so their
backends may have no company. Credentials are stored
encrypted (``portal.crypto``) and never rendered back.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy

from portal.crypto import decrypt_json, encrypt_json

# Which credential fields each kind needs, and which of them are secret.
CREDENTIAL_FIELDS: dict[str, list[tuple[str, str, bool]]] = {
    "beenergised": [
        ("token_url", "Token URL", False),
        ("client_id", "Client id", False),
        ("client_secret", "Client secret", True),
    ],
    "greenflux": [("token", "API token", True)],
    "models": [("token", "API token", True)],
    "chargeye": [("refresh_token", "Refresh token", True)],
}


class Backend(models.Model):
    class Kind(models.TextChoices):
        BEENERGISED = "beenergised", gettext_lazy("be.ENERGISED")
        GREENFLUX = "greenflux", gettext_lazy("GreenFlux")
        MODELS = "models", gettext_lazy("Station models (Lynkwell)")
        CHARGEYE = "chargeye", gettext_lazy("ChargEye (Kempower)")
    name = models.CharField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    company = models.ForeignKey(
        "portal.Company", on_delete=models.PROTECT, null=True, blank=True, related_name="backends"
    )
    base_url = models.URLField(max_length=300)
    encrypted_credentials = models.TextField(blank=True, editable=False)
    paths = models.JSONField(
        default=dict, blank=True,
        help_text=gettext_lazy("Paths the vendor documents do not give (name -> path); unset ones use the connector's defaults."),
    )
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_ok = models.BooleanField(null=True)
    check_message = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def credentials(self) -> dict[str, Any]:
        return decrypt_json(self.encrypted_credentials)

    @credentials.setter
    def credentials(self, value: dict[str, Any]) -> None:
        self.encrypted_credentials = encrypt_json(value)

    def connector(self, **options: Any) -> Any:
        """A fresh connector for this backend; close it when done (it is a context manager)."""
        from django.core.cache import cache

        from upstreams import get_connector

        # One token per backend, shared by every worker and process through the cache.
        options.setdefault("token_store", cache)
        options.setdefault("token_key", f"backend:{self.pk}")
        if self.paths:
            options.setdefault("paths", dict(self.paths))
        return get_connector(self.kind, self.base_url, self.credentials, **options)
