"""Forms for maintenance windows: one window on one station, the same window for many, the page's filters.

Times are typed in the reader's time zone (theirs or the portal's ``TIME_ZONE``, shown beside
each field) and sent to be.ENERGISED in UTC. The rules are the upstream's (a
window may not start in the past, it ends after it starts, the connector is
one of the station's) plus a comment length of our own; each refusal names
its field. Overlaps are not errors: the views warn about them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maintenance.services import WindowInput
from portal import formatting
from portal.formatting import input_placeholder
from portal.access import scoped
from portal.models import Backend
from portal.widgets import date_field, datetime_field
from stations.models import Station

COMMENT_MAX = 1000


def station_connectors(station: Station) -> list[tuple[str, str]]:
    """The station's connectors as be.ENERGISED reports them (``connectors`` of its document)."""
    found = station.upstream_data.get("connectors") if isinstance(station.upstream_data, dict) else None
    out = []
    for item in found or []:
        if isinstance(item, dict) and item.get("uuid"):
            number = item.get("connectorId")
            out.append((item["uuid"], _("Connector %(n)s") % {"n": number} if number is not None else item["uuid"]))
    return out


class WindowForm(forms.Form):
    """Start, end and comment; with a ``station``, also one of its connectors (or the whole station)."""

    starts_at = datetime_field(label=gettext_lazy("Start"))
    ends_at = datetime_field(label=gettext_lazy("End"))
    comment = forms.CharField(label=gettext_lazy("Comment"), max_length=COMMENT_MAX,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              help_text=gettext_lazy("What is done and by whom; be.ENERGISED shows it with the window."))
    connector = forms.CharField(label=gettext_lazy("Connector"), required=False)

    def __init__(self, *args: Any, station: Station | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # The reader's zone: the one chosen on their page, else the portal's (portal.locale).
        words = {"typed": input_placeholder("DATETIME_INPUT_FORMATS"), "zone": timezone.get_current_timezone_name()}
        self.fields["starts_at"].help_text = _("%(typed)s, your time (%(zone)s). A window may not start in the past.") % words
        self.fields["ends_at"].help_text = _("%(typed)s, your time (%(zone)s); after the start.") % words
        self.station = station
        if station is None:
            del self.fields["connector"]
        else:
            self.connectors = station_connectors(station)
            self.fields["connector"].widget = forms.Select(choices=[("", _("The whole station")), *self.connectors])
            self.fields["connector"].help_text = (
                _("Only this connector is out of service during the window.") if self.connectors
                else _("be.ENERGISED reports no connectors for this station: the window covers all of it.")
            )

    def clean_starts_at(self) -> datetime:
        value = self.cleaned_data["starts_at"]
        if value < timezone.now():
            raise forms.ValidationError(
                _("A window may not start in the past (it is now %(now)s).") % {"now": formatting.when(timezone.now())}
            )
        return value

    def clean_connector(self) -> str:
        value = (self.cleaned_data.get("connector") or "").strip()
        if value and value not in dict(self.connectors):
            raise forms.ValidationError(_("%(value)s is not a connector of this station.") % {"value": value})
        return value

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("starts_at"), data.get("ends_at")
        if start is not None and end is not None and end <= start:
            self.add_error("ends_at", _("The end must be after the start."))
        return data

    def to_input(self) -> WindowInput:
        d = self.cleaned_data
        return WindowInput(d["starts_at"], d["ends_at"], d["comment"].strip(), d.get("connector") or "")


def default_window() -> dict[str, datetime]:
    """Tomorrow 08:00–12:00 local time: a morning slot, always in the future."""
    day = timezone.localdate() + timedelta(days=1)
    start = timezone.make_aware(datetime.combine(day, time(8, 0)))
    return {"starts_at": start, "ends_at": start + timedelta(hours=4)}


class WindowFilterForm(forms.Form):
    """The Maintenance page's filters: a date range, a location, a backend."""

    start = date_field(label=gettext_lazy("From"), required=False)
    end = date_field(label=gettext_lazy("To"), required=False,
                     help_text=gettext_lazy("Windows running at any time in these days."))
    location = forms.TypedChoiceField(label=gettext_lazy("Location"), required=False, coerce=int, empty_value=None)
    backend = forms.TypedChoiceField(label=gettext_lazy("Backend"), required=False, coerce=int, empty_value=None)

    DEFAULT_DAYS = 14
    MAX_DAYS = 366

    def __init__(self, *args: Any, user: Any, locations: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        backends = scoped(Backend.objects.filter(kind=Backend.Kind.BEENERGISED), user).values_list("pk", "name")
        self.fields["backend"].choices = [("", _("Any backend")), *backends]
        self.fields["location"].choices = [("", _("Any location")), *locations]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end < start:
            self.add_error("end", _("“To” must be on or after “From”."))
        elif start and end and (end - start).days > self.MAX_DAYS:
            self.add_error("end", _("Choose at most %(n)s days.") % {"n": self.MAX_DAYS})
        return data

    def period(self) -> tuple[datetime, datetime]:
        """[from, to) as aware datetimes: today and the next two weeks unless chosen."""
        data = self.cleaned_data if self.is_valid() else {}
        first: date = data.get("start") or timezone.localdate()
        last: date = data.get("end") or first + timedelta(days=self.DEFAULT_DAYS - 1)
        since = timezone.make_aware(datetime.combine(first, time.min))
        until = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
        return since, until
