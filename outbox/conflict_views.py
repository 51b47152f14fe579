"""What a record's page says after "send mine over theirs" or "discard mine" on a held write.

The location and model pages resolve their field conflicts the same way (``outbox.conflicts``);
their views parse, check access and call these with their own words, then redirect to the record.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest
from django.utils.translation import gettext as _

from outbox.conflicts import NotAConflict

def reapply_and_say(request: HttpRequest, reapply: Callable[[], Any], *, held_already: str, sent: str,
                    refusals: tuple[type[Exception], ...] = ()) -> None:
    """Run the reapply service; say whether it sent (``sent``), found the upstream holding the change
    (``held_already``), was refused (one of ``refusals``, in its own words) or came too late."""
    try:
        new = reapply()
    except NotAConflict:
        messages.info(request, _("This conflict was already resolved."))
    except refusals as exc:
        messages.error(request, str(exc))
    else:
        if new is None:
            messages.info(request, held_already)
        else:
            messages.success(request, sent)


def discard_and_say(request: HttpRequest, discard: Callable[[], Any], *, discarded: str) -> None:
    """Run the discard service and say so (or that the conflict was resolved already)."""
    try:
        discard()
    except NotAConflict:
        messages.info(request, _("This conflict was already resolved."))
    else:
        messages.success(request, discarded)
