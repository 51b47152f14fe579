"""Run the whole demo in one terminal: simulator, Celery worker and beat, web server.

Ctrl-C stops all of them. Used by ``make run``; migrations and the seed run first.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Start the demo: simulator, worker, beat and the web server on 127.0.0.1:8000."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--simulator-port", type=int, default=8001)

    def handle(self, *args: Any, **options: Any) -> None:
        var = Path(settings.VAR_DIR)
        (var / "broker" / "queue").mkdir(parents=True, exist_ok=True)
        (var / "broker" / "processed").mkdir(parents=True, exist_ok=True)
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the demo's token cache lives in the database (db://)
        call_command("collectstatic", interactive=False, verbosity=0)
        python = sys.executable
        sim_port = options["simulator_port"]
        env = {**os.environ, "SIMULATOR_URL": f"http://127.0.0.1:{sim_port}"}
        commands = {
            "simulator": [python, "-m", "simulator", "serve", "--port", str(sim_port),
                          "--state", str(var / "simulator.sqlite3")],
            "worker": [python, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
                       "--pool=threads", "--concurrency=4"],
            "beat": [python, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
                     "--schedule", str(var / "celerybeat-schedule")],
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{options['port']}", "--noreload"],
        }
        processes: dict[str, subprocess.Popen[bytes]] = {}

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # a SIGTERM (e.g. from a service manager) stops everything as Ctrl-C does

        signal.signal(signal.SIGTERM, stop)
        try:
            processes["simulator"] = subprocess.Popen(commands["simulator"], env=env)
            time.sleep(1.0)
            call_command("seed_demo")
            for name in ("worker", "beat", "web"):
                processes[name] = subprocess.Popen(commands[name], env=env)
            self.stdout.write(self.style.SUCCESS(
                f"\nPortal: http://127.0.0.1:{options['port']}/  (simulator on :{sim_port}). Ctrl-C stops everything.\n"
            ))
            while True:
                for name, proc in processes.items():
                    if proc.poll() is not None:
                        raise SystemExit(f"{name} stopped with exit code {proc.returncode}; stopping the demo.")
                time.sleep(1.0)
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            for proc in processes.values():
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            deadline = time.monotonic() + 10
            for proc in processes.values():
                try:
                    proc.wait(timeout=max(0.1, deadline - time.monotonic()))
                except subprocess.TimeoutExpired:
                    proc.kill()
