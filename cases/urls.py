from django.urls import path

from . import views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("settings/case-types/", views.casetype_list, name="casetype_list"),
]
