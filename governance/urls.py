from django.urls import path

from . import people_views, retention_views, views

app_name = "governance"

urlpatterns = [
    path("history/<str:object_type>/<int:pk>/", views.history_page, name="history"),
    path("history/<str:object_type>/<int:pk>/versions/<int:version>/", views.version_page, name="version"),
    path("history/<str:object_type>/<int:pk>/versions/<int:version>/restore/", views.version_restore,
         name="restore"),
    path("audit/", views.audit_page, name="audit"),
    path("audit/export.csv", views.audit_export, name="audit_export"),
    path("settings/retention/", retention_views.retention_policy_page, name="retention"),
    path("people/<int:pk>/subject-access.zip", people_views.subject_access_download, name="subject_access"),
    path("people/<int:pk>/erase/", people_views.erase_page, name="erase"),
]
