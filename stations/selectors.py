"""Reads for the station pages: the filtered, sorted and paginated list, status counts, one station.

Pagination is keyset ("seek") pagination, not OFFSET. A page is "the next 50
rows after (sort value, id) of the last row shown", which PostgreSQL answers
by descending one composite index ``(sort key, id)`` (migration
``0002_browse_indexes``) and reading 50 entries, so page 1 and a page 75,000
rows deep cost the same. ``OFFSET 74950`` would read and throw away 74,950
rows first, and Django's ``Paginator`` adds a ``COUNT(*)`` on top. The price
is that pages are "first / previous / next / last" instead of numbered
jumps; with search and filters that is how people find a station anyway, and
pages stay stable while refreshes insert rows.

The total is not a separate ``COUNT(*)``: the per-status counts (one
``GROUP BY status`` over the current filters, except the status filter
itself so that each status shows what choosing it would give) add up to it.
So a list page is a fixed number of queries: the counts, and one page query
that fetches ``per_page + 1`` rows to know whether a next page exists.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet

from portal.access import get_scoped_or_404, scoped
from portal.models import Backend, Operation
from stations.models import SEARCH_SEPARATOR, Connectivity, Station, Status

# Sort names in URLs -> model fields. Every one has a (field, id) index.
SORTS: dict[str, str] = {
    "label": "label",
    "identity": "charge_box_identity",
    "status": "status",
    "updated": "updated_at",
}
DEFAULT_SORT = "label"
PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
REMOVED = "removed"  # the sync-state filter value for rows gone upstream


@dataclass(frozen=True)
class StationQuery:
    """What the user asked the list for; ``None`` or "" means "any"."""

    q: str = ""
    backend: int | None = None
    company: int | None = None
    location: int | None = None
    model: int | None = None
    status: str = ""
    connectivity: str = ""
    deploy_state: str = ""
    sync_state: str = ""
    sort: str = DEFAULT_SORT
    descending: bool = False


@dataclass
class StationPage:
    stations: list[Station]
    total: int
    status_counts: list[tuple[str, str, int]]  # (value, label, count), every status, in display order
    per_page: int
    next_cursor: str | None = None  # rows after the last one shown
    prev_cursor: str | None = None  # rows before the first one shown
    at_start: bool = True
    at_end: bool = True

    @property
    def has_other_pages(self) -> bool:
        return not (self.at_start and self.at_end)


# --- cursors -----------------------------------------------------------------------


def encode_cursor(station: Station, sort: str) -> str:
    value: Any = getattr(station, SORTS[sort])
    if isinstance(value, datetime):
        value = value.isoformat()
    raw = json.dumps([value, station.pk], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, sort: str) -> tuple[Any, int] | None:
    """The (sort value, id) a cursor stands for, or None for a cursor that makes no sense."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value, pk = json.loads(raw)
        if not isinstance(pk, int) or not isinstance(value, str):
            return None
        if SORTS[sort] == "updated_at":
            value = datetime.fromisoformat(value)
    except (ValueError, TypeError, binascii.Error, json.JSONDecodeError):
        return None
    return value, pk


def _seek(qs: QuerySet[Station], column: str, value: Any, pk: int, *, greater: bool) -> QuerySet[Station]:
    """Rows strictly after (value, pk) in (column, id) order, or strictly before.

    Written as ``column >= value AND (column > value OR id > pk)`` rather than
    the plain OR, because the first term gives PostgreSQL (and SQLite) an
    index range to start from instead of a filter over every row.
    """
    op, strict = ("gte", "gt") if greater else ("lte", "lt")
    return qs.filter(**{f"{column}__{op}": value}).filter(
        Q(**{f"{column}__{strict}": value}) | Q(**{f"id__{strict}": pk})
    )


# --- the list ----------------------------------------------------------------------


LIST_RELATED = ("company", "backend", "location")
# Only what a list row (``_station_row.html``) and its cursor read: the upstream documents,
# credentials and every related table's wide columns stay in PostgreSQL, which halves what a page
# transfers and decodes (``make bench``). A field missing here would cost a query per row, which
# ``tests/stations/test_browse.py::test_list_query_count_does_not_grow_with_rows`` catches.
LIST_FIELDS = (
    "id", "label", "charge_box_identity", "status", "connectivity", "deploy_state", "updated_at", "sync_state",
    "removed_at", "company_id", "backend_id", "location_id",
    "company__name", "backend__name", "backend__kind", "location__name",
)


