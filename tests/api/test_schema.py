"""The live OpenAPI schema, fuzzed by schemathesis for every role: no 500s, no answer outside the schema.

The portal is called in-process through its WSGI application (no server to start), with stations
mirrored from the simulator so that generated ids sometimes hit real records.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings as hypothesis_settings
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                                status_code_conformance)

from api.throttling import PerTokenThrottle
from portal.access import Role
from portal.models import Backend, SyncRun
from sync.engine import refresh_run
from schemathesis.checks import not_a_server_error


@pytest.fixture
def api_schema(db: None, gf_backend: Backend) -> Any:
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    from portal.wsgi import application

    # As Django's test client does: the WSGI handler would close the test's connection (and its
    # transaction) after each request.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    assert refresh_run(gf_backend, "stations", full=True).status == SyncRun.Status.DONE
    yield schemathesis.openapi.from_wsgi("/api/v1/schema/", application)
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(users_by_role: dict[Role, Any], make_token: Any, monkeypatch: pytest.MonkeyPatch) -> dict[Role, str]:
    monkeypatch.setattr(PerTokenThrottle, "THROTTLE_RATES", {"api": "100000/min"})
    return {role: make_token(user) for role, user in users_by_role.items()}


CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance)


def test_every_endpoint_answers_within_its_schema_for_every_role(api_schema: Any, tokens: dict[Role, str]) -> None:
    """Each operation of the schema, with generated parameters and bodies, sent once per role.

    (Schemathesis' pytest plugin does not run on this pytest, so hypothesis drives each operation here.)
    The cases are the same in every run, so that CI is repeatable; ``API_FUZZ_RANDOM=1`` explores new
    ones (that is how a NUL byte in a search was found).
    """
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 6
    for operation in operations:
        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck),
                             database=None, derandomize=not os.environ.get("API_FUZZ_RANDOM"))
        def check(case: Any) -> None:
            for role, token in tokens.items():
                response = case.call(headers={"Authorization": f"Bearer {token}"})
                case.validate_response(response, checks=CHECKS)

        check()
