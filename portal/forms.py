"""Forms for the Users page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db.models import QuerySet

from portal.access import Role, role_of
from portal.models import Company, User

ROLE_CHOICES = [(r.group_name, r.label) for r in Role]


class _UserAccessForm(forms.Form):
    role = forms.ChoiceField(choices=ROLE_CHOICES, widget=forms.RadioSelect)
    companies = forms.ModelMultipleChoiceField(
        queryset=Company.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, companies: QuerySet[Company], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["companies"].queryset = companies

    @property
    def role_value(self) -> Role:
        return Role[self.cleaned_data["role"].upper()]


class UserCreateForm(_UserAccessForm):
    INVITE = "invite"
    PASSWORD = "password"

    username = forms.CharField(max_length=150)
    email = forms.EmailField()
    first_name = forms.CharField(max_length=150, required=False)
    last_name = forms.CharField(max_length=150, required=False)
    sign_in = forms.ChoiceField(
        label="How they sign in",
        choices=[(INVITE, "Send an invitation link (shown once)"), (PASSWORD, "Set a password now")],
        initial=INVITE,
        widget=forms.RadioSelect,
    )
    password = forms.CharField(
        widget=forms.PasswordInput(render_value=False), required=False, strip=False
    )

    field_order = ["username", "email", "first_name", "last_name", "role", "companies", "sign_in", "password"]

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
                self.add_error("password", "Enter a password, or choose the invitation link.")
            else:
                try:
                    validate_password(password, User(username=data.get("username", ""), email=data.get("email", "")))
                except forms.ValidationError as exc:
                    self.add_error("password", exc)
        return data


class UserEditForm(_UserAccessForm):
    is_active = forms.BooleanField(label="Active (may sign in)", required=False)

    def __init__(self, *args: Any, editor: User, target: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.target = target

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.target.pk == self.editor.pk:
            if role_of(self.editor) == Role.ADMIN and data.get("role") != Role.ADMIN.group_name:
                self.add_error("role", "You cannot remove your own admin role; ask another admin.")
            if not data.get("is_active"):
                self.add_error("is_active", "You cannot deactivate your own account.")
        return data
