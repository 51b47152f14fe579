"""Run the whole demo in one terminal: simulator, Celery worker and beat, web server.

Each process is watched by ``demo.supervisor``: one that dies is logged and
restarted with backoff while the others go on. Ctrl-C or SIGTERM stops all of
them. ``--port`` and ``--simulator-port`` reach every place a port is used:
the web server, the printed address, the simulator, and the seeded backends
(which ``seed_demo`` points at the chosen simulator port, also in an existing
demo database). Used by ``make run``; migrations and the seed run first.
"""

from __future__ import annotations

import os
import signal
import socket
import sys
import time
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from demo.broker import demo_broker_prepare
from demo.supervisor import Supervisor
from simulator.testing import serve_command

STATUS_FILE = "demo-status.json"


def port_in_use(port: int) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_port(port: int, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(port):
            return True
        time.sleep(0.2)
    return False


class Command(BaseCommand):
    help = "Start the demo: simulator, worker, beat and the web server on 127.0.0.1:8000."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=8000, help="the portal's port (default 8000)")
        parser.add_argument("--simulator-port", type=int, default=8001,
                            help="the upstream simulator's port (default 8001); the demo's backends follow it")

    def handle(self, *args: Any, **options: Any) -> None:
        port, sim_port = options["port"], options["simulator_port"]
        for name, value in (("--port", port), ("--simulator-port", sim_port)):
            if port_in_use(value):
                # Never seed backends against, or write to, whatever already listens there.
                raise CommandError(f"Port {value} ({name}) is already in use on 127.0.0.1 (another demo?). "
                                   f"Stop it or choose another with {name}.")
        var = Path(settings.VAR_DIR)
        var.mkdir(parents=True, exist_ok=True)
        simulator_url = f"http://127.0.0.1:{sim_port}"
        settings.SIMULATOR_URL = simulator_url  # read by seed_demo in this process
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)  # the demo's token cache lives in the database (db://)
        call_command("collectstatic", interactive=False, verbosity=0)
        dropped = demo_broker_prepare(settings.CELERY_BROKER_URL, [settings.CELERY_TASK_DEFAULT_QUEUE])
        if dropped:
            self.stdout.write(f"Broker: removed {dropped} delivered messages.")
        python = sys.executable
        env = {**os.environ, "SIMULATOR_URL": simulator_url, "PYTHONUNBUFFERED": "1"}
        commands = {
            "simulator": serve_command(sim_port, var / "simulator.sqlite3", python=python),
            "worker": [python, "-m", "celery", "-A", "portal", "worker", "--loglevel=INFO",
                       "--pool=threads", "--concurrency=4"],
            "beat": [python, "-m", "celery", "-A", "portal", "beat", "--loglevel=INFO",
                     "--schedule", str(var / "celerybeat-schedule")],
            "web": [python, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        }

        def log(line: str) -> None:
            stamp = time.strftime("%H:%M:%S")
            self.stdout.write(self.style.WARNING(f"[demo {stamp}] {line}"))
            self.stdout.flush()

        supervisor = Supervisor(env, var / STATUS_FILE, log)

        def stop(signum: int, frame: Any) -> None:
            raise KeyboardInterrupt  # a SIGTERM (e.g. from a service manager) stops everything as Ctrl-C does

        signal.signal(signal.SIGTERM, stop)
        try:
            supervisor.start("simulator", commands["simulator"])
            if not wait_for_port(sim_port, 30):
                self.stderr.write(f"The simulator did not open port {sim_port} within 30 s; seeding anyway.")
            call_command("seed_demo")
            for name in ("worker", "beat", "web"):
                supervisor.start(name, commands[name])
            self.stdout.write(self.style.SUCCESS(
                f"\nPortal: http://127.0.0.1:{port}/  (simulator on :{sim_port}). Ctrl-C stops everything.\n"
            ))
            supervisor.run_forever()
        except KeyboardInterrupt:
            self.stdout.write("\nStopping…")
        finally:
            supervisor.stop_all()
