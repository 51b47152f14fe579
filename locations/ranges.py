"""The network dashboard's time range (24 hours, 7 days or custom) and the bucket size its chart uses.

Buckets follow what is *drawn*: the range, or only the part since the first
sample when the data is younger than the range (a new demo). So a demo that
has sampled for three minutes draws three one-minute points, not one dot in
a 24-hour frame. At most ``MAX_POINTS`` buckets are drawn.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.utils import formats, timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext, pgettext_lazy

from locations.sampling import KEEP_SAMPLES
from portal import formatting

PRESETS = {"24h": (gettext_lazy("Last 24 hours"), timedelta(hours=24)), "7d": (gettext_lazy("Last 7 days"), timedelta(days=7))}
# The same in running text ("Power, last 24 hours"): its own words, as German keeps its nouns' capitals.
PHRASES = {"24h": pgettext_lazy("in running text", "last 24 hours"), "7d": pgettext_lazy("in running text", "last 7 days")}
DEFAULT = "24h"
BUCKETS = [timedelta(minutes=m) for m in (1, 2, 5, 10, 15, 30, 60, 120, 180, 360, 720, 1440)]
MAX_POINTS = 300


@dataclass(frozen=True)
class TimeRange:
    key: str  # "24h", "7d" or "custom"
    start: datetime
    end: datetime
    error: str = ""

    @property
    def label(self) -> str:
        if self.key in PRESETS:
            return PRESETS[self.key][0]
        return _("%(start)s to %(end)s") % {"start": formatting.day_time(self.start), "end": formatting.day_time(self.end)}

    @property
    def phrase(self) -> str:
        """For running text: "last 24 hours", or the custom range."""
        return str(PHRASES[self.key]) if self.key in PHRASES else self.label

    def as_query(self) -> dict[str, str]:
        if self.key == "custom":
            return {"range": "custom", "from": _local_input(self.start), "to": _local_input(self.end)}
        return {} if self.key == DEFAULT else {"range": self.key}

    @property
    def from_input(self) -> str:
        return _local_input(self.start)

    @property
    def to_input(self) -> str:
        return _local_input(self.end)

    @property
    def input_placeholder(self) -> str:
        return formatting.input_placeholder("DATETIME_INPUT_FORMATS")


def _local_input(when: datetime) -> str:
    """The value of the portal's date-time input (local time, minutes, the language's first input format)."""
    return timezone.localtime(when).strftime(formats.get_format("DATETIME_INPUT_FORMATS")[0])


def _parse_local(value: str | None) -> datetime | None:
    """A typed date-time in any of the language's input formats (or ISO 8601, as older links have it)."""
    text = (value or "").strip()
    if not text:
        return None
    parsed = None
    for fmt in formats.get_format("DATETIME_INPUT_FORMATS"):
        try:
            parsed = datetime.strptime(text, fmt)
            break
        except ValueError:
            continue
    if parsed is None:
        try:
            parsed = parse_datetime(text)
        except ValueError:
            parsed = None
    if parsed is not None and timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def time_range(params: Any, now: datetime | None = None) -> TimeRange:
    """The range asked for; a custom range that makes no sense falls back to 24 hours with a reason."""
    now = now or timezone.now()
    key = params.get("range") or DEFAULT
    if key in PRESETS:
        return TimeRange(key, now - PRESETS[key][1], now)
    if key != "custom":
        return TimeRange(DEFAULT, now - PRESETS[DEFAULT][1], now)
    start, end = _parse_local(params.get("from")), _parse_local(params.get("to")) or now
    fallback = TimeRange(DEFAULT, now - PRESETS[DEFAULT][1], now)
    typed = formatting.input_placeholder("DATETIME_INPUT_FORMATS")
    for name, label, parsed in (("from", _("From"), start), ("to", _("To"), _parse_local(params.get("to")))):
        if (params.get(name) or "").strip() and parsed is None:
            return TimeRange(DEFAULT, fallback.start, now, _(
                "%(field)s: type a date and time as %(typed)s (showing the last 24 hours).") % {
                "field": label, "typed": typed})
    if start is None:
        # "Custom" chosen, no dates yet: the inputs start from the last 24 hours, to be edited.
        return TimeRange("custom", fallback.start, now)
    if start >= end:
        return TimeRange(DEFAULT, fallback.start, now, _("From must be before To (showing the last 24 hours)."))
    oldest = now - KEEP_SAMPLES
    if end <= oldest:
        days = KEEP_SAMPLES.days
        return TimeRange(DEFAULT, fallback.start, now,
                         _("Samples are kept %(days)s days: that range holds none (showing the last 24 hours).") % {
                             "days": days})
    return TimeRange("custom", max(start, oldest), min(end, now))


def bucket_for(span: timedelta) -> timedelta:
    """The smallest bucket that draws ``span`` in at most ``MAX_POINTS`` points."""
    for bucket in BUCKETS:
        if span / bucket <= MAX_POINTS:
            return bucket
    return BUCKETS[-1]


def bucket_label(bucket: timedelta) -> str:
    minutes = int(bucket.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}
    hours = minutes // 60
    return ngettext("%(n)s hour", "%(n)s hours", hours) % {"n": hours}
