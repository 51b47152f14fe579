"""The one formatter: how every page, form and message writes dates, times, durations, power and energy.

Templates use the filters of ``{% load units %}`` (``|when``, ``|day_time``, ``|kw`` …), Python code the
functions here; both end in Django's l10n, so switching the language (issue 30) switches every one
of them. The patterns are named formats looked up with :func:`django.utils.formats.get_format`
in the active language's format module (``portal/formats/<lang>/formats.py``); a language whose
module does not name a pattern gets the portal's English one from :data:`DEFAULTS`. Numbers go
through :func:`django.utils.formats.number_format` (decimal comma in German and Dutch).

Times are shown in the current time zone, minutes unless seconds matter (run and audit pages);
days as "7 Dec", never "07 Dec"; power in kW (the upstreams send watts), energy in kWh.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import dateformat, formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

NOTHING = "—"

# The portal's patterns (Django's date-format characters), by name. Languages override them in
# their format modules; DATE_FORMAT, DATETIME_FORMAT and TIME_FORMAT are Django's own names.
DEFAULTS: dict[str, str] = {
    "DATE_FORMAT": "j M Y",                        # 7 Dec 2026
    "DATETIME_FORMAT": "j M Y, H:i",               # 7 Dec 2026, 14:14
    "TIME_FORMAT": "H:i",                          # 14:14
    "PORTAL_DATETIME_SECONDS_FORMAT": "j M Y, H:i:s",
    "PORTAL_TIME_SECONDS_FORMAT": "H:i:s",
    "PORTAL_DAY_FORMAT": "j M",                    # 7 Dec (this year's days, axes)
    "PORTAL_DAY_TIME_FORMAT": "j M, H:i",          # 7 Dec, 14:14
    "PORTAL_DAY_TIME_SECONDS_FORMAT": "j M, H:i:s",
    "PORTAL_WEEKDAY_TIME_FORMAT": "D H:i",         # Mon 14:14 (within the week shown)
    "PORTAL_WEEKDAY_DAY_TIME_FORMAT": "D j M, H:i",  # Mon 7 Dec, 14:14
    "PORTAL_WEEKDAY_DATE_FORMAT": "D j M Y",       # Mon 7 Dec 2026
}


def pattern(name: str) -> str:
    """The active language's pattern called ``name`` (or the portal's English one)."""
    found = formats.get_format(name)
    # get_format answers the name itself for a name no module and no setting defines.
    return found if isinstance(found, str) and found != name else DEFAULTS[name]


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def format_instant(value: date | datetime | None, name: str) -> str:
    """``value`` in the pattern ``name`` (local time); "" for nothing."""
    if value in (None, ""):
        return ""
    return dateformat.format(_local(value), pattern(name))  # type: ignore[arg-type]


def when(value: datetime | None, seconds: bool = False) -> str:
    """Date and time: "7 Dec 2026, 14:14" (with seconds: "7 Dec 2026, 14:14:05")."""
    return format_instant(value, "PORTAL_DATETIME_SECONDS_FORMAT" if seconds else "DATETIME_FORMAT")


def day_time(value: datetime | None, seconds: bool = False) -> str:
    """Day and time without the year: "7 Dec, 14:14"."""
    return format_instant(value, "PORTAL_DAY_TIME_SECONDS_FORMAT" if seconds else "PORTAL_DAY_TIME_FORMAT")


def weekday_time(value: datetime | None) -> str:
    """Weekday and time, for the days of one week: "Mon 14:14"."""
    return format_instant(value, "PORTAL_WEEKDAY_TIME_FORMAT")


def weekday_day_time(value: datetime | None) -> str:
    """"Mon 7 Dec, 14:14"."""
    return format_instant(value, "PORTAL_WEEKDAY_DAY_TIME_FORMAT")


def day(value: date | datetime | None) -> str:
    """A day of this year: "7 Dec"."""
    return format_instant(value, "PORTAL_DAY_FORMAT")


def long_date(value: date | datetime | None, weekday: bool = False) -> str:
    """A date: "7 Dec 2026" (with the weekday: "Mon 7 Dec 2026")."""
    return format_instant(value, "PORTAL_WEEKDAY_DATE_FORMAT" if weekday else "DATE_FORMAT")


def clock(value: datetime | None, seconds: bool = False) -> str:
    """The time alone: "14:14" (with seconds: "14:14:05")."""
    return format_instant(value, "PORTAL_TIME_SECONDS_FORMAT" if seconds else "TIME_FORMAT")


def number(value: Any, places: int = 1) -> str:
    """A number in the language's way, at most ``places`` decimals, trailing zeros dropped: 7.4, 22, 7,4."""
    try:
        exact = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return NOTHING
    if not exact.is_finite():
        return NOTHING
    rounded = exact.quantize(Decimal(1).scaleb(-places)) if places else exact.quantize(Decimal(1))
    text = formats.number_format(rounded, decimal_pos=places, use_l10n=True, force_grouping=True)
    if places:
        sep = re.escape(formats.get_format("DECIMAL_SEPARATOR"))
        text = re.sub(rf"{sep}0+$", "", text)
        text = re.sub(rf"({sep}\d*?)0+$", r"\1", text)
    return text


