"""Logging filters (imported by the ``LOGGING`` setting, before the apps load: keep this module light).

:class:`RefusalLogFilter` keeps the log readable: a refusal the portal meant
(400, 403, 404, 405, a CSRF failure) is one line with no traceback, so real
errors (500) stand out with theirs.
"""

from __future__ import annotations

import logging

EXPECTED_STATUSES = frozenset({400, 403, 404, 405})


class RefusalLogFilter(logging.Filter):
    """Drops the traceback of a logged refusal; Django's loggers put the status in ``record.status_code``."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "status_code", None) in EXPECTED_STATUSES:
            record.exc_info = None
            record.exc_text = None
        return True
