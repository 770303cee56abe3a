from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "Rules"

    def ready(self):
        from cases.events import case_event_recorded
        from inbox.services import text_received_on_case
        from integrations.delivery.record import delivery_status_changed
        from integrations.log_services import log_entry_rebuilder_set

        from .contacts import on_delivery_failure
        from .engine import on_case_event, on_delivery_status, on_text_received
        from .rebuild import entry_rebuild

        case_event_recorded.connect(on_case_event, dispatch_uid="rules.engine.on_case_event")
        delivery_status_changed.connect(on_delivery_failure, dispatch_uid="rules.contacts.on_delivery_failure")
        delivery_status_changed.connect(on_delivery_status, dispatch_uid="rules.engine.on_delivery_status")
        text_received_on_case.connect(on_text_received, dispatch_uid="rules.engine.on_text_received")
        log_entry_rebuilder_set(entry_rebuild)
