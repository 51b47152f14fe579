"""The station list's filter form, written in Python for speed, is the same HTML Django's templates give.

``stations/filters.py`` renders the filter form's selects, its search box and its labels in
Python (``FastSelect``, ``FastTextInput``, ``StationFilterForm.render``). The page is rendered
twice, once as it is and once with Django's own template rendering put back, and the filter
fields must be the same HTML (up to whitespace between tags): selected values, escaping, ``aria-describedby``, errors.
"""

from __future__ import annotations

import re

import pytest
from django import forms
from django.test import Client
from django.urls import reverse

from portal.models import Company
from stations.filters import FastSelect, FastTextInput, StationFilterForm
from tests.factories import BackendFactory, CompanyFactory, LocationFactory, StationFactory

FIELDS = re.compile(r'<div id="station-filter-fields".*?</details>', re.S)


@pytest.fixture
def estate(company_a: Company) -> None:
    other = CompanyFactory(name='Other & "Sons"')
    for company in (company_a, other):
        backend = BackendFactory(company=company, name=f"GF <{company.name}>")
        for name in ('Depot "Noord" & <Zuid>', "Café Straße"):
            location = LocationFactory(company=company, backend=backend, name=name)
            StationFactory(company=company, backend=backend, location=location)


def _filters(client: Client, params: dict[str, str]) -> str:
    response = client.get(reverse("stations:list"), params)
    assert response.status_code == 200
    match = FIELDS.search(response.content.decode())
    assert match, "no filter fields on the page"
    # Django's option template puts a line break between options; whitespace between tags means nothing.
    return re.sub(r">\s+<", "><", match[0])


@pytest.mark.parametrize("params", [
    {},
    {"q": '<b>"Zür" & co</b>', "status": "AVAILABLE", "sort": "-updated", "per_page": "100"},
    {"location": "999999", "backend": "not-a-number", "deploy_state": "Production"},  # errors shown
])
def test_the_fast_filter_form_is_the_html_django_renders(
    admin_client_portal: Client, estate: None, params: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    fast = _filters(admin_client_portal, params)
    monkeypatch.setattr(FastSelect, "render", forms.Select.render)
    monkeypatch.setattr(FastTextInput, "render", forms.TextInput.render)
    monkeypatch.setattr(StationFilterForm, "render", forms.Form.render)
    django = _filters(admin_client_portal, params)
    assert fast == django
    assert "<option" in fast and "&lt;" in fast  # the comparison covered options and escaping
