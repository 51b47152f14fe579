"""Judging API input with the pages' own forms, so that a rule is written once.

A JSON body becomes the form's data (a formset's rows get its prefix and management fields), and
the form's errors become DRF's, which ``api.problems`` answers as problem+json naming each field
(``connectors/1/max_voltage`` for a formset row).
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from rest_framework.exceptions import ValidationError


def formset_data(prefix: str, rows: list[dict[str, Any]]) -> dict[str, Any]:
    data: dict[str, Any] = {f"{prefix}-TOTAL_FORMS": str(len(rows)), f"{prefix}-INITIAL_FORMS": "0"}
    for index, row in enumerate(rows):
        data.update({f"{prefix}-{index}-{name}": "" if value is None else value for name, value in row.items()})
    return data


def kilowatts(watts: Any) -> str:
    """A power the API takes in watts, as the pages' power fields read it (kW, portal.widgets.KilowattField).

    Always with a "." decimal point: the fields are localized, and every API request runs in the portal's
    LANGUAGE_CODE whatever the caller's language (portal.locale.UserLocaleMiddleware), so a German
    caller's 1234567 W is "1234.567" kW, never read as 1,234,567 kW (tests/api/test_locale.py)."""
    if watts in (None, ""):
        return ""
    try:
        return format(Decimal(str(watts)) / 1000, "f")
    except InvalidOperation:
        return str(watts)  # the form refuses it and names the field


def raise_errors(form: forms.Form | None = None, formset: forms.BaseFormSet | None = None,
                 formset_name: str = "", renames: dict[str, str] | None = None) -> None:
    """Raise every error of ``form`` and ``formset`` at once, or return when both are valid.

    ``renames`` maps a formset field's name to the API's (``max_power_kw`` → ``max_power_watts``)."""
    renames = renames or {}
    errors: dict[str, Any] = {}
    if form is not None and not form.is_valid():
        errors.update({name: list(messages) for name, messages in form.errors.items()})
    if formset is not None and not formset.is_valid():
        rows = {str(i): {renames.get(n, n): list(m) for n, m in row.items()}
                for i, row in enumerate(formset.errors) if row}
        if formset.non_form_errors():
            rows[""] = list(formset.non_form_errors())
        errors[formset_name] = rows
    if errors:
        raise ValidationError(errors)
