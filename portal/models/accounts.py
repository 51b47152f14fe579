"""Accounts and tenancy: companies, users with their companies, worker heartbeats."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Company(models.Model):
    """A fleet-owning company; every mirrored record belongs to one.

    ``upstream_ref`` is the company's identifier on the upstream platforms
    (be.ENERGISED's ``companyUuid``), so refreshed rows find their company.
    """

    name = models.CharField(max_length=200, unique=True)
    upstream_ref = models.CharField(max_length=64, unique=True, null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "companies"

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A portal user. The role is one of the groups viewer/operator/admin (see ``portal.access``)."""

    companies = models.ManyToManyField(Company, blank=True, related_name="users")

    class Meta:
        ordering = ["username"]


class WorkerHeartbeat(models.Model):
    """Written by a periodic task, so the dashboard can tell whether workers run."""

    hostname = models.CharField(max_length=200)
    seen_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-seen_at"]
