from django.urls import path

from . import views

app_name = "inbox"
urlpatterns = [
    path("unmatched/", views.unmatched_list, name="unmatched"),
    path("<int:pk>/", views.text_handle, name="text"),
    path("received/", views.received_list, name="received"),
    path("received/export.csv", views.received_export, name="export"),
    path("reply/<int:case_pk>/", views.case_reply_page, name="reply"),
]
