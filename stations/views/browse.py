"""Station pages for reading: the list (search, filters, sort, keyset pages) and one station's page.

Both read the local mirror only. htmx requests get fragments of the same
templates (``{% partialdef %}``); every link and the filter form also work as
plain GETs. Pending rows poll a small fragment until they settle; a pending
station page polls its live part, which settles in one swap. Both pages refresh
on a ``stationsChanged`` event.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_http_methods
from django.utils.translation import gettext, gettext_lazy

from portal.access import Role, company_ids, has_role, role_required
from sync.mirror import SyncState
from portal.snapshot import drawn_from_one_snapshot
from stations.bulk.selection import MAX_SELECTED, filter_query
from stations.chargeye import NOT_REPORTED, annotate_status, chargeye_twin
from stations.filters import SORT_LABELS, StationFilterForm
from stations.selectors import (
    StationPage,
    StationQuery,
    station_configuration,
    station_detail_get,
    station_operations,
    station_page,
    station_row_get,
)
from stations.models import Status
from stations.views.edit import WRITE_EVENTS, actions_context

CURSOR_PARAMS = ("after", "before", "last")
# htmx requests started inside the filter form (or by the list refreshing itself) keep the
# form as it is; others (sort headers, status links) also swap the form's fields out of band
# so that the form and the rows agree.
FORM_TRIGGERS = {"station-filters", "id_q", "station-results"}
# The rows of be.ENERGISED stations (which report no status) say "Not reported" where the mirror
# holds UNKNOWN, so the chip that counts them names both.
STATUS_CHIP_LABELS = {Status.UNKNOWN.value: gettext_lazy("Unknown or not reported")}


def _url(base: str, params: QueryDict, **changes: Any) -> str:
    """``base`` with ``params`` plus ``changes`` (None removes one); empty values are left out.

    A list page writes about fifteen of these, so it encodes pairs directly instead of copying
    the QueryDict each time (the same query string as ``QueryDict.urlencode``).
    """
    pairs = [(name, value) for name, values in params.lists()
             if name not in CURSOR_PARAMS and name not in changes and any(values) for value in values]
    pairs += [(name, str(value)) for name, value in changes.items() if value is not None and str(value) != ""]
    encoded = urlencode(pairs)
    return f"{base}?{encoded}" if encoded else base


def _shows_company(user: Any) -> bool:
    """A company column only helps users who see more than one company."""
    ids = company_ids(user)
    return ids is None or len(ids) > 1


def _list_links(request: HttpRequest, query: StationQuery, page: StationPage) -> dict[str, Any]:
    base = reverse("stations:list")
    params = request.GET
    headers = []
    for key, label in SORT_LABELS.items():
        current = query.sort == key
        next_sort = f"-{key}" if current and not query.descending else key
        headers.append({
            "key": key,
            # The column is narrow; the sort select in the form says it in full.
            "label": gettext("Identity") if key == "identity" else label,
            "url": _url(base, params, sort=next_sort),
            "aria_sort": ("descending" if query.descending else "ascending") if current else "none",
            "next_label": gettext("descending") if next_sort.startswith("-") else gettext("ascending"),
        })
    return {
        "sort_headers": {h["key"]: h for h in headers},
        "sorted_by": f"{str(SORT_LABELS[query.sort]).lower()}, {gettext('descending') if query.descending else gettext('ascending')}"
        if query.sort in SORT_LABELS else "",
        "first": None if page.at_start else _url(base, params),
        "last": None if page.at_end else _url(base, params, last=1),
        "next": _url(base, params, after=page.next_cursor) if page.next_cursor else None,
        "previous": _url(base, params, before=page.prev_cursor) if page.prev_cursor else None,
        "clear": base,
        "status": [
            {"value": value, "label": STATUS_CHIP_LABELS.get(value, label), "count": count,
             "url": _url(base, params, status=value),
             "current": query.status == value}
            for value, label, count in page.status_counts
        ],
        "any_status": _url(base, params, status=None),
        "self": request.get_full_path(),
    }


def _bulk_filter(params: QueryDict) -> list[tuple[str, str]]:
    """The list's filter as hidden fields of the bulk form ("all matching" carries the filter, not ids)."""
    query = QueryDict(filter_query(params))
    return [(name, value) for name, values in query.lists() for value in values]


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def station_list(request: HttpRequest) -> HttpResponse:
    form = StationFilterForm(request.GET, user=request.user)
    query = form.to_query()
    page = station_page(
        request.user, query, per_page=form.page_size,
        after=request.GET.get("after", ""), before=request.GET.get("before", ""),
        last=request.GET.get("last") == "1",
    )
    annotate_status(page.stations)
    context = {
        "form": form,
        "query": query,
        "page": page,
        "links": _list_links(request, query, page),
        "filters_in_use": form.filters_in_use,
        "can_write": has_role(request.user, Role.OPERATOR),
        "show_company": _shows_company(request.user),
        "bulk_filter": _bulk_filter(request.GET),
        "max_selected": MAX_SELECTED,
        "export_url": _url(reverse("stations:export"), request.GET, sort=None, per_page=None),
    }
    if request.htmx and not request.htmx.history_restore_request:
        context["oob_filters"] = request.htmx.trigger not in FORM_TRIGGERS
        response = render(request, "stations/station_list.html#results", context)
    else:
        response = render(request, "stations/station_list.html", context)
    # The same URL answers a fragment or a page: caches must keep them apart.
    patch_vary_headers(response, ["HX-Request"])
    return response


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def station_row(request: HttpRequest, station_id: int) -> HttpResponse:
    """One list row, polled by rows that are pending; a plain visit goes to the station's page."""
    station = station_row_get(request.user, station_id)
    if not request.htmx:
        return redirect("stations:detail", station_id=station.pk)
    annotate_status([station])
    context = {"station": station, "show_company": _shows_company(request.user),
               "can_write": has_role(request.user, Role.OPERATOR)}
    return render(request, "stations/_station_row.html", context)


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
@drawn_from_one_snapshot
def station_detail(request: HttpRequest, station_id: int) -> HttpResponse:
    """The station's page; while it waits for the upstream, its live part polls this view.

    The live part holds everything that changes when the station settles (the badges, the
    actions, the facts), drawn in one render, so settling is one swap: a click just after
    "synced" lands on what stays. The poll's URL says it was waiting (``?was=pending``), so the
    answer that finds the station settled announces it to lists (``stationsChanged``).

    One render, one snapshot (``portal.snapshot``): the worker commits a refresh's new name and
    its result together, and a render that read the station before that commit and the
    operations after it said "Name changed" under the old heading, then stopped polling.
    """
    station = station_detail_get(request.user, station_id)
    annotate_status([station])
    twin = chargeye_twin(station)
    context = {
        **actions_context(request, station),  # drawn inline: no second request for the actions
        "station": station,
        "hardware": [twin] if twin else [],
        "operations": station_operations(station),
        "configuration": station_configuration(station),
        "is_pending": station.sync_state == SyncState.PENDING,
        "can_write": has_role(request.user, Role.OPERATOR),
    }
    # A refresh leaves the station synced while its operation runs: the page waits for both.
    context["live_polls"] = context["is_pending"] or context["polling"]
    # Settled: the page hides its "will show as synced" message (stations.css), whether a poll found
    # it so or a quick worker confirmed the save before the browser followed the redirect.
    context["settled"] = not context["is_pending"]
    if request.htmx and request.htmx.target == "station-live" and not request.htmx.history_restore_request:
        response = render(request, "stations/station_detail.html#live", context)
        if request.GET.get("was") == "pending" and not context["live_polls"]:
            # It just settled. The live part that asked hears the event too, but htmx drops a
            # request from an element its own swap has just replaced, so this draws nothing twice.
            response["HX-Trigger"] = WRITE_EVENTS
    else:
        response = render(request, "stations/station_detail.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


urlpatterns = [
    path("", station_list, name="list"),
    path("<int:station_id>/", station_detail, name="detail"),
    path("<int:station_id>/row/", station_row, name="row"),
]
