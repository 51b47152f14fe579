"""Simulated fleet managers: sign in, then browse the station list, filter, search, open stations and
the network page. Run by ``python -m tooling.load``; the accounts, their password and search terms come
from its environment (``LOAD_USERS``, ``LOAD_PASSWORD``, ``LOAD_SEARCH``).

Each manager asks for at most ``LOAD_PER_USER_RPS`` pages a second (locust's ``constant_throughput``),
so that N managers offer N x that rate while the site keeps up: the load test sets the rate it
measures by the number of managers. Signing in is not measured (it is not browsing, and every step
of the ramp signs in anew)."""

from __future__ import annotations

import itertools
import os
import random
import re

import gevent
import requests
from locust import HttpUser, constant_throughput, task

USERS = os.environ.get("LOAD_USERS", "").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
SEARCH = [s for s in os.environ.get("LOAD_SEARCH", "").split("|") if s] or ["Hub"]
FILTERS = ["status=AVAILABLE", "status=CHARGING", "sync_state=synced", "sort=-label", "status=UNAVAILABLE"]
STATION_LINK = re.compile(r'href="/stations/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PER_USER_RPS = float(os.environ.get("LOAD_PER_USER_RPS", "0.5"))
_next = itertools.count()


class FleetManager(HttpUser):
    wait_time = constant_throughput(PER_USER_RPS)

    def on_start(self) -> None:
        self.username = USERS[next(_next) % len(USERS)]
        self.stations: list[str] = []
        # A plain requests session signs in (locust records nothing of it); its cookies go to the user's.
        with requests.Session() as plain:
            page = plain.get(self.host + "/accounts/login/", timeout=60)
            token = CSRF.search(page.text)
            answer = plain.post(self.host + "/accounts/login/", allow_redirects=False, timeout=60,
                                data={"username": self.username, "password": PASSWORD,
                                      "csrfmiddlewaretoken": token.group(1) if token else ""},
                                headers={"Referer": self.host + "/accounts/login/"})
            self.client.cookies.update(plain.cookies)
        # Every manager starts at once; a random phase spreads their first pages over one period, so a
        # step measures a steady rate, not a burst every 1/rate seconds.
        gevent.sleep(random.uniform(0, 1 / PER_USER_RPS))
        if answer.status_code != 302:  # recorded as a failure, so the step or phase shows it
            self.environment.events.request.fire(
                request_type="POST", name="sign in", response_time=0, response_length=0, response=answer,
                context={}, exception=RuntimeError(f"sign-in of {self.username} answered {answer.status_code}"))

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True, allow_redirects=False) as answer:
            if answer.status_code != 200:
                answer.failure(f"{answer.status_code}")  # a redirect to sign in is an error here too
            elif name in ("list", "filter", "search"):
                found = STATION_LINK.findall(answer.text)
                if found:
                    self.stations = found

    @task(4)
    def station_list(self) -> None:
        self._page("/stations/", "list")

    @task(2)
    def filtered(self) -> None:
        self._page("/stations/?" + random.choice(FILTERS), "filter")

    @task(2)
    def search(self) -> None:
        self._page("/stations/?q=" + random.choice(SEARCH), "search")

    @task(3)
    def station(self) -> None:
        if self.stations:
            self._page(f"/stations/{random.choice(self.stations)}/", "station")

    @task(1)
    def network(self) -> None:
        self._page("/locations/network/", "network")
