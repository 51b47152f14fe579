"""``manage.py refresh <backend name or id> <entity> [--full]``: one refresh in the foreground.

For operators (a refresh now, watched) and benchmarks. Takes the same lock
as the scheduled runs, records a ``SyncRun``, and draws a progress bar on
the terminal; exits non-zero when the run failed or was skipped.
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from portal.models import Backend, SyncRun
from sync.engine import refresh_run
from sync.refreshers import refreshers_for

BAR = 30


def find_backend(ref: str) -> Backend:
    backend = Backend.objects.filter(name=ref).first()
    if backend is None and ref.isdigit():
        backend = Backend.objects.filter(pk=int(ref)).first()
    if backend is None:
        names = ", ".join(Backend.objects.values_list("name", flat=True)) or "none yet"
        raise CommandError(f"No backend named or numbered {ref!r} (backends: {names}).")
    return backend


class Command(BaseCommand):
    help = "Refresh one entity of one backend now, in the foreground, with a progress bar."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("backend", help="The backend's name or id.")
        parser.add_argument("entity", help="What to refresh, e.g. stations, technicians, templates, locations, models.")
        parser.add_argument("--full", action="store_true", help="Read everything (marks rows gone upstream removed).")
        parser.add_argument("--page-size", type=int, default=None, help="Rows per upstream page.")

    def handle(self, *args: Any, **options: Any) -> None:
        backend = find_backend(options["backend"])
        entities = [r.entity for r in refreshers_for(backend.kind)]
        if options["entity"] not in entities:
            raise CommandError(f"{backend.name} ({backend.kind}) refreshes: {', '.join(entities)}.")
        tty = getattr(self.stdout, "isatty", lambda: False)()
        run = refresh_run(
            backend, options["entity"], full=True if options["full"] else None, trigger=SyncRun.Trigger.COMMAND,
            page_size=options["page_size"], progress=lambda r: self._draw(r, tty),
        )
        self.stdout.write("")
        counts = (f"{run.pages} pages, {run.rows_created} created, {run.rows_updated} updated, "
                  f"{run.rows_unchanged} unchanged, {run.rows_kept} kept beside local changes, "
                  f"{run.rows_removed} removed, {run.errors} errors in {run.duration or 0:.1f} s")
        if run.status == SyncRun.Status.DONE:
            self.stdout.write(self.style.SUCCESS(f"Run {run.pk} done ({'full' if run.full else 'changes only'}): {counts}."))
            if run.message:
                self.stdout.write(run.message)
            return
        raise CommandError(f"Run {run.pk} {run.status}: {run.message} ({counts}).")

    def _draw(self, run: SyncRun, tty: bool) -> None:
        if run.total:
            share = min(1.0, run.rows_seen / run.total)
            bar = "#" * int(BAR * share) + "-" * (BAR - int(BAR * share))
            line = f"[{bar}] {share:6.1%} {run.rows_seen}/{run.total} rows, page {run.pages}"
        else:
            line = f"[{'?' * BAR}] {run.rows_seen} rows, page {run.pages}"
        # A live bar on a terminal; one line per page otherwise (logs, tests).
        self.stdout.write(("\r" + line) if tty else line, ending="" if tty else "\n")
        if tty:
            sys.stdout.flush()
