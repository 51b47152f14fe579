from django.urls import path

from models_catalog import views

app_name = "models_catalog"
urlpatterns = [
    path("", views.model_list, name="list"),
    path("new/", views.model_create, name="create"),
    path("<int:model_id>/", views.model_detail, name="detail"),
    path("<int:model_id>/status/", views.model_status, name="status"),
    path("<int:model_id>/rename/", views.model_rename, name="rename"),
    path("<int:model_id>/archive/", views.model_archive, name="archive"),
    path("<int:model_id>/conflict/<int:op_id>/reapply/", views.model_conflict_reapply, name="conflict_reapply"),
    path("<int:model_id>/conflict/<int:op_id>/discard/", views.model_conflict_discard, name="conflict_discard"),
]
