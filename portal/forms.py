"""Forms for the Users page: a role per company, for the companies the editing admin governs only."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from portal.access import Role
from portal.models import Company, Membership, User

ROLE_CHOICES = [(r.group_name, r.label) for r in Role]
NOT_A_MEMBER = ""


class UserCreateForm(forms.Form):
    """A new person, with one role in each company chosen among those the admin governs."""

    INVITE = "invite"
    PASSWORD = "password"

    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    role = forms.ChoiceField(choices=ROLE_CHOICES, widget=forms.RadioSelect, label=gettext_lazy("Role"),
                             help_text=gettext_lazy("Their role in each company chosen below."))
    companies = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Companies"),
        queryset=Company.objects.none(), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": gettext_lazy("Choose at least one company.")},
    )
    sign_in = forms.ChoiceField(
        label=gettext_lazy("How they sign in"),
        choices=[(INVITE, gettext_lazy("Send an invitation link (shown once)")), (PASSWORD, gettext_lazy("Set a password now"))],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        label=gettext_lazy("Password"),
        widget=forms.PasswordInput(render_value=False), required=False, strip=False
    )

    field_order = ["username", "email", "first_name", "last_name", "role", "companies", "sign_in", "password"]

    def __init__(self, *args: Any, companies: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = companies

    @property
    def role_value(self) -> Role:
        return Role[self.cleaned_data["role"].upper()]

    def memberships(self) -> dict[Company, Role]:
        return {c: self.role_value for c in self.cleaned_data["companies"]}

    def clean_username(self) -> str:
        username = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError("A user with this username already exists.")
        return username

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("sign_in") == self.PASSWORD:
            password = data.get("password")
            if not password:
                self.add_error("password", gettext_lazy("Enter a password, or choose the invitation link."))
            else:
                try:
                    validate_password(password, User(username=data.get("username", ""), email=data.get("email", "")))
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return data


class UserEditForm(forms.Form):
    """``role_<company id>`` for each company the editor governs (empty: not a member), and whether the
    account may sign in, offered only to who governs every company of the person."""

    is_active = forms.BooleanField(label=gettext_lazy("Active (may sign in)"), required=False)

    def __init__(self, *args: Any, companies: QuerySet[Company], editor: User, target: User,
                 may_lock: bool, **kwargs: Any) -> None:
        self.companies = list(companies)
        current = dict(Membership.objects.filter(user=target, company__in=self.companies)
                       .values_list("company_id", "role"))
        initial = {"is_active": target.is_active, **{
            self.field_name(c): Role(current[c.pk]).group_name if c.pk in current else NOT_A_MEMBER
            for c in self.companies}}
        super().__init__(*args, initial=initial, **kwargs)
        self.editor, self.target = editor, target
        for company in self.companies:
            self.fields[self.field_name(company)] = forms.ChoiceField(
                label=gettext_lazy("Role in %(company)s") % {"company": company.name}, required=False, widget=forms.RadioSelect,
                choices=[(NOT_A_MEMBER, gettext_lazy("Not a member")), *ROLE_CHOICES])
        if not may_lock:
            # Locking the account would lock it out of companies this admin does not govern.
            del self.fields["is_active"]
        self.order_fields([self.field_name(c) for c in self.companies])

    @staticmethod
    def field_name(company: Company) -> str:
        return f"role_{company.pk}"

    def memberships(self) -> dict[Company, Role | None]:
        return {c: Role.from_group_name(self.cleaned_data.get(self.field_name(c)) or "") for c in self.companies}

    def is_active_value(self) -> bool | None:
        return self.cleaned_data["is_active"] if "is_active" in self.fields else None

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.target.pk == self.editor.pk and not self.editor.is_superuser:
            for company in self.companies:
                if data.get(self.field_name(company)) != Role.ADMIN.group_name:
                    self.add_error(self.field_name(company),
                                   gettext_lazy("You cannot remove your own admin role; ask another admin."))
            if "is_active" in self.fields and not data.get("is_active"):
                self.add_error("is_active", gettext_lazy("You cannot deactivate your own account."))
        return data
