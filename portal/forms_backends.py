"""The backend form: common settings plus the credential fields of the chosen kind.

Secrets are write-only: their inputs never render a value, and on edit a
blank secret keeps the stored one. Non-secret credential fields (token URL,
client id) are shown and edited like any other field.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import URLValidator
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from upstreams import guessed_paths
from portal.models import Backend, Company
from portal.models.backends import CREDENTIAL_FIELDS

HTTP_URL = URLValidator(schemes=["http", "https"], message=gettext_lazy("Enter a URL starting with http:// or https://."))
# A token sees one company's records on these kinds, so the backend must name that company.
COMPANY_REQUIRED = {Backend.Kind.BEENERGISED, Backend.Kind.GREENFLUX}
KEEP_SECRET_HELP = gettext_lazy("Leave blank to keep the current secret.")
CREDENTIAL_PREFIX = "cred_"
PATH_PREFIX = "path_"
PATH_LABELS = {
    "templates": gettext_lazy("Hardware templates path"), "locations": gettext_lazy("Locations path"),
    "status": gettext_lazy("Network status path"), "power": gettext_lazy("Current power path"),
    "errors": gettext_lazy("Hardware errors path"), "sessions": gettext_lazy("Problematic sessions path"),
    "transactions": gettext_lazy("Transactions path"),
    "maintenance_cancel": gettext_lazy("Cancel a maintenance window (path)"),
}
# What a path with no default turns on, for its help text.
PATH_OFFERS = {"maintenance_cancel": gettext_lazy("cancelling maintenance windows")}


def credential_field_name(name: str) -> str:
    return CREDENTIAL_PREFIX + name


class BackendForm(forms.Form):
    name = forms.CharField(max_length=100)
    kind = forms.ChoiceField(choices=Backend.Kind.choices)
    company = forms.ModelChoiceField(label=gettext_lazy("Company"),
        queryset=Company.objects.none(), required=False, empty_label=gettext_lazy("— none (shared) —"),
        help_text=gettext_lazy("Required for be.ENERGISED and GreenFlux: their token sees one company."),
    )
    base_url = forms.CharField(
        label=gettext_lazy("Base URL"), max_length=300, validators=[HTTP_URL],
        widget=forms.URLInput(attrs={"placeholder": gettext_lazy("https://api.example.com")}),
    )

    def __init__(
        self, *args: Any, companies: QuerySet[Company], kind: str, backend: Backend | None = None,
        shared: bool = True, **kwargs: Any
    ) -> None:
        """``shared``: whether the user may make a backend of no company (the platform's admins only);
        a company's admin is offered their companies alone, never a choice that is then refused."""
        super().__init__(*args, **kwargs)
        self.backend = backend
        if not shared:
            field = self.fields["company"]
            field.required, field.empty_label = True, None
            field.help_text = gettext_lazy("The company whose credentials these are.")
            field.error_messages["required"] = gettext_lazy("Choose one of your companies: a backend shared by every "
                                                            "company is set up by the platform's admins.")
        self.kind_value = kind if kind in Backend.Kind.values else Backend.Kind.BEENERGISED
        self.fields["company"].queryset = companies
        if backend is not None:
            self.fields["kind"].help_text = gettext_lazy("Fixed once created: its mirrored records and operations belong to it.")
        for name, label, secret in CREDENTIAL_FIELDS[self.kind_value]:
            self.fields[credential_field_name(name)] = self._credential_field(name, label, secret)
        for name, default in guessed_paths(self.kind_value).items():
            help_text = (gettext_lazy("Not in the vendor's documents; blank uses %(default)s. Test the connection "
                                      "after a change.") % {"default": default}
                         if default else
                         gettext_lazy("Not in the vendor's documents: %(offer)s is offered only once you set the path "
                                      "the vendor gives ({id} stands for the record). Blank: not offered.")
                         % {"offer": PATH_OFFERS.get(name, gettext_lazy("this request"))})
            self.fields[PATH_PREFIX + name] = forms.CharField(
                label=PATH_LABELS.get(name, name), max_length=200, required=False,
                widget=forms.TextInput(attrs={"placeholder": default} if default else {}), help_text=help_text,
            )

    def _clean_path(self, name: str) -> str:
        value = (self.cleaned_data.get(PATH_PREFIX + name) or "").strip()
        if value and (not value.startswith("/") or any(c in value for c in "?#\\ ") or ".." in value):
            raise forms.ValidationError("A path starts with / and holds no spaces, ?, #, \\ or ..")
        if "{id}" in value:
            return value  # a record's own path, as the vendor gives it (a trailing slash may matter)
        return value.rstrip("/") if value != "/" else value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for name in guessed_paths(self.kind_value):
            try:
                data[PATH_PREFIX + name] = self._clean_path(name)
            except forms.ValidationError as exc:
                self.add_error(PATH_PREFIX + name, exc)
        if data.get("kind") in COMPANY_REQUIRED and not data.get("company"):
            self.add_error("company", gettext_lazy("Choose the company this backend's credentials belong to."))
        return data

    @property
    def path_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(PATH_PREFIX)]

    @property
    def paths(self) -> dict[str, str]:
        """The paths set (blank ones left out: the connector's default applies)."""
        return {name: self.cleaned_data[PATH_PREFIX + name] for name in guessed_paths(self.kind_value)
                if self.cleaned_data.get(PATH_PREFIX + name)}

    def _credential_field(self, name: str, label: str, secret: bool) -> forms.Field:
        if not secret:
            validators = [HTTP_URL] if name.endswith("_url") else []
            return forms.CharField(label=label, max_length=500, validators=validators)
        editing = self.backend is not None
        return forms.CharField(
            label=label, max_length=2000, strip=True, required=not editing,
            help_text=KEEP_SECRET_HELP if editing else gettext_lazy("Stored encrypted; never shown again."),
            # render_value=False: a secret never goes back to the browser, not even after an error.
            widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        )

    @property
    def credential_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith(CREDENTIAL_PREFIX)]

    @property
    def common_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if not name.startswith((CREDENTIAL_PREFIX, PATH_PREFIX))]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        others = Backend.objects.filter(name__iexact=name)
        if self.backend is not None:
            others = others.exclude(pk=self.backend.pk)
        if others.exists():
            raise forms.ValidationError("A backend with this name already exists.")
        return name

    def clean_kind(self) -> str:
        kind = self.cleaned_data["kind"]
        if self.backend is not None and kind != self.backend.kind:
            raise forms.ValidationError(
                f"The kind cannot change from {self.backend.get_kind_display()}: its mirrored records and "
                "operations would be orphaned. Create a new backend instead."
            )
        if kind != self.kind_value:
            # The credential fields shown were another kind's; the view re-renders with the right ones.
            raise forms.ValidationError(gettext_lazy("Fill in the credentials of this kind, then save again."))
        return kind

    def clean_base_url(self) -> str:
        return self.cleaned_data["base_url"].strip().rstrip("/")

    @property
    def credentials(self) -> dict[str, str]:
        """The credential values entered; blank secrets are left out (the service keeps the stored ones)."""
        out: dict[str, str] = {}
        for name, _label, _secret in CREDENTIAL_FIELDS[self.kind_value]:
            value = self.cleaned_data.get(credential_field_name(name)) or ""
            if value:
                out[name] = value
        return out
