"""Refresher for the charging-station models catalogue (see ``sync.engine``).

The upstream lists active models unless asked for archived ones, so a full
read is two lists (``isArchived=false`` then ``true``). There is no date
filter: every run is full, and models gone from both lists are marked
removed. Which be.ENERGISED model id a model is belongs to each company
(``stations.models.ModelIdMapping``, set by its admins or the demo seed) and
is never touched here.
"""

from __future__ import annotations
from django.utils.translation import gettext_noop

import itertools
from collections.abc import Iterable, Sequence
from datetime import timedelta

from upstreams import models_api as api
from upstreams.pagination import Page
from models_catalog.models import StationModel
from sync.upsert import Incoming, mark_removed, upsert_mirror
from sync.refreshers import PageResult, RefreshContext, Refresher, register
from sync.mirror import content_hash, parse_upstream_time


def model_fields(record: api.StationModel) -> dict[str, object]:
    return {
        "vendor": record.vendor[:200],
        "model": record.model[:200],
        "friendly_name": (record.friendly_name or "")[:200],
        "power_type": record.power_type[:12],
        "connectors": [c.to_payload() for c in record.connectors],
        "ocpp_url": (record.ocpp_url or "")[:200],
        "image_url": (record.image_url or "")[:500],
        "is_archived": record.is_archived,
    }


@register
class Models(Refresher):
    kind, entity, label = "models", "models", gettext_noop("Station models (incl. archived)")  # translated where shown
    interval = timedelta(hours=1)
    page_size = 100  # the upstream's maximum

    def pages(self, ctx: RefreshContext) -> Iterable[Page[api.StationModel]]:
        return itertools.chain(
            ctx.connector.list_models(is_archived=False), ctx.connector.list_models(is_archived=True)
        )

    def write(self, ctx: RefreshContext, items: Sequence[api.StationModel]) -> PageResult:
        rows = []
        for record in items:
            if not record.id:
                continue
            fields = model_fields(record)
            doc = record.to_payload() | {"id": record.id, "isArchived": record.is_archived}
            rows.append(Incoming(record.id, fields, doc, content_hash(doc), parse_upstream_time(record.updated_at)))
        return upsert_mirror(ctx, StationModel, rows).result if rows else PageResult()

    def finish(self, ctx: RefreshContext) -> int:
        return mark_removed(ctx, StationModel.objects.all())
