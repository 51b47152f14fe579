"""Accounts and tenancy: companies, users, their memberships (a role per company), worker heartbeats."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """A fleet-owning company; every mirrored record belongs to one.

    ``upstream_ref`` is the company's identifier on the upstream platforms
    (be.ENERGISED's ``companyUuid``), so refreshed rows find their company.
    """

    name = models.CharField(max_length=200, unique=True)
    upstream_ref = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # Operators and viewers of this company open no page without a second factor (portal.signin.gate);
    # admins always need one.
    require_second_factor = models.BooleanField(
        _("operators and viewers need a second factor"), default=False,
        db_default=False,  # rows written by older code (a migration test at an earlier state) get False too
    )

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A portal user. What they may do is decided per company by their memberships (``portal.access``);
    a superuser may do everything everywhere."""

    companies = models.ManyToManyField(Company, blank=True, related_name="users", through="Membership")
    # Chosen on the user's own page (portal.views.account); blank follows the browser (Accept-Language)
    # and the portal's TIME_ZONE. Applied to every request by portal.locale.UserLocaleMiddleware.
    language = models.CharField(_("language"), max_length=10, blank=True, default="")
    time_zone = models.CharField(_("time zone"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["username"]


class Membership(models.Model):
    """A user's role in one company: an admin of one company may be a viewer of another.

    The table is the one the plain ``User.companies`` relation had (``portal_user_companies``), so
    ``user.companies`` keeps reading it; adding a company needs ``through_defaults={"role": ...}``.
    ``role`` holds a :class:`portal.access.Role` value.
    """

    class RoleChoice(models.IntegerChoices):
        VIEWER = 1, _("Viewer")
        OPERATOR = 2, _("Operator")
        ADMIN = 3, _("Admin")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="memberships")
    role = models.PositiveSmallIntegerField(choices=RoleChoice.choices)

    class Meta:
        db_table = "portal_user_companies"
        unique_together = [("user", "company")]
        ordering = ["company__name"]

    def __str__(self) -> str:
        return f"{self.user} in {self.company}: {self.get_role_display()}"


class WorkerHeartbeat(models.Model):
    """Written by a periodic task, so the dashboard can tell whether workers run."""

    hostname = models.CharField(max_length=200)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-seen_at"]
