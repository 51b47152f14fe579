"""A company's identity on one upstream backend (be.ENERGISED ``companyUuid``, ChargEye tenant id).

An admin types it on the Companies page; a worker then checks it against
the upstream (``portal.identities.identity_check``). Only a confirmed value
(or one the upstream cannot judge because it shows no records yet) becomes
``ref``; a refused one stays in ``requested_ref`` with the reason, and the
last good ``ref`` is kept, so a typo never breaks refreshes or creates.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy


class CompanyIdentity(models.Model):
    class Status(models.TextChoices):
        CHECKING = "checking", gettext_lazy("Checking…")
        CONFIRMED = "confirmed", gettext_lazy("Confirmed by the upstream")
        UNCONFIRMED = "unconfirmed", gettext_lazy("Saved, not confirmed (the upstream shows no records yet)")
        REFUSED = "refused", gettext_lazy("Refused")
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, related_name="identities")
    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="identities")
    ref = models.CharField(max_length=64, blank=True, help_text=gettext_lazy("The identity in use (checked)."))
    requested_ref = models.CharField(max_length=64, blank=True, help_text=gettext_lazy("The value last typed by an admin."))
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.CHECKING)
    message = models.CharField(max_length=500, blank=True)
    requested_at = models.DateTimeField(null=True, blank=True)
    checked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["company__name", "backend__name"]
        constraints = [
            models.UniqueConstraint(fields=["company", "backend"], name="identity_company_backend_unique"),
            models.UniqueConstraint(fields=["backend", "ref"], condition=~models.Q(ref=""),
                                    name="identity_backend_ref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.company} on {self.backend}: {self.ref or '(none)'}"

    @property
    def is_checking(self) -> bool:
        return self.status == self.Status.CHECKING
