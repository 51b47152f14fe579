"""Forms for the Companies page: a company's name and its identity on each backend that needs one.

Naming a company is a platform act, for superusers only: names are unique across the platform, so any
answer to "may this company be called X" (a refusal, however worded) would confirm that another
company is called X. A company's admins set its identities; the name is shown to them, not editable.
On a backend shared by every company (a multi-tenant ChargEye) the identities are set by superusers too:
a tenant there holds records of whichever company it is, and the upstream cannot say whose.
An identity another company uses is refused without saying whose (``identities.identity_in_use``).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext, gettext_lazy

from portal import identities
from portal.models import Backend, Company, CompanyIdentity


class CompanyCreateForm(forms.Form):
    """A new company: superusers only (see the module docstring), so naming a taken name is safe here."""

    name = forms.CharField(max_length=200)

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Company.objects.filter(name__iexact=name).exists():
            raise forms.ValidationError("A company with this name exists already.")
        return name


class CompanyForm(forms.Form):
    """``name`` plus one ``ref_<backend id>`` field per backend that names companies."""

    name = forms.CharField(max_length=200)
    require_second_factor = forms.BooleanField(
        label=gettext_lazy("Operators and viewers need a second factor"), required=False,
        help_text=gettext_lazy("They set up an authenticator app or a security key at their next page, and use it each "
                    "time they sign in. Admins always need one."))

    def __init__(self, *args: Any, company: Company, backends: list[Backend], may_rename: bool = False,
                 may_set_shared: bool = False, **kwargs: Any) -> None:
        known = {i.backend_id: i for i in CompanyIdentity.objects.filter(company=company)}
        initial = {"name": company.name, "require_second_factor": company.require_second_factor}
        self.company, self.backends, self.identities = company, backends, {}
        for backend in backends:
            identity = known.get(backend.pk)
            self.identities[backend.pk] = identity
            shown = identity.requested_ref if identity and identity.requested_ref else (
                identity.ref if identity else (company.upstream_ref or ""))
            initial[self.field_name(backend)] = shown
        super().__init__(*args, initial=initial, **kwargs)
        if not may_rename:
            self.fields["name"].disabled = True
            self.fields["name"].help_text = gettext("A platform administrator names companies.")
        # On a backend shared by every company (a multi-tenant ChargEye) the identity decides which of its
        # records are this company's: a company's admin claiming a tenant that is not yet any company's
        # here would take another company's records (and lock that company out of them). The check
        # can only say that the tenant exists, not whose it is, so the platform's admins set it.
        self.kept = set() if may_set_shared else {b.pk for b in backends if b.company_id is None}
        for backend in backends:
            field = identities.IDENTITY_FIELDS[backend.kind]
            names = {"field": field, "platform": backend.get_kind_display()}
            self.fields[self.field_name(backend)] = forms.CharField(
                label=gettext("Identity on %(backend)s") % {"backend": identities.field_label(backend)},
                required=False, max_length=identities.MAX_LENGTH, disabled=backend.pk in self.kept,
                help_text=(gettext("This backend is shared by every company: the platform's admins set each "
                                   "company's %(field)s on it.") % names if backend.pk in self.kept else
                           gettext("The company's %(field)s as %(platform)s knows it. A worker checks it against "
                                   "the upstream before it is used.") % names),
            )

    @staticmethod
    def field_name(backend: Backend) -> str:
        return f"ref_{backend.pk}"

    def rows(self) -> list[dict[str, Any]]:
        """Each backend with its field and where its identity stands (for the template)."""
        return [{"backend": b, "field": self[self.field_name(b)], "identity": self.identities.get(b.pk),
                 "suggested": self._suggested(b)} for b in self.backends]

    def _suggested(self, backend: Backend) -> list[str]:
        """What the upstream reported for the backend's token, unless it is this company's identity already."""
        if backend.pk in self.kept:
            return []  # the tenants a shared backend reports are every company's
        identity = self.identities.get(backend.pk)
        current = identity.ref if identity and identity.status == "confirmed" else None
        return [ref for ref in identities.suggestions_for(backend, self.company) if ref != current]

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if Company.objects.filter(name__iexact=name).exclude(pk=self.company.pk).exists():
            raise forms.ValidationError("A company with this name exists already.")
        return name

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        for backend in self.backends:
            if backend.pk in self.kept:
                continue
            name = self.field_name(backend)
            ref = (data.get(name) or "").strip()
            data[name] = ref
            if ref and identities.ref_taken(backend, ref, self.company) is not None:
                self.add_error(name, identities.identity_in_use(backend, ref))
        return data

    def refs(self) -> dict[Backend, str]:
        return {b: self.cleaned_data[self.field_name(b)] for b in self.backends if b.pk not in self.kept}
