"""The form of the user's own page: the language and time zone the portal speaks to them in."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from portal.locale import time_zone_names


class PreferencesForm(forms.Form):
    """Blank means "as my browser says" (language) and "the portal's" (time zone)."""

    language = forms.ChoiceField(
        label=_("Language"), required=False,
        help_text=_("Without a choice, the portal follows your browser's language."),
    )
    time_zone = forms.ChoiceField(
        label=_("Time zone"), required=False,
        help_text=_("Every date and time is shown in this time zone."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Each language is named in itself ("Deutsch", "Nederlands"): a reader who cannot read the
        # current language still finds their own.
        self.fields["language"].choices = [("", _("As my browser says")), *settings.LANGUAGES]
        portal_zone = _("The portal's (%(zone)s)") % {"zone": settings.TIME_ZONE}
        self.fields["time_zone"].choices = [("", portal_zone), *((n, n.replace("_", " ")) for n in time_zone_names())]
