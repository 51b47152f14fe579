"""The black-box probe of issue 23: a company's users never read, nor change, another company.

Two companies, each with an admin, an operator and a viewer who belong to that company only, and one
record of every kind a URL can name in each (``company_records``); beside them a person of both
companies (the demo's viewer) and a shared catalogue operation made by A's admin. Then, as outsiders:

1. every GET any user of one company can reach (each URL pattern filled with their company's ids,
   and the links and ``hx-get`` of those pages, one hop) is requested as each user of the other
   company: the answer holds none of that company's names, identities or usernames, and the
   dashboard counts only the reader's own stations;
2. every POST form and htmx write on the pages of A's admin (action, fields and the values the page
   gave them) and every POST URL pattern filled with A's ids is replayed by B's admin, operator and
   viewer; A's records and memberships (every row holding A, its people's accounts, its schedules)
   are compared before and after and must not have changed, and no answer carries a sign-in link.

The URLs come from the resolver and the pages' own forms, so a new page or form is probed at once.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import pytest
from django.apps import apps
from django.db.models import Model
from django.test import Client
from django.urls import reverse

from portal.access import Role
from portal.models import Backend, Company, Operation, User
from sync.schedules import refresh_schedules_ensure, schedule_name
from stations.bulk.models import Batch
from stations.csv_import.models import ImportJob
from stations.models import Station
from tests.factories import BackendFactory, UserFactory
from tests.trust.conftest import company_records
from tests.trust.test_access_matrix import PUBLIC, RULES, project_urls
from tests.trust.test_data_scoping import _links, _wanted, fetch, leaks, secrets_of

NO_REPLAY = {"logout", "login", "invite_accept"}  # signing the replaying user out, or a public page


@dataclass
class Side:
    company: Company
    users: dict[str, User]  # role name -> a user of this company only
    kwargs: dict[str, Any]  # URL arguments naming this company's records
    tag: str = ""  # the prefix of the names of its records

    def secrets(self) -> set[str]:
        """What a stranger must never read: ``secrets_of`` and the names only the probe's records have."""
        return secrets_of(self.company) | {f"{self.tag} window", f"{self.tag.lower()}.csv"}


@pytest.fixture
def sides(company_a: Company, company_b: Company) -> tuple[Side, Side]:
    made = []
    for company, tag in ((company_a, "Alpha"), (company_b, "Bravo")):
        users = {role.group_name: UserFactory(username=f"{tag.lower()}-{role.group_name}", role=role,
                                              companies=[company]) for role in Role}
        kwargs = company_records(company, users["admin"], users["operator"], tag)
        made.append(Side(company, users, kwargs, tag))
    # The demo's case: a person of both companies, whom each company's admin sees.
    UserFactory(username="both-viewer", role=Role.VIEWER, companies=[company_a, company_b])
    # The shared model catalogue's history: a write of A's admin that B's admin reads (issue 23 item 5).
    catalogue = BackendFactory(name="Shared catalogue", kind=Backend.Kind.MODELS, company=None)
    Operation.objects.create(kind="model.rename", backend=catalogue, company=None, target_type="station_model",
                             target_id=made[0].kwargs["model_id"], target_label="Eve shared",
                             payload={"name": "Eve shared"}, status=Operation.Status.FAILED,
                             error_message="Refused", created_by=made[0].users["admin"])
    return made[0], made[1]


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def pattern_urls(side: Side) -> list[str]:
    """Every URL pattern a GET may answer, filled with the side's record ids."""
    urls = []
    for name, params in project_urls():
        if RULES[name][0] in (None, PUBLIC) or name in NO_REPLAY:
            continue
        urls.append(reverse(name, kwargs={p: side.kwargs[p] for p in params}))
    return urls


def reachable(side: Side) -> dict[tuple[str, bool], str]:
    """(url, htmx) -> body of every page a user of ``side`` reaches: the patterns and one hop of links."""
    found: dict[tuple[str, bool], str] = {}
    for user in side.users.values():
        client = _client(user)
        first = [(url, False) for url in pattern_urls(side)]
        queue = list(first)
        for url, htmx in first:
            status, body = fetch(client, url, htmx)
            if status == 200:
                found.setdefault((url, htmx), body)
                if "<" in body[:500]:
                    queue.extend(link for link in _links(body) if _wanted(link[0].split("#")[0]))
        for url, htmx in dict.fromkeys(queue):
            url = url.split("#")[0]
            if (url, htmx) not in found:
                status, body = fetch(client, url, htmx)
                if status == 200:
                    found[(url, htmx)] = body
    return found


def test_no_user_reads_the_other_companys_data(sides: tuple[Side, Side]) -> None:
    a, b = sides
    problems, requests = [], 0
    for mine, theirs in ((a, b), (b, a)):
        secrets = mine.secrets()
        pages = reachable(mine)
        assert len(pages) > 60, "the probe reached too little to mean anything"
        for role, stranger in theirs.users.items():
            client = _client(stranger)
            for url, htmx in sorted(pages):
                status, body = fetch(client, url, htmx)
                requests += 1
                assert status < 500, f"{url} as {stranger.username}: {status}"
                found = leaks(body, secrets)
                if found:
                    problems.append(f"{stranger.username} read {found[:4]} of {mine.company.name} at {url}"
                                    f"{' (htmx)' if htmx else ''}")
            figures = client.get(reverse("dashboard")).context["figures"]
            own = Station.objects.filter(company=theirs.company, removed_at__isnull=True).count()
            assert figures.stations == own, f"{stranger.username}'s dashboard counts {figures.stations} stations"
    print(f"{requests} answers checked")
    assert not problems, f"{len(problems)} leaks:\n" + "\n".join(problems[:40])