def stations_for(user: Any) -> QuerySet[Station]:
    return scoped(Station.objects.all(), user)


def station_search(qs: QuerySet[Station], text: str) -> QuerySet[Station]:
    """Label, charge box identity or serial number containing ``text``, any case.

    The three fields are one column, ``search_text``, with one trigram index (migration 0010);
    the separator between them is dropped from the text, so no match spans two fields.
    """
    text = text.replace(SEARCH_SEPARATOR, "").strip()
    if not text:
        return qs
    return qs.filter(search_text__icontains=text)


def station_filter(
    qs: QuerySet[Station], query: StationQuery, *, with_status: bool = True
) -> QuerySet[Station]:
    qs = station_search(qs, query.q)
    exact = {
        "backend_id": query.backend,
        "company_id": query.company,
        "location_id": query.location,
        "model_id": query.model,
        "connectivity": query.connectivity if query.connectivity != Connectivity.OFFLINE else None,
        "deploy_state": query.deploy_state,
    }
    if with_status:
        exact["status"] = query.status
    qs = qs.filter(**{name: value for name, value in exact.items() if value not in (None, "")})
    if query.connectivity == Connectivity.OFFLINE:
        qs = qs.offline()  # the dashboard counts the same rows
    if query.sync_state == REMOVED:
        qs = qs.filter(removed_at__isnull=False)
    elif query.sync_state:
        # A removed row shows the "removed" badge, so it is not "synced" or "pending" any more.
        qs = qs.filter(sync_state=query.sync_state, removed_at__isnull=True)
    return qs


def station_status_counts(qs: QuerySet[Station]) -> dict[str, int]:
    """Stations per status in ``qs``: one GROUP BY query.

    ``COUNT(*)``, not ``COUNT(id)``: it needs no column outside the
    ``(company_id, status)`` or ``(status, id)`` indexes, so PostgreSQL can
    answer from the index alone (three to five times faster at 100,000 rows
    than reading the table).
    """
    rows = qs.order_by().values_list("status").annotate(n=Count("*"))
    return {status: n for status, n in rows}


def station_page(
    user: Any,
    query: StationQuery,
    *,
    per_page: int = DEFAULT_PER_PAGE,
    after: str = "",
    before: str = "",
    last: bool = False,
) -> StationPage:
    """One page of the user's stations for ``query``: two queries whatever ``per_page`` is, or one.

    A first page that holds every match (a search for one station, a small filter) answers the
    counts itself: without a status filter its rows are all the matching rows, so counting their
    statuses gives what the GROUP BY would (``tests/stations/test_browse.py`` compares the two).
    """
    sort = query.sort if query.sort in SORTS else DEFAULT_SORT
    column = SORTS[sort]
    base = station_filter(stations_for(user), query, with_status=False)

    rows = station_filter(base, StationQuery(status=query.status)) if query.status else base
    rows = rows.select_related(*LIST_RELATED).only(*LIST_FIELDS)
    # ``forward`` is the direction of the displayed order; a "previous" or "last" page
    # reads the index the other way and flips the rows back afterwards.
    after_key = decode_cursor(after, sort) if after else None
    before_key = decode_cursor(before, sort) if before and not after_key else None
    backwards = before_key is not None or last
    descending = query.descending != backwards
    if after_key:
        rows = _seek(rows, column, *after_key, greater=not query.descending)
    elif before_key:
        rows = _seek(rows, column, *before_key, greater=query.descending)
    order = [f"-{column}", "-id"] if descending else [column, "id"]
    fetched = list(rows.order_by(*order)[: per_page + 1])
    more = len(fetched) > per_page
    stations = fetched[:per_page]
    if backwards:
        stations.reverse()

    if not more and not query.status and after_key is None and before_key is None:
        counts = dict(Counter(station.status for station in stations))
    else:
        counts = station_status_counts(base)
    total = counts.get(query.status, 0) if query.status else sum(counts.values())

    page = StationPage(
        stations=stations,
        total=total,
        status_counts=[(value, label, counts.get(value, 0)) for value, label in Status.choices],
        per_page=per_page,
    )
    if backwards:
        page.at_start, page.at_end = not more, last
    else:
        page.at_start, page.at_end = after_key is None, not more
    if stations:
        page.next_cursor = None if page.at_end else encode_cursor(stations[-1], sort)
        page.prev_cursor = None if page.at_start else encode_cursor(stations[0], sort)
    return page


