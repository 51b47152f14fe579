"""Simulated fleet managers: sign in, then browse the station list, filter, search, open stations and
the network page, with a person's pauses between clicks. Run by ``python -m loadtest``; the accounts,
their password and search terms come from its environment (``LOAD_USERS``, ``LOAD_PASSWORD``,
``LOAD_SEARCH``)."""

from __future__ import annotations

import itertools
import os
import random
import re

from locust import HttpUser, between, task

USERS = os.environ.get("LOAD_USERS", "").split(",")
PASSWORD = os.environ.get("LOAD_PASSWORD", "")
SEARCH = [s for s in os.environ.get("LOAD_SEARCH", "").split("|") if s] or ["Hub"]
FILTERS = ["status=AVAILABLE", "status=CHARGING", "sync_state=synced", "sort=-label", "status=UNAVAILABLE"]
STATION_LINK = re.compile(r'href="/stations/(\d+)/"')
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
_next = itertools.count()


class FleetManager(HttpUser):
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.username = USERS[next(_next) % len(USERS)]
        self.stations: list[str] = []
        page = self.client.get("/accounts/login/", name="sign in")
        token = CSRF.search(page.text)
        with self.client.post("/accounts/login/", name="sign in", allow_redirects=False, catch_response=True,
                              data={"username": self.username, "password": PASSWORD,
                                    "csrfmiddlewaretoken": token.group(1) if token else ""},
                              headers={"Referer": self.host + "/accounts/login/"}) as answer:
            if answer.status_code != 302:
                answer.failure(f"sign-in of {self.username} answered {answer.status_code}")

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
