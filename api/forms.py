"""The form that creates a personal API token."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from api.models import ApiToken

EXPIRY_CHOICES = [("30", gettext_lazy("30 days")), ("90", gettext_lazy("90 days")), ("365", gettext_lazy("One year")),
                  ("never", gettext_lazy("Never"))]


class TokenCreateForm(forms.Form):
    name = forms.CharField(max_length=100, label=gettext_lazy("Name"),
                           help_text=gettext_lazy("What uses it, e.g. “ERP sync”; shown in the audit trail."))
    scope = forms.ChoiceField(choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ,
                              widget=forms.RadioSelect, label=gettext_lazy("Scope"),
                              help_text=gettext_lazy("Read and write still needs the operator role for changes."))
    expires = forms.ChoiceField(label=gettext_lazy("Expires after"), choices=EXPIRY_CHOICES, initial="90")

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if ApiToken.objects.filter(user=self.user, name=name).exists():
            raise forms.ValidationError(_("You already have a token with this name; choose another."))
        return name

    def expires_at(self) -> Any:
        days = self.cleaned_data["expires"]
        return None if days == "never" else timezone.now() + timedelta(days=int(days))