def _blank(value: Any) -> bool:
    return value is None or value == ""


def kw(watts: Any, places: int = 2) -> str:
    """Watts (what the upstreams send) as kilowatts: 22000 → "22 kW", 7400 → "7.4 kW", nothing → "—"."""
    if _blank(watts):
        return NOTHING
    try:
        value = Decimal(str(watts)) / 1000
    except (InvalidOperation, ValueError):
        return NOTHING
    return power(value, places)


def power(kilowatts: Any, places: int = 1) -> str:
    """A power already in kW: "7.4 kW"."""
    if _blank(kilowatts):
        return NOTHING
    shown = number(kilowatts, places)
    return NOTHING if shown == NOTHING else f"{shown} kW"


def energy(kilowatt_hours: Any, places: int = 1) -> str:
    """Energy in kWh: "12.5 kWh"."""
    if _blank(kilowatt_hours):
        return NOTHING
    shown = number(kilowatt_hours, places)
    return NOTHING if shown == NOTHING else f"{shown} kWh"


def duration(value: timedelta | float | int | None) -> str:
    """A span of time: "12.3 s" under a minute, "4 min 5 s", "2 h 5 min", "3 d 4 h"."""
    if _blank(value):
        return NOTHING
    seconds = value.total_seconds() if isinstance(value, timedelta) else float(value)  # type: ignore[union-attr]
    if seconds < 60:
        return _("%(n)s s") % {"n": number(seconds, 1)}
    whole = int(round(seconds))
    days, rest = divmod(whole, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return _("%(d)s d %(h)s h") % {"d": days, "h": hours} if hours else _("%(d)s d") % {"d": days}
    if hours:
        return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes} if minutes else _("%(h)s h") % {"h": hours}
    return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs} if secs else _("%(m)s min") % {"m": minutes}


def since(value: datetime | None) -> str:
    """How long ago ``value`` was, in whole seconds: "45 s", "9 min", "2 h 5 min" (the duration's words)."""
    if value is None:
        return NOTHING
    return duration(max(0, round((timezone.now() - value).total_seconds())))


def ago(value: datetime | None) -> str:
    """"9 min ago" (the duration's words, not Django's "9 minutes" beside "4 min 5 s")."""
    if value is None:
        return NOTHING
    return _("%(span)s ago") % {"span": since(value)}


def input_placeholder(format_key: str) -> str:
    """What a date or date-time input asks for, from the language's first input format, in the reader's
    letters: "dd/mm/yyyy hh:mm", "TT.MM.JJJJ hh:mm", "dd-mm-jjjj uu:mm"."""
    first = formats.get_format(format_key)[0]
    words = {
        "%d": pgettext("input placeholder: day", "dd"), "%m": pgettext("input placeholder: month", "mm"),
        "%Y": pgettext("input placeholder: year", "yyyy"), "%y": pgettext("input placeholder: year", "yy"),
        "%H": pgettext("input placeholder: hour", "hh"), "%M": pgettext("input placeholder: minute", "mm"),
        "%S": pgettext("input placeholder: second", "ss"),
    }
    return re.sub(r"%[dmYyHMS]", lambda m: words[m.group(0)], first)
