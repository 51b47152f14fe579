"""Formats for the portal's language (en-gb): 24-hour times everywhere ("21:21", never "9:21 p.m."),
days without a leading zero ("7 Dec"), and the named patterns of :mod:`portal.formatting`.

Django's own en_GB formats write times as "P" (a.m./p.m.); these override them for every
``{{ value }}`` and ``|date`` / ``|time`` without an argument. Another language adds its own module
beside this one (``portal/formats/de/formats.py``) with the same names; a name it leaves out falls
back to ``portal.formatting.DEFAULTS``.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"

PORTAL_DATETIME_SECONDS_FORMAT = "j M Y, H:i:s"
PORTAL_TIME_SECONDS_FORMAT = "H:i:s"
PORTAL_DAY_FORMAT = "j M"
PORTAL_DAY_TIME_FORMAT = "j M, H:i"
PORTAL_DAY_TIME_SECONDS_FORMAT = "j M, H:i:s"
PORTAL_WEEKDAY_TIME_FORMAT = "D H:i"
PORTAL_WEEKDAY_DAY_TIME_FORMAT = "D j M, H:i"
PORTAL_WEEKDAY_DATE_FORMAT = "D j M Y"

# What the portal's date and time inputs show (the first) and accept (all): the day first, as
# written in Britain, and ISO 8601 (what browsers' own pickers and older links send).
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%d/%m/%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d/%m/%Y %H:%M", "%d/%m/%Y %H:%M:%S", "%d/%m/%y %H:%M", "%d/%m/%Y",
    "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
]
