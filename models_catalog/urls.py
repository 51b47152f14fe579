from django.urls import path

from models_catalog import views

app_name = "models_catalog"
urlpatterns = [path("", views.model_list, name="list")]
