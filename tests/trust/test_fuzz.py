"""Fuzzing every form and the CSV importer: whatever is posted, the portal answers, never with a 500.

Field names come from the forms the pages render, so a new form is fuzzed as soon as it exists.
"""

from __future__ import annotations

import io
import re

import pytest
from django.db import transaction
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from stations.csv_import.format import COLUMN_NAMES
from tests.trust.conftest import World
from tests.trust.test_access_matrix import PUBLIC, RULES, project_urls

NAME = re.compile(r'\bname="([^"]+)"')
FUZZ = settings(max_examples=25, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

nasty_text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(["", " ", "0", "-1", "1e309", "NaN", "9" * 40, "<script>alert(1)</script>", "' OR 1=1 --",
                     "=cmd|' /C calc'!A0", "\x00", "é" * 201, "../../etc/passwd", "null", "[]", "{}", "true"]),
    st.integers(min_value=-(2**63), max_value=2**63).map(str),
)


def _admin_client(world: World) -> Client:
    client = Client()
    client.force_login(world.users["admin"])  # type: ignore[arg-type]
    return client


def _urls(world: World) -> dict[str, str]:
    return {name: reverse(name, kwargs={p: world.kwargs[p] for p in params}) for name, params in project_urls()}


_names: list[str] = []


def _field_names(world: World) -> list[str]:
    """Every form field name on every page (read once per test session)."""
    if not _names:
        client, names = _admin_client(world), set()
        for name, url in _urls(world).items():
            if RULES[name][0] is not None and name != "logout":
                response = client.get(url)
                if response.get("Content-Type", "").startswith("text/html") and not response.streaming:
                    names.update(NAME.findall(response.content.decode(errors="replace")))
        names.discard("csrfmiddlewaretoken")
        _names.extend(sorted(names))
    return _names


POSTABLE = sorted(name for name, (_, post, _) in RULES.items() if post not in (None, PUBLIC))


@pytest.mark.parametrize("url_name", POSTABLE)
def test_no_form_answers_500(url_name: str, world: World) -> None:
    url = _urls(world)[url_name]
    names = _field_names(world)
    client = _admin_client(world)

    @FUZZ
    @given(data=st.dictionaries(st.sampled_from(names), nasty_text, max_size=12),
           htmx=st.booleans())
    def post(data: dict[str, str], htmx: bool) -> None:
        headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
        with transaction.atomic():
            response = client.post(url, data, **headers)
            transaction.set_rollback(True)
        assert response.status_code < 500, (url_name, data, response.status_code)

    post()


csv_cells = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)


@FUZZ
@given(raw=st.binary(max_size=2000))
def test_importer_survives_any_bytes(raw: bytes, world: World) -> None:
    _upload(world, raw)


@FUZZ
@given(rows=st.lists(st.dictionaries(st.sampled_from(COLUMN_NAMES), csv_cells, max_size=8), max_size=15),
       delimiter=st.sampled_from([",", ";"]))
def test_importer_survives_any_rows(rows: list[dict[str, str]], delimiter: str, world: World) -> None:
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMN_NAMES), delimiter=delimiter)
    writer.writeheader()
    writer.writerows(rows)
    _upload(world, out.getvalue().encode("utf-8"))


@FUZZ
@given(rows=st.lists(st.fixed_dictionaries(
    {"backend": st.sampled_from(["A GreenFlux", "a greenflux"]), "charge_box_identity": st.sampled_from(["A-1", "a-1"])},
    optional={name: csv_cells for name in COLUMN_NAMES if name not in ("backend", "charge_box_identity")}),
    max_size=6))
def test_importer_update_mode_survives_any_change_of_an_existing_station(
        rows: list[dict[str, str]], world: World) -> None:
    """Update mode: rows naming the world's station, any values in any other column."""
    import csv

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(COLUMN_NAMES))
    writer.writeheader()
    writer.writerows(rows)
    _upload(world, out.getvalue().encode("utf-8"), mode="update")


def _upload(world: World, data: bytes, mode: str = "create") -> None:
    client = Client()
    client.force_login(world.users["operator"])  # type: ignore[arg-type]
    with transaction.atomic():
        response = client.post(reverse("stations:import_list"), {"file": io.BytesIO(data), "mode": mode}, follow=True)
        transaction.set_rollback(True)
    assert response.status_code == 200
