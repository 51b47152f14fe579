"""Station URLs: each view module lists its own patterns."""

from stations.views import browse, bulk, conflicts, edit, export, hardware, imports, model_mapping

app_name = "stations"
urlpatterns = [*browse.urlpatterns, *edit.urlpatterns, *conflicts.urlpatterns, *hardware.urlpatterns,
               *imports.urlpatterns, *export.urlpatterns, *bulk.urlpatterns, *model_mapping.urlpatterns]
