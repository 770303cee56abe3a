from django.urls import path

from . import views

app_name = "integrations"

urlpatterns = [
    path("", views.integration_list, name="list"),
    path("new/", views.integration_general, name="create"),
    path("<int:pk>/", views.integration_general, name="general"),
    path("<int:pk>/test/", views.integration_test, name="test"),
    path("<int:pk>/references/", views.integration_references, name="references"),
    path("<int:pk>/notify-templates/", views.integration_templates, name="templates"),
    path("<int:pk>/mapping-templates/", views.integration_mappings, name="mappings"),
    path("<int:pk>/callbacks/", views.integration_callbacks, name="callbacks"),
    path("<int:pk>/log/", views.integration_log, name="log"),
]
