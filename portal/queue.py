"""Sending Celery tasks by the names they are registered under.

A tasks module imports the services its tasks call; a service that queued work by importing that
tasks module back would close an import cycle. So services queue work here, by the task's name
(``portal.refresh``, ``stations.run_import``: the ``name=`` of its ``@shared_task``), and only the
worker side imports the tasks. ``tests/portal/test_queue.py`` checks that every name sent here is a
registered task, so a typo fails in the tests rather than as a message no worker understands.
"""

from __future__ import annotations

from typing import Any

from celery import current_app


def enqueue(name: str, args: tuple[Any, ...] = (), kwargs: dict[str, Any] | None = None, **options: Any) -> None:
    """Queue task ``name`` with ``args``/``kwargs``; ``options`` as for ``apply_async`` (countdown,
    expires, producer …). With ``CELERY_TASK_ALWAYS_EAGER`` the task runs here and now, as
    ``apply_async`` would run it."""
    if current_app.conf.task_always_eager:
        current_app.loader.import_default_modules()  # the apps' tasks modules (autodiscovery)
        current_app.tasks[name].apply(args, kwargs or {})
        return
    current_app.send_task(name, args=args, kwargs=kwargs or {}, **options)
