"""Date and time formats for the portal's language (en-gb): 24-hour times everywhere ("21:21", never "9:21 p.m.").

Django's own en_GB formats write times as "P" (a.m./p.m.); these override
them for every ``{{ value }}`` and ``|date`` / ``|time`` without an argument.
"""

DATE_FORMAT = "j M Y"
TIME_FORMAT = "H:i"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