def station_cursor_at(user: Any, query: StationQuery, position: int) -> str:
    """The cursor whose next page starts at row ``position`` (0-based) of ``query``: for benchmarks."""
    sort = query.sort if query.sort in SORTS else DEFAULT_SORT
    column = SORTS[sort]
    order = [f"-{column}", "-id"] if query.descending else [column, "id"]
    station = station_filter(stations_for(user), query).order_by(*order)[position - 1]
    return encode_cursor(station, sort)


# --- one station --------------------------------------------------------------------


def station_detail_get(user: Any, station_id: int) -> Station:
    """A station of the user's companies with everything its page shows, or 404."""
    qs = Station.objects.select_related(
        "company", "backend", "model", "location", "technician", "template"
    ).prefetch_related("evses__connectors")
    station = get_scoped_or_404(qs, user, pk=station_id)
    for evse in station.evses.all():
        for connector in evse.connectors.all():
            # OCPI gives watts; people read kilowatts.
            power = connector.max_electric_power
            connector.power_kw = power / 1000 if power else None  # type: ignore[attr-defined]
    return station


def station_edit_refusal(station: Station) -> str | None:
    """Why the station cannot be edited now, in words for its page (or the API); None when it can."""
    if station.backend.kind != Backend.Kind.GREENFLUX:
        return (f"{station.backend.get_kind_display()}'s API has no way to change a station once it exists, "
                "so the portal offers no edit for it.")
    if not station.upstream_id:
        return f"This station is not on {station.backend.name} yet; edit it once it shows as synced."
    return None


def station_row_get(user: Any, station_id: int) -> Station:
    qs = Station.objects.select_related(*LIST_RELATED).only(*LIST_FIELDS)
    return get_scoped_or_404(qs, user, pk=station_id)


def station_operations(station: Station, limit: int = 20) -> list[Operation]:
    """The latest writes sent upstream for this station, newest first."""
    return list(
        Operation.objects.filter(target_type="station", target_id=station.pk)
        .select_related("created_by")
        .order_by("-created_at", "-id")[:limit]
    )


# Read-only configuration keys as people say them; firmware, ICCID and IMSI have their own rows.
CONFIGURATION_LABELS = {
    "charge_point_vendor": "Vendor (reported)",
    "charge_point_model": "Model (reported)",
    "charge_point_serial_number": "Charge point serial number",
    "charge_box_serial_number": "Charge box serial number",
    "meter_type": "Meter type",
    "meter_serial_number": "Meter serial number",
    "heartbeat_interval": "Heartbeat interval",
    "remote_manageable": "Remote manageable",
    "client_ip_address": "Client IP address",
    "endpoint": "Endpoint",
}
SHOWN_ELSEWHERE = {"firmware_version", "iccid", "imsi"}


def station_configuration(station: Station) -> list[tuple[str, str]]:
    """The reported configuration as (label, value) rows: known keys first, in a fixed order."""
    config = station.configuration if isinstance(station.configuration, dict) else {}
    keys = [k for k in CONFIGURATION_LABELS if k in config]
    keys += sorted(k for k in config if k not in CONFIGURATION_LABELS and k not in SHOWN_ELSEWHERE)
    rows = []
    for key in keys:
        value = config[key]
        if isinstance(value, bool):
            text = "yes" if value else "no"
        elif key == "heartbeat_interval" and isinstance(value, int):
            text = f"{value} s"
        elif value in (None, ""):
            text = "—"
        else:
            text = str(value)
        rows.append((CONFIGURATION_LABELS.get(key, key.replace("_", " ").capitalize()), text))
    return rows
