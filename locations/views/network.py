"""The network dashboard: live power, hardware errors, problematic sessions, transactions, offline stations.

Everything comes from the rows the sampling task writes (never from ChargEye
during a request); the page refreshes its figures every minute through htmx.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from locations.charts import bars, line_chart
from locations.ranges import PRESETS, time_range
from locations.selectors import locations_for, network_filter, network_overview, sorted_errors
from portal.access import Role, role_required
from portal.selectors import companies_for

LIST_ROWS = 20


@role_required(Role.VIEWER)
@require_http_methods(["GET"])
def network_dashboard(request: HttpRequest) -> HttpResponse:
    filters = network_filter(request.user, request.GET)
    span = time_range(request.GET)
    overview = network_overview(request.user, filters, span)
    # A hole of more than a few buckets (no samples: beat or worker down) breaks the line.
    gap = max(overview.bucket * 3, timedelta(minutes=3))
    query = {**filters.as_query(), **span.as_query()}
    errors = sorted_errors(overview.errors)[:LIST_ROWS]
    context = {
        "filters": filters,
        "span": span,
        "presets": PRESETS,
        "query": urlencode(query),
        "offline_url": f"{reverse('stations:list')}?{urlencode({'connectivity': 'Offline', **filters.as_query()})}",
        "overview": overview,
        "chart": line_chart(overview.series, overview.start, overview.now, gap=gap),
        "chart_narrow": line_chart(overview.series, overview.start, overview.now, width=380, height=240,
                                   gap=gap, max_ticks=4),
        "bars": bars([
            (p.location_name, p.power_kw, f"{p.session_count} session{'s' if p.session_count != 1 else ''}",
             reverse("locations:detail", args=[p.location_id]) if p.location_id else "")
            for p in overview.per_location
        ]),
        "errors": errors,
        # The platform's "possible cause" is often empty: the column is shown only when it says something.
        "errors_explained": any(e.possible_cause or e.potential_solution for e in errors),
        "sessions": overview.sessions[:LIST_ROWS],
        "transactions": overview.transactions[:LIST_ROWS],
        "offline": overview.offline[:LIST_ROWS],
        "cannot_charge": overview.cannot_charge[:LIST_ROWS],
        "list_rows": LIST_ROWS,
        "companies": companies_for(request.user),
        "locations": locations_for(request.user).filter(backend__kind="chargeye"),
    }
    template = "locations/network.html#figures" if request.htmx else "locations/network.html"
    return render(request, template, context)


urlpatterns = [path("network/", network_dashboard, name="network")]
