"""The maintenance window refresher (``sync.engine`` registry; scheduled like every refresher).

be.ENERGISED's global list with ``filter[startDate]`` set a month back: the
windows still running or ending after that, which is everything the pages
show (upcoming, current, recent). A full read each time (the list has no
"changed since" filter); windows in that range it no longer lists are marked
removed (cancelled upstream), older ones are left as they are; those it still lists are planned, a
cancel the upstream never confirmed notwithstanding.
"""

from __future__ import annotations
from django.utils.translation import gettext_noop

from collections.abc import Iterable, Sequence
from datetime import timedelta

from upstreams import beenergised as be
from upstreams.pagination import Page
from maintenance.mapping import window_document, window_fields
from upstreams.base import format_upstream_time
from maintenance.models import MaintenanceWindow
from sync.mirror import content_hash
from sync.upsert import LOCAL_CHANGE, Incoming, mark_removed, upsert_mirror
from sync.refreshers import PageResult, RefreshContext, Refresher, register
from stations.models import Station

HORIZON = timedelta(days=30)
# Said of the windows a run skipped (counted by ``sync.engine.describe_notes``).
STATION_NOT_YET = "maintenance windows of stations not in the portal yet (the next stations refresh brings them)"


@register
class BeEnergisedMaintenanceWindows(Refresher):
    kind, entity, label = "beenergised", "maintenance_windows", gettext_noop("Maintenance windows")  # translated where shown
    interval = timedelta(minutes=15)
    page_size = 500  # the upstream's cap

    def prepare(self, ctx: RefreshContext) -> None:
        ctx.lookups["stations"] = {
            uid: (pk, company)
            for uid, pk, company in Station.objects.filter(backend=ctx.backend, upstream_id__isnull=False)
            .values_list("upstream_id", "pk", "company_id")
        }

    def pages(self, ctx: RefreshContext) -> Iterable[Page[be.MaintenanceWindow]]:
        return ctx.connector.list_maintenance_windows(start=format_upstream_time(ctx.now - HORIZON))

    def write(self, ctx: RefreshContext, items: Sequence[be.MaintenanceWindow]) -> PageResult:
        result, rows = PageResult(), []
        for record in items:
            station = ctx.lookups["stations"].get(record.cp_uuid)
            if station is None or not record.id:
                # Its station is not mirrored yet (the stations refresh brings it): next run.
                result.errors += 1
                result.notes.append(STATION_NOT_YET)
                ctx.seen.add(record.id or "")
                continue
            doc = window_document(record)
            fields = {"company_id": station[1], "station_id": station[0], **window_fields(record)}
            rows.append(Incoming(record.id, fields, doc, content_hash({"doc": doc, "station": station})))
        if rows:
            result.add(upsert_mirror(ctx, MaintenanceWindow, rows).result)
            # The refresh is the judge: a window the upstream still lists is planned, whatever was asked
            # of it here (a cancel it never confirmed), unless a cancel is still on its way.
            MaintenanceWindow.objects.filter(
                backend=ctx.backend, upstream_id__in=[r.upstream_id for r in rows], cancelled_at__isnull=False,
            ).exclude(sync_state__in=LOCAL_CHANGE).update(cancelled_at=None, removed_at=None)
        return result

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, MaintenanceWindow.objects.filter(ends_at__gte=ctx.now - HORIZON))