# -- writes -----------------------------------------------------------------------------------------


class FormParser(HTMLParser):
    """The POST forms of a page (action, fields with the values the page gave) and its hx-post URLs."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, dict[str, list[str]]]] = []
        self.hx_posts: list[str] = []
        self._form: tuple[str, dict[str, list[str]]] | None = None
        self._select: str | None = None
        self._options: list[tuple[str, bool]] = []
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "hx-post" in a:
            self.hx_posts.append(a["hx-post"])
        if tag == "option" and self._select is not None:
            self._options.append((a.get("value", ""), "selected" in a))
            return
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                self._form = (a.get("action", ""), {})
            return
        if self._form is None or not a.get("name"):
            return
        fields = self._form[1]
        if tag == "input":
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file", "image", "reset"):
                fields.setdefault(a["name"], []).append(a.get("value", "on" if kind == "checkbox" else ""))
        elif tag == "select":
            self._select, self._options = a["name"], []
        elif tag == "textarea":
            self._textarea = a["name"]
            fields.setdefault(a["name"], []).append("")
        elif tag == "button" and a.get("value"):
            fields.setdefault(a["name"], []).append(a["value"])

    def handle_data(self, data: str) -> None:
        if self._form is not None and self._textarea is not None:
            self._form[1][self._textarea][-1] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._form is not None and self._select is not None:
            chosen = [v for v, selected in self._options if selected] or [v for v, _ in self._options[:1]]
            if chosen:
                self._form[1][self._select] = chosen
            self._select = None
        elif tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)


def _parse(body: str) -> FormParser:
    parser = FormParser()
    parser.feed(body)
    return parser


def admin_posts(side: Side) -> list[tuple[str, dict[str, list[str]], bool]]:
    """Every write A's admin is offered: the pages' POST forms (with their values, plain and as htmx),
    hx-post URLs, and every POST URL pattern with A's ids and nothing posted."""
    posts: dict[tuple[str, str, bool], tuple[str, dict[str, list[str]], bool]] = {}
    pages = reachable(Side(side.company, {"admin": side.users["admin"]}, side.kwargs))
    for (page, _htmx), body in pages.items():
        if "<form" not in body and "hx-post" not in body:
            continue
        parsed = _parse(body)
        for action, fields in parsed.forms:
            url = html.unescape(urljoin(page, action or page))
            for htmx in (False, True):
                posts.setdefault((url, repr(sorted(fields.items())), htmx), (url, fields, htmx))
        for target in parsed.hx_posts:
            url = html.unescape(urljoin(page, target))
            posts.setdefault((url, "", True), (url, {}, True))
    for name, params in project_urls():
        if RULES[name][1] not in (None, PUBLIC) and name not in NO_REPLAY:
            url = reverse(name, kwargs={p: side.kwargs[p] for p in params})
            posts.setdefault((url, "", False), (url, {}, False))
    return [p for p in posts.values() if _wanted(urlsplit(p[0]).path) and urlsplit(p[0]).path not in
            {reverse(n) for n in ("logout", "login")}]


def _rows(model: type[Model], **lookup: Any) -> list[dict[str, Any]]:
    return list(model.objects.filter(**lookup).order_by("pk").values())


def company_state(company: Company) -> dict[str, Any]:
    """Everything of ``company``: every row holding it (memberships included) or held by its backends,
    its people's accounts, its batches, imports and refresh schedules."""
    from django_celery_beat.models import PeriodicTask

    state: dict[str, Any] = {"company": _rows(Company, pk=company.pk)}
    for model in apps.get_models():
        fields = {f.name: f for f in model._meta.concrete_fields}
        if "company" in fields and fields["company"].related_model is Company:
            state[model._meta.label] = _rows(model, company=company)
        elif "backend" in fields and fields["backend"].related_model is Backend:
            state[model._meta.label] = _rows(model, backend__company=company)
    members = User.objects.filter(companies=company)
    state["users"] = [{k: v for k, v in row.items() if k != "last_login"}
                      for row in _rows(User, pk__in=members.values("pk"))]
    state["batches"] = _rows(Batch, companies=company)
    state["imports"] = [{k: v for k, v in row.items() if k != "file_content"}
                        for row in _rows(ImportJob, created_by__in=members)]
    names = tuple(schedule_name(pk, "") for pk in Backend.objects.filter(company=company).values_list("pk", flat=True))
    state["schedules"] = [row for row in _rows(PeriodicTask) if row["name"].startswith(names)]
    return state


def test_no_write_of_one_companys_admin_works_for_another_company(sides: tuple[Side, Side]) -> None:
    a, b = sides
    posts = admin_posts(a)
    assert len(posts) > 40, "the probe found too few writes to mean anything"
    refresh_schedules_ensure()  # a new backend of B adds every backend's missing default schedules: not A's doing
    before = company_state(a.company)
    problems = []
    for role, stranger in b.users.items():
        client = _client(stranger)
        for url, fields, htmx in posts:
            response = client.post(url, fields, **({"HTTP_HX_REQUEST": "true"} if htmx else {}))
            body = b"".join(response.streaming_content) if response.streaming else response.content
            assert response.status_code < 500, f"POST {url} as {stranger.username}: {response.status_code}"
            if b"/accounts/invite/" in body:
                problems.append(f"{stranger.username} got a sign-in link from POST {url}")
    after = company_state(a.company)
    for key in before:
        if before[key] != after[key]:
            problems.append(f"{key} of {a.company.name} changed: {before[key]} -> {after[key]}"[:600])
    print(f"{len(posts)} writes of {a.users['admin'].username} replayed by {len(b.users)} users of {b.company.name}")
    assert not problems, "\n".join(problems)
