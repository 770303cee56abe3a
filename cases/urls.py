from django.urls import path

from . import settings_views, views

app_name = "cases"

urlpatterns = [
    path("cases/", views.case_list, name="case_list"),
    path("cases/new/", views.case_create, name="case_create"),
    path("cases/<int:pk>/", views.case_detail, name="case_detail"),
    path("cases/<int:pk>/edit/", views.case_edit, name="case_edit"),
    path("cases/<int:pk>/people/add/", views.case_add_person, name="case_add_person"),
    path("cases/<int:pk>/people/<int:link_pk>/remove/", views.case_remove_person, name="case_remove_person"),
    path("cases/<int:pk>/addresses/add/", views.case_add_address, name="case_add_address"),
    path("cases/<int:pk>/addresses/<int:link_pk>/remove/", views.case_remove_address, name="case_remove_address"),
    path("people/<int:pk>/edit/", views.person_edit, name="person_edit"),
    path("addresses/<int:pk>/edit/", views.address_edit, name="address_edit"),
    path("settings/case-types/", settings_views.casetype_list, name="casetype_list"),
    path("settings/case-types/new/", settings_views.casetype_edit, name="casetype_create"),
    path("settings/case-types/<int:pk>/", settings_views.casetype_detail, name="casetype_detail"),
    path("settings/case-types/<int:pk>/edit/", settings_views.casetype_edit, name="casetype_edit"),
    path("settings/case-types/<int:type_pk>/fields/new/", settings_views.field_edit, name="field_create"),
    path("settings/case-types/<int:type_pk>/fields/<int:pk>/", settings_views.field_edit, name="field_edit"),
    path("settings/case-types/<int:type_pk>/fields/<int:pk>/delete/", settings_views.field_delete, name="field_delete"),
    path("settings/case-types/<int:type_pk>/statuses/new/", settings_views.status_edit, name="status_create"),
    path("settings/case-types/<int:type_pk>/statuses/<int:pk>/", settings_views.status_edit, name="status_edit"),
    path("settings/case-types/<int:type_pk>/statuses/<int:pk>/delete/", settings_views.status_delete,
         name="status_delete"),
]
