from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("cases/<int:case_pk>/documents/add/", views.document_add_page, name="add"),
    path("documents/<int:pk>/download/", views.document_download, name="download"),
    path("documents/<int:pk>/delete/", views.document_delete_page, name="delete"),
]
