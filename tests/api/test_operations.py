"""Operations over the API: newest first, a page at a time, filtered by the API's status words."""

from __future__ import annotations

from portal.models import Operation
from tests.factories import BackendFactory


def test_operations_page_newest_first_and_filter_by_status(company_a, viewer, api_for, db) -> None:
    backend = BackendFactory(company=company_a)
    made = [Operation.objects.create(kind="station.patch", backend=backend, company=company_a, target_type="station",
                                     status=Operation.Status.FAILED if n % 10 == 0 else Operation.Status.DONE)
            for n in range(60)]
    api = api_for(viewer, "read")
    first = api.get("/api/v1/operations/").json()
    second = api.get(first["next"]).json()
    ids = [op["id"] for op in first["results"] + second["results"]]
    assert ids == sorted((op.pk for op in made), reverse=True) and second["next"] is None
    failed = api.get("/api/v1/operations/", {"status": "failed"}).json()["results"]
    assert {op["status"] for op in failed} == {"failed"} and len(failed) == 6
