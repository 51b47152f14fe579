"""The one formatter: dates, times, durations, power and energy, and the inputs, follow the language."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from portal import formatting
from portal.widgets import DateInput, DateTimeInput, KilowattField

MOMENT = datetime(2026, 12, 7, 13, 14, 5, tzinfo=ZoneInfo("UTC"))  # 14:14:05 in Amsterdam


@pytest.fixture(autouse=True)
def amsterdam(settings) -> None:
    settings.TIME_ZONE = "Europe/Amsterdam"


def test_english_dates_times_and_units() -> None:
    assert formatting.when(MOMENT) == "7 Dec 2026, 14:14"
    assert formatting.when(MOMENT, seconds=True) == "7 Dec 2026, 14:14:05"
    assert formatting.day(MOMENT) == "7 Dec"  # never "07 Dec"
    assert formatting.day_time(MOMENT) == "7 Dec, 14:14"
    assert formatting.weekday_time(MOMENT) == "Mon 14:14"
    assert formatting.clock(MOMENT) == "14:14"
    assert formatting.kw(7400) == "7.4 kW" and formatting.kw(22000) == "22 kW" and formatting.kw(None) == "—"
    assert formatting.power(1234.56) == "1,234.6 kW" and formatting.energy(12.5) == "12.5 kWh"
    assert formatting.duration(12.34) == "12.3 s" and formatting.duration(timedelta(minutes=4, seconds=5)) == "4 min 5 s"
    assert formatting.duration(3725) == "1 h 2 min" and formatting.duration(2 * 86400 + 3600) == "2 d 1 h"
    assert formatting.input_placeholder("DATETIME_INPUT_FORMATS") == "dd/mm/yyyy hh:mm"


def test_the_template_filters_are_the_same_formatter() -> None:
    html = Template("{% load units %}{{ t|when }}|{{ t|day }}|{{ w|kw }}|{{ s|duration }}").render(
        Context({"t": MOMENT, "w": 11000, "s": 90}))
    assert html == "7 Dec 2026, 14:14|7 Dec|11 kW|1 min 30 s"


def test_how_long_ago_in_the_durations_words() -> None:
    """The Sync card, the dashboard and the Network page said Django's "9 minutes ago" beside "4 min 5 s"."""
    from django.utils import timezone

    now = timezone.now()
    assert formatting.ago(now - timedelta(minutes=9)) == "9 min ago"
    assert formatting.ago(now - timedelta(hours=2, minutes=5, seconds=20)) == "2 h 5 min ago"
    assert formatting.since(now - timedelta(seconds=45)) == "45 s" and formatting.ago(None) == "—"
    assert formatting.since(now + timedelta(seconds=5)) == "0 s"  # a clock a little ahead is not "-5 s"
    html = Template("{% load units %}{{ t|ago }}|{{ t|since }}").render(Context({"t": now - timedelta(minutes=3)}))
    assert html == "3 min ago|3 min"
    with translation.override("de"):
        assert formatting.ago(now - timedelta(minutes=9)) == "vor 9 min"
    with translation.override("nl"):
        assert formatting.ago(now - timedelta(hours=1, minutes=2)) == "1 u 2 min geleden"


def test_a_language_switch_changes_every_format() -> None:
    """German and Dutch through the portal's own format modules (portal/formats/de, nl) and catalogue."""
    with translation.override("de"):
        assert formatting.kw(7400) == "7,4 kW" and formatting.kw(22000) == "22 kW"
        assert formatting.power(1234.56) == "1.234,6 kW" and formatting.energy(12.5) == "12,5 kWh"
        assert formatting.when(MOMENT) == "7. Dez. 2026, 14:14"
        assert formatting.when(MOMENT, seconds=True) == "7. Dez. 2026, 14:14:05"
        assert formatting.day(MOMENT) == "7. Dez." and formatting.day_time(MOMENT) == "7. Dez., 14:14"
        assert formatting.weekday_time(MOMENT) == "Mo 14:14" and formatting.long_date(MOMENT) == "7. Dez. 2026"
        assert formatting.duration(12.34) == "12,3 s" and formatting.duration(2 * 86400 + 3600) == "2 T 1 h"
        assert formatting.duration(3725) == "1 h 2 min"
        assert formatting.input_placeholder("DATE_INPUT_FORMATS") == "TT.MM.JJJJ"
        assert formatting.input_placeholder("DATETIME_INPUT_FORMATS") == "TT.MM.JJJJ hh:mm"
    with translation.override("nl"):
        assert formatting.kw(7400) == "7,4 kW" and formatting.power(1234.56) == "1.234,6 kW"
        assert formatting.when(MOMENT) == "7 dec 2026, 14:14" and formatting.day(MOMENT) == "7 dec"
        assert formatting.weekday_time(MOMENT) == "ma 14:14"
        assert formatting.duration(3725) == "1 u 2 min" and formatting.duration(2 * 86400 + 3600) == "2 d 1 u"
        assert formatting.input_placeholder("DATETIME_INPUT_FORMATS") == "dd-mm-jjjj uu:mm"


def test_times_follow_the_active_time_zone() -> None:
    """The user's page sets the zone (portal.locale); the formatter writes local time in it."""
    from django.utils import timezone

    with timezone.override(ZoneInfo("Europe/London")):
        assert formatting.when(MOMENT) == "7 Dec 2026, 13:14"
    with timezone.override(ZoneInfo("America/New_York")), translation.override("nl"):
        assert formatting.when(MOMENT) == "7 dec 2026, 08:14"


class WindowForm(forms.Form):
    day = forms.DateField(widget=DateInput())
    at = forms.DateTimeField(widget=DateTimeInput())
    power = KilowattField(required=False)


def test_the_portals_inputs_are_text_in_the_languages_format() -> None:
    html = str(WindowForm(initial={"day": MOMENT.date(), "at": MOMENT, "power": 22000}))
    assert 'type="text"' in html and 'type="date' not in html
    assert 'placeholder="dd/mm/yyyy"' in html and 'value="07/12/2026"' in html
    assert 'value="22"' in html  # watts shown as kW
    form = WindowForm({"day": "08/12/2026", "at": "08/12/2026 09:30", "power": "7.4"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["day"].isoformat() == "2026-12-08" and form.cleaned_data["power"] == 7400
    assert WindowForm({"day": "2026-12-08", "at": "2026-12-08T09:30", "power": ""}).is_valid()  # ISO still taken
    refused = WindowForm({"day": "12/31/2026", "at": "x", "power": "-1"})
    assert set(refused.errors) == {"day", "at", "power"}
    with translation.override("de"):
        german = WindowForm({"day": "08.12.2026", "at": "08.12.2026 09:30", "power": "7,4"})
        assert german.is_valid(), german.errors
        assert german.cleaned_data["power"] == 7400
        assert 'placeholder="TT.MM.JJJJ"' in str(WindowForm())
        assert not WindowForm({"day": "12/08/2026", "at": "08.12.2026 09:30"}).is_valid()  # British order refused
    with translation.override("nl"):
        dutch = WindowForm({"day": "08-12-2026", "at": "08-12-2026 09:30", "power": "11,04"})
        assert dutch.is_valid(), dutch.errors
        assert dutch.cleaned_data["day"].isoformat() == "2026-12-08" and dutch.cleaned_data["power"] == 11040
        assert 'value="07-12-2026"' in str(WindowForm(initial={"day": MOMENT.date()}))
