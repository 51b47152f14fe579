"""Forms of the Alerts pages: filters, acknowledging with a note, a company's thresholds."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from alerts.models import AlertSettings, Kind, Severity
from portal.models import Company

STATE_CHOICES = [("open", _("Open")), ("unacknowledged", _("Open, not acknowledged")),
                 ("resolved", _("Resolved (history)")), ("all", _("All"))]


class AlertFilterForm(forms.Form):
    state = forms.ChoiceField(label=_("State"), choices=STATE_CHOICES, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", _("Any kind")), *Kind.choices], required=False)
    severity = forms.ChoiceField(label=_("Severity"), choices=[("", _("Any severity")), *Severity.choices],
                                 required=False)
    company = forms.ModelChoiceField(label=_("Company"), queryset=Company.objects.none(), required=False,
                                     empty_label=_("Any company"))

    def __init__(self, *args: Any, companies: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["company"].queryset = companies

    def values(self) -> dict[str, Any]:
        """The filters to apply ("open" alerts when nothing valid was asked)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        company = data.get("company")
        return {"state": data.get("state") or "open", "kind": data.get("kind") or "",
                "severity": data.get("severity") or "", "company": company.pk if company else None}


class AcknowledgeForm(forms.Form):
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea(attrs={"rows": 2}),
                           help_text=_("What you are doing about it (optional)."))


class AlertSettingsForm(forms.Form):
    """Thresholds in minutes (stored in seconds)."""

    FIELDS = ("offline_after", "connector_error_after", "conflict_after", "maintenance_within", "hold_down")

    offline_after = forms.IntegerField(label=_("Station offline for at least (minutes)"), min_value=0, max_value=1440)
    connector_error_after = forms.IntegerField(label=_("Hardware error for at least (minutes)"), min_value=0,
                                               max_value=1440)
    conflict_after = forms.IntegerField(label=_("Conflict waiting for at least (minutes)"), min_value=0,
                                        max_value=10080)
    maintenance_within = forms.IntegerField(label=_("Maintenance starting within (minutes)"), min_value=1,
                                            max_value=10080)
    hold_down = forms.IntegerField(label=_("Hold-down after an alert resolves (minutes)"), min_value=0,
                                   max_value=1440, help_text=_("The same condition opens no new alert this soon."))

    @classmethod
    def initial_for(cls, settings: AlertSettings) -> dict[str, int]:
        return {name: getattr(settings, name) // 60 for name in cls.FIELDS}

    def seconds(self) -> dict[str, int]:
        return {name: self.cleaned_data[name] * 60 for name in self.FIELDS}
