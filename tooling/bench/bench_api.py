"""The REST API's station list at 100,000 stations, beside the HTML list page and Django admin.

Uses the station-list benchmark's company (``tooling.bench.bench_station_list``: 100,000 stations, seeded
once and kept) and the same three requests: page 1, a deep page (rows 74,951-75,000, by the keyset
cursor the API's ``next`` link carries) and a search for one station. Each is the median of
``BENCH_REQUESTS`` whole requests through Django's test ``Client`` signed in as a superuser (the
API takes the session as the browser does), with the queries each API request makes. Goal: no
slower than the HTML page, at most 6 queries.

Queries are counted three ways: with the session and the bench's cache (the database, the demo's
default: the throttle's read and write of its counter are 6 statements there), with a personal token
as a script calls (the token's row instead of the session's and the user's), and with a token and a
Redis cache as production runs (``BENCH_REDIS_CACHE_URL``, default ``redis://127.0.0.1:6379/12``,
the bench's broker database; its keys are prefixed ``portal-bench``): the throttle then costs no SQL.

``python -m tooling.bench.bench_api`` runs it alone.
"""

from __future__ import annotations

import os
from typing import Any

from tooling.bench.bench_station_list import DEEP_PAGE, PER_PAGE, STATIONS, _get, _median_ms, _queries, _seed, \
    _setup_django
from tooling.bench.django_db import vacuum


def _row(figure: str, value: float, baseline: str | None = None, baseline_value: float | None = None,
         unit: str = "ms") -> dict[str, Any]:
    return {"benchmark": "api", "figure": figure, "value": value, "unit": unit, "baseline": baseline,
            "baseline_value": baseline_value, "ratio": (value / baseline_value) if baseline_value else None}


def _data_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        _get(client, url, params)
    return sum(1 for q in ctx.captured_queries if "portal_cache" not in q["sql"] and q["sql"] not in ("BEGIN", "COMMIT"))


REDIS_CACHE = os.environ.get("BENCH_REDIS_CACHE_URL", "redis://127.0.0.1:6379/12")


def _token_client(user: Any) -> Any:
    """A client that calls as a script does: ``Authorization: Bearer`` with a read-only token of ``user``."""
    from django.test import Client

    from api.models import ApiToken
    from api.services import api_token_create

    ApiToken.objects.filter(user=user, name="bench").delete()
    token = api_token_create(user=user, name="bench", scope=ApiToken.Scope.READ, expires_at=None)[1]
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def _redis_queries(client: Any, url: str, params: dict[str, Any]) -> int:
    """SQL queries of one request with the cache on Redis, as in production."""
    from django.test import override_settings

    cache = {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_CACHE,
             "KEY_PREFIX": "portal-bench"}
    with override_settings(CACHES={"default": cache}):  # Django swaps its cache handlers on this setting
        _get(client, url, params)  # the filter choices and the throttle's counter land in Redis first
        return _queries(client, url, params)


def run() -> list[dict[str, Any]]:
    _setup_django()
    from django.test import Client
    from django.urls import reverse

    from portal.models import User
    from stations.models import Station
    from stations.selectors import StationQuery, station_cursor_at

    company, _seeded = _seed()
    vacuum("stations_station")
    user, _ = User.objects.get_or_create(username="bench-superuser", defaults={"is_superuser": True, "is_staff": True})
    client = Client()
    client.force_login(user)
    api, page, admin = reverse("api:station-list"), reverse("stations:list"), reverse(
        "admin:stations_station_changelist")
    mine = {"company": company.pk, "per_page": PER_PAGE}
    position = (DEEP_PAGE - 1) * PER_PAGE
    cursor = station_cursor_at(user, StationQuery(company=company.pk), position)
    expected = Station.objects.filter(company=company).order_by("label", "id")[position]
    first = _get(client, api, {**mine, "after": cursor}).json()["results"][0]
    assert first["id"] == expected.pk, "the API's deep page does not start at the expected row"
    search = expected.charge_box_identity.split("-")[1]
    cases = [
        ("page 1", mine, {"company__id__exact": company.pk}),
        (f"deep page (rows {position + 1:,}-{position + PER_PAGE:,})", {**mine, "after": cursor},
         {"company__id__exact": company.pk, "p": DEEP_PAGE}),
        (f"search '{search}'", {**mine, "q": search}, {"company__id__exact": company.pk, "q": search}),
    ]
    rows: list[dict[str, Any]] = []
    for name, params, admin_params in cases:
        ours = _median_ms(lambda: _get(client, api, params))
        html = _median_ms(lambda: _get(client, page, params))
        base = _median_ms(lambda: _get(client, admin, admin_params))
        rows.append(_row(f"API station list {name}, {STATIONS // 1000}k stations, median", ours,
                         "the HTML station list page", html))
        rows.append(_row(f"API station list {name}, vs django-admin", ours, "django-admin changelist", base))
    rows.append(_row("queries per API list request", _queries(client, api, mine), "the HTML station list page",
                     _queries(client, page, mine), unit="queries"))
    # The bench's cache is the database (the demo's default); in production it is Redis, where the
    # throttle's and the filter choices' cache reads are no SQL at all.
    rows.append(_row("  of which not the cache table", _data_queries(client, api, mine),
                     "the HTML station list page", _data_queries(client, page, mine), unit="queries"))
    script = _token_client(user)
    _get(script, api, mine)  # the token's first use of the minute writes its last_used_at once
    rows.append(_row("queries per API list request, token (a script)", _queries(script, api, mine),
                     "the HTML station list page", _queries(client, page, mine), unit="queries"))
    rows.append(_row("queries per API list request, token, Redis cache (production)",
                     _redis_queries(script, api, mine), "the HTML station list page, Redis cache",
                     _redis_queries(client, page, mine), unit="queries"))
    return rows


if __name__ == "__main__":
    for row in run():
        ratio = f"  x{row['ratio']:.2f} vs {row['baseline']} ({row['baseline_value']:.1f})" if row["ratio"] else ""
        print(f"{row['figure']}: {row['value']:.1f} {row['unit']}{ratio}")
