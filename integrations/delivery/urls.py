from django.urls import path

from . import callbacks

app_name = "notify_callbacks"
urlpatterns = [
    path("<uuid:callback_id>/delivery-status/", callbacks.delivery_status, name="delivery_status"),
]
