from django.apps import AppConfig


class StationsConfig(AppConfig):
    name = "stations"

    def ready(self) -> None:
        from locations import stations_here
        from stations import operations  # noqa: F401  (registers the outbox handlers)
        from stations.location_reader import StationsAtLocations
        from locations.models import Location
        from models_catalog.models import StationModel
        from portal import generations
        from portal.models import Backend, Company

        # The station list caches these tables' names (stations.filters.filter_choices).
        generations.watch(Backend, Company, Location, StationModel)
        stations_here.register(StationsAtLocations())  # the location map's and network page's stations
