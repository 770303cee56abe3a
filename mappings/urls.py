from django.urls import path

from . import views

app_name = "mappings"

urlpatterns = [
    path("new/", views.mapping_create, name="create"),
    path("<int:pk>/", views.mapping_edit, name="edit"),
    path("<int:pk>/delete/", views.mapping_delete, name="delete"),
    path("<int:pk>/preview/", views.mapping_preview, name="preview"),
]
