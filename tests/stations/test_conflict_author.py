"""Who the conflict page says changed the station first: a portal user the reader knows is named,
another company's user is "a user of another company", a change made outside the portal is nobody's."""

from __future__ import annotations

import pytest

from portal.access import Role
from portal.models import Company, Operation, User
from stations.views.conflicts import who_changed_first
from tests.factories import CompanyFactory, StationFactory, UserFactory

pytestmark = pytest.mark.django_db


def _conflict_and_winner(reader: User, winner: User | None, company: Company) -> Operation:
    station = StationFactory(company=company)
    common = {"kind": "station.put", "backend": station.backend, "company": company, "target_type": "station",
              "target_id": station.pk, "base_etag": "v1"}
    if winner is not None:
        Operation.objects.create(**common, status=Operation.Status.DONE, created_by=winner)
    return Operation.objects.create(**common, status=Operation.Status.CONFLICT, created_by=reader)


def test_a_colleague_is_named(operator: User, company_a: Company) -> None:
    colleague = UserFactory(username="anna", role=Role.OPERATOR, companies=[company_a])
    assert who_changed_first(_conflict_and_winner(operator, colleague, company_a), operator) == "anna"


def test_another_companys_user_is_not_named(operator: User, company_a: Company) -> None:
    stranger = UserFactory(username="secret-name", role=Role.OPERATOR, companies=[CompanyFactory()])
    op = _conflict_and_winner(operator, stranger, company_a)
    assert who_changed_first(op, operator) == "a user of another company"


def test_a_change_outside_the_portal_names_nobody(operator: User, company_a: Company) -> None:
    assert who_changed_first(_conflict_and_winner(operator, None, company_a), operator) is None
