from locations.views import network, pages

app_name = "locations"
urlpatterns = [*pages.urlpatterns, *network.urlpatterns]
