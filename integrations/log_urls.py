from django.urls import path

from . import log_views

app_name = "log"

urlpatterns = [
    path("", log_views.log_list, name="list"),
    path("export.csv", log_views.log_export, name="export"),
    path("<int:pk>/", log_views.log_detail, name="detail"),
    path("<int:pk>/resend/", log_views.log_resend, name="resend"),
    path("<int:pk>/rebuild/", log_views.log_rebuild, name="rebuild"),
    path("<int:pk>/status/", log_views.log_refresh_status, name="status"),
    path("<int:pk>/letter.pdf", log_views.log_letter_pdf, name="letter_pdf"),
]
