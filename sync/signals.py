"""Signals the machinery sends when the mirror has moved, for apps that watch it (``alerts``).

The machinery knows no entity and no app above it: it only says what happened. An app that wants
to react (re-evaluate its rules, for instance) connects a receiver in its ``AppConfig.ready``.
Receivers must be quick and must not raise: queue the work (``portal.queue.enqueue`` on commit).
"""

from __future__ import annotations

from django.dispatch import Signal

# Sent after a refresh run finished (done, failed or skipped). Arguments: ``backend_id``, ``entity``,
# ``status`` (the ``SyncRun`` status) and ``run_id``. ``sender`` is the string "sync".
refresh_finished = Signal()

# Sent after a live sample of a network (ChargEye status and errors feeds) was stored. Arguments:
# ``backend_id``. ``sender`` is the app that stored it.
sample_stored = Signal()
