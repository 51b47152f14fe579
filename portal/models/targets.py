"""The backend a company last chose as the target of a create, per kind (the next form's default)."""

from __future__ import annotations

from django.db import models


class TargetChoice(models.Model):
    # Null for the shared model catalogue: its creates belong to no company.
    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, null=True, blank=True, related_name="+")
    kind = models.CharField(max_length=20)
    backend = models.ForeignKey("portal.Backend", on_delete=models.CASCADE, related_name="+")
    chosen_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "kind"], name="target_choice_unique"),
            models.UniqueConstraint(fields=["kind"], condition=models.Q(company__isnull=True),
                                    name="target_choice_shared_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.company or 'shared'} {self.kind} → {self.backend_id}"
