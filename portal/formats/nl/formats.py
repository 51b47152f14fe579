"""Formats for Dutch (nl): "7 dec. 2026, 14:14", "07-12-2026", decimal comma ("7,4 kW"), thousands "22.000".

The portal's named patterns (:mod:`portal.formatting`) as the Dutch write them; the separators and
the names of months and weekdays come from Django's Dutch locale, whose module is read after this one.
"""

DATE_FORMAT = "j N Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j N Y, H:i"
SHORT_DATE_FORMAT = "d-m-Y"
SHORT_DATETIME_FORMAT = "d-m-Y H:i"

PORTAL_DATETIME_SECONDS_FORMAT = "j N Y, H:i:s"
PORTAL_TIME_SECONDS_FORMAT = "H:i:s"
PORTAL_DAY_FORMAT = "j N"
PORTAL_DAY_TIME_FORMAT = "j N, H:i"
PORTAL_DAY_TIME_SECONDS_FORMAT = "j N, H:i:s"
PORTAL_WEEKDAY_TIME_FORMAT = "D H:i"
PORTAL_WEEKDAY_DAY_TIME_FORMAT = "D j N, H:i"
PORTAL_WEEKDAY_DATE_FORMAT = "D j N Y"

DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# The portal's date inputs (portal.widgets) show the first and accept all: "07-12-2026", and ISO 8601.
DATE_INPUT_FORMATS = ["%d-%m-%Y", "%d-%m-%y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = [
    "%d-%m-%Y %H:%M", "%d-%m-%Y %H:%M:%S", "%d-%m-%y %H:%M", "%d-%m-%Y",
    "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M:%S",
]
