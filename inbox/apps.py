from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "inbox"
    verbose_name = "Received texts"

    def ready(self):
        from integrations.delivery.received import received_text_keeper_set

        from .services import keep_received_text

        received_text_keeper_set(keep_received_text)
