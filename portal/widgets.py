"""The portal's own date and date-time inputs: text boxes in the language's format, no browser picker.

A browser's ``<input type="date">`` writes dates in the *browser's* locale (a US browser shows
"mm/dd/yyyy" beside the portal's "7 Dec 2026"), so the portal draws plain text inputs that show and
accept the active language's input formats (``DATE_INPUT_FORMATS`` / ``DATETIME_INPUT_FORMATS`` of
``portal/formats/<lang>``; ISO 8601 is accepted too). They need no JavaScript; the placeholder and
a hint say what to type.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy

from portal.formatting import input_placeholder, number


class _TextDate:
    format_key: str
    input_type = "text"

    def _attrs(self, attrs: dict[str, Any] | None) -> dict[str, Any]:
        merged = {"autocomplete": "off", "spellcheck": "false", "class": "date-input"}
        merged.update(attrs or {})
        return merged

    def get_context(self, name: str, value: Any, attrs: dict[str, Any] | None) -> dict[str, Any]:
        attrs = dict(attrs or {})
        # Placeholder from the language at render time (a form may be built before the language is set).
        attrs.setdefault("placeholder", input_placeholder(self.format_key))
        return super().get_context(name, value, attrs)  # type: ignore[misc]


class DateInput(_TextDate, forms.DateInput):
    """A date as text: "07/12/2026" in English, "07.12.2026" in German."""

    format_key = "DATE_INPUT_FORMATS"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=self._attrs({"inputmode": "numeric", "size": 11, **(attrs or {})}))


class DateTimeInput(_TextDate, forms.DateTimeInput):
    """A date and time as text: "07/12/2026 14:15"."""

    format_key = "DATETIME_INPUT_FORMATS"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=self._attrs({"size": 17, **(attrs or {})}))


def date_field(**kwargs: Any) -> forms.DateField:
    """A DateField with the portal's input (accepting the language's formats)."""
    return forms.DateField(widget=DateInput(), **kwargs)


def datetime_field(**kwargs: Any) -> forms.DateTimeField:
    """A DateTimeField with the portal's input (accepting the language's formats)."""
    return forms.DateTimeField(widget=DateTimeInput(), **kwargs)


class KilowattField(forms.DecimalField):
    """Power typed in kW (as every page shows it), kept in watts (as the upstreams take it).

    The form's value is an ``int`` of watts: initial values in watts are shown in kW ("22" for
    22000), and "7.4" typed comes back as 7400. Decimals follow the language (a decimal comma in
    German) because the field is localized.
    """

    def __init__(self, *, label: Any = gettext_lazy("Power (kW)"), **kwargs: Any) -> None:
        kwargs.setdefault("min_value", Decimal("0.001"))
        kwargs.setdefault("max_digits", 9)
        kwargs.setdefault("decimal_places", 3)
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "size": 8}))
        super().__init__(label=label, localize=True, **kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
            return number(Decimal(str(value)) / 1000, 3)  # watts from an initial value, shown as kW
        return value  # what the user typed, shown back as typed

    def clean(self, value: Any) -> int | None:  # type: ignore[override]
        kilowatts = super().clean(value)
        return None if kilowatts is None else int((kilowatts * 1000).to_integral_value())
