"""The sign-in form: allauth's, with Django's field names and wording.

django-axes reads the username from the ``username`` field and the tests, the browser tests and
people's password managers know the form by ``username`` and ``password``; allauth calls the first
``login``. A wrong password keeps Django's message, which Django translates.
"""

from __future__ import annotations

from typing import Any

from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(LoginForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields.pop("login")
        self.fields = {
            "username": forms.CharField(
                label=_("Username"), max_length=150,
                widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username",
                                              "autocapitalize": "none"})),
            **self.fields,
        }
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""

    def clean_username(self) -> str:
        return self.cleaned_data["username"].strip()

    def clean(self) -> dict[str, Any]:
        if "username" in self.cleaned_data:
            # allauth's flows read the login under its own name.
            self.cleaned_data["login"] = self.cleaned_data["username"]
        try:
            return super().clean()
        except forms.ValidationError as error:
            if getattr(error, "code", None) != "username_password_mismatch":
                raise
            raise forms.ValidationError(AuthenticationForm.error_messages["invalid_login"], code="invalid_login",
                                        params={"username": _("username")}) from None
