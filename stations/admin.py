"""Django admin for stations: a superuser's raw view, and the baseline the list benchmark compares with.

Configured the way one usually would (same columns as the portal's list,
same page size, search and choice filters), not made slow on purpose.
"""

from __future__ import annotations

from django.contrib import admin

from stations.models import Station


@admin.register(Station)
class StationAdmin(admin.ModelAdmin):
    list_display = ("label", "charge_box_identity", "status", "connectivity", "deploy_state", "location",
                    "backend", "company", "updated_at", "sync_state")
    list_select_related = ("location", "backend", "company")
    list_filter = ("status", "connectivity", "deploy_state", "sync_state")
    # Label, identity and serial number, through the column and trigram index the portal's search
    # uses (the three fields have no index of their own), so the benchmark compares pages, not indexes.
    search_fields = ("search_text",)
    list_per_page = 50
    raw_id_fields = ("company", "backend", "model", "technician", "location", "template")
    readonly_fields = ("configuration", "upstream_data", "etag", "created_at", "updated_at", "search_text")
