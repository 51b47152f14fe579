"""``{{ code|label:"standard" }}``: a code's words from :mod:`portal.labels` (never the raw code)."""

from __future__ import annotations

from collections.abc import Iterable

from django import template

from portal import labels

register = template.Library()


@register.filter(name="label")
def label(code: object, vocabulary: str) -> str:
    return labels.label(code, vocabulary)


@register.filter
def labels_joined(codes: Iterable[object] | None, vocabulary: str) -> str:
    """A list of codes as their words, comma-separated: ``{{ evse.capabilities|labels_joined:"capability" }}``."""
    return ", ".join(labels.label(c, vocabulary) for c in codes or ())


@register.filter
def without_company(name: str, company: str) -> str:
    """``{{ station.backend.name|without_company:station.company.name }}``: see :func:`portal.labels.name_without`."""
    return labels.name_without(str(name or ""), str(company or ""))
