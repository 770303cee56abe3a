from django.urls import path

from . import callbacks, received

app_name = "notify_callbacks"
urlpatterns = [
    path("<uuid:callback_id>/delivery-status/", callbacks.delivery_status, name="delivery_status"),
    path("<uuid:callback_id>/received-text/", received.received_text, name="received_text"),
]
