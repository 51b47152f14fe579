"""Mirror rows for charging stations, their EVSEs and connectors, technicians and hardware templates.

Stations of both station kinds (be.ENERGISED and GreenFlux) share one table
so that the list, filters and imports treat the estate as one; fields one kind
does not have stay blank. Field names follow the portal, the upstream names
are in ``stations/mapping.py``.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Value
from django.db.models.functions import Concat, Upper
from django.utils.translation import gettext_lazy as _

from sync.mirror import MirrorRecord, SyncState


class DeployState(models.TextChoices):
    STOCK = "Stock", "Stock"
    PRODUCTION = "Production", "Production"
    DEPRECATED = "Deprecated", "Deprecated"


class Status(models.TextChoices):
    """OCPI 2.2.1 status of stations, EVSEs and connectors."""

    AVAILABLE = "AVAILABLE", _("Available")
    BLOCKED = "BLOCKED", _("Blocked")
    CHARGING = "CHARGING", _("Charging")
    INOPERATIVE = "INOPERATIVE", _("Inoperative")
    OUTOFORDER = "OUTOFORDER", _("Out of order")
    PLANNED = "PLANNED", _("Planned")
    REMOVED = "REMOVED", _("Removed")
    RESERVED = "RESERVED", _("Reserved")
    UNKNOWN = "UNKNOWN", _("Unknown")


class Connectivity(models.TextChoices):
    ONLINE = "Online", "Online"
    OFFLINE = "Offline", "Offline"


class ChargerType(models.TextChoices):
    PUBLIC = "Public", "Public"
    HOME = "Home", "Home"
    BUSINESS = "Business", "Business"


class StationQuerySet(models.QuerySet["Station"]):
    # As a condition too, for counts that put offline stations beside others (the map).
    OFFLINE = models.Q(connectivity=Connectivity.OFFLINE, removed_at__isnull=True)

    def offline(self) -> StationQuerySet:
        """The one definition of an offline station, used by the station list's filter and the dashboard.

        Offline is what the platform reports as the station's connectivity
        (GreenFlux ``connectivity_status``); a station gone upstream is not
        counted, since nobody can bring it back online.
        """
        return self.filter(self.OFFLINE)


class Technician(MirrorRecord):
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="technicians")
    uuid = models.CharField(max_length=64, blank=True)
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["backend", "upstream_id"], name="technician_upstream_unique")]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>" if self.email else self.name


class HardwareTemplate(MirrorRecord):
    """A GreenFlux hardware template; copied into a station when used (later edits do not follow)."""

    name = models.CharField(max_length=200)
    evse_templates = models.JSONField(default=list)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["backend", "upstream_id"], name="template_upstream_unique")]

    def __str__(self) -> str:
        return self.name


# Between the searched fields of ``Station.search_text``: a character nobody types (the search
# drops it), so a search never matches across two fields, exactly as three separate searches.
SEARCH_SEPARATOR = "\x1f"


class Station(MirrorRecord):
    # Indexes are chosen in Meta and in migrations 0002 and 0010 (every index costs each refreshed
    # row a write): company lookups use the (company, label, id) and (company, status) indexes,
    # status the (status, id) one, backend lookups the two unique constraints that start with it,
    # so these columns have no index of their own.
    backend = models.ForeignKey("portal.Backend", on_delete=models.PROTECT, related_name="+", db_index=False)
    sync_state = models.CharField(max_length=10, choices=SyncState.choices, default=SyncState.SYNCED)
    company = models.ForeignKey("portal.Company", on_delete=models.PROTECT, related_name="stations", db_index=False)
    label = models.CharField(max_length=200)
    charge_box_identity = models.CharField(max_length=200)
    model = models.ForeignKey(
        "models_catalog.StationModel", on_delete=models.PROTECT, null=True, blank=True, related_name="stations"
    )
    time_zone = models.CharField(max_length=64, blank=True)
    public_display_name = models.CharField(max_length=200, blank=True)
    serial_number = models.CharField(max_length=200, blank=True)
    iccid = models.CharField(max_length=40, blank=True)
    imsi = models.CharField(max_length=40, blank=True)
    firmware_version = models.CharField(max_length=100, blank=True)
    technician = models.ForeignKey(Technician, on_delete=models.SET_NULL, null=True, blank=True, related_name="stations")
    location = models.ForeignKey(
        "locations.Location", on_delete=models.SET_NULL, null=True, blank=True, related_name="stations"
    )
    deploy_state = models.CharField(max_length=12, choices=DeployState.choices, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNKNOWN)
    connectivity = models.CharField(max_length=8, choices=Connectivity.choices, blank=True)
    protocol_version = models.CharField(max_length=20, blank=True)
    charger_type = models.CharField(max_length=10, choices=ChargerType.choices, blank=True)
    default_tariff_id = models.CharField(max_length=100, blank=True)
    template = models.ForeignKey(HardwareTemplate, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    configuration = models.JSONField(default=dict, blank=True, help_text="Read-only configuration reported upstream.")
    etag = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # What the list's search looks in: label, identity and serial number in one column with one
    # trigram index (migration 0010). Three indexes, one per field, made every refreshed row three
    # GIN writes, most of the cost of writing a station (``make bench``).
    search_text = models.GeneratedField(
        expression=Concat("label", Value(SEARCH_SEPARATOR), "charge_box_identity", Value(SEARCH_SEPARATOR),
                          "serial_number"),
        output_field=models.TextField(), db_persist=True,
    )

    objects = StationQuerySet.as_manager()

    class Meta:
        ordering = ["label", "id"]
        constraints = [
            # Plain fields so refreshes can upsert on it (ON CONFLICT); the forms also
            # refuse identities that differ only in case.
            models.UniqueConstraint(fields=["backend", "charge_box_identity"], name="station_identity_unique"),
            models.UniqueConstraint(fields=["backend", "upstream_id"], name="station_upstream_unique"),
        ]
        indexes = [
            models.Index(fields=["company", "label", "id"]),
            # Exact filters only: plain b-trees, without the LIKE twins ``db_index`` adds on PostgreSQL.
            models.Index(fields=["deploy_state"], name="station_deploy_state"),
            models.Index(fields=["connectivity"], name="station_connectivity"),
            models.Index(Upper("charge_box_identity"), name="station_identity_upper"),
            models.Index(fields=["sync_state"], name="station_sync_state"),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.charge_box_identity})"

    @property
    def kind(self) -> str:
        return self.backend.kind


class Evse(models.Model):
    station = models.ForeignKey(Station, on_delete=models.CASCADE, related_name="evses")
    uid = models.CharField(max_length=36)
    evse_id = models.CharField(max_length=48, blank=True)
    sequence_number = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.UNKNOWN)
    capabilities = models.JSONField(default=list, blank=True)
    floor_level = models.CharField(max_length=4, blank=True)
    physical_reference = models.CharField(max_length=16, blank=True)
    directions = models.JSONField(default=list, blank=True)
    parking_restrictions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["station", "sequence_number", "id"]
        constraints = [models.UniqueConstraint(fields=["station", "uid"], name="evse_uid_unique")]

    def __str__(self) -> str:
        return self.evse_id or self.uid


class Connector(models.Model):
    evse = models.ForeignKey(Evse, on_delete=models.CASCADE, related_name="connectors")
    connector_id = models.CharField(max_length=36)
    standard = models.CharField(max_length=40)
    format = models.CharField(max_length=6)
    power_type = models.CharField(max_length=20)
    max_voltage = models.PositiveIntegerField(null=True, blank=True)
    max_amperage = models.PositiveIntegerField(null=True, blank=True)
    max_electric_power = models.PositiveIntegerField(null=True, blank=True)
    tariff_id = models.CharField(max_length=36, blank=True)

    class Meta:
        ordering = ["evse", "connector_id"]
        constraints = [models.UniqueConstraint(fields=["evse", "connector_id"], name="connector_id_unique")]

    def __str__(self) -> str:
        return f"{self.connector_id}: {self.standard} {self.format}"


class ModelIdMapping(models.Model):
    """Which catalogue model a be.ENERGISED ``modelId`` is, for one company (``stations.model_ids``).

    Owned by the company, not by the shared catalogue, so that one company's admin maps (or clears)
    only that company's stations. Per company rather than per backend: a be.ENERGISED backend may
    serve several companies (``portal.identities.company_refs``), and ids come from one be.ENERGISED
    registry, so one company's backends agree on what an id means.
    """

    company = models.ForeignKey("portal.Company", on_delete=models.CASCADE, related_name="model_id_mappings")
    beenergised_model_id = models.PositiveIntegerField(
        help_text="The id be.ENERGISED knows the model by (its stations' modelId).")
    model = models.ForeignKey("models_catalog.StationModel", on_delete=models.CASCADE, related_name="id_mappings")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["company", "beenergised_model_id"], name="model_id_mapping_one_model"),
            models.UniqueConstraint(fields=["company", "model"], name="model_id_mapping_one_id"),
        ]

    def __str__(self) -> str:
        return f"{self.beenergised_model_id} → {self.model}"


from stations.bulk.models import Batch, BatchItem  # noqa: E402,F401  (models of bulk changes)
from stations.csv_import.models import ImportJob, ImportRow  # noqa: E402,F401  (models of the CSV importer)
