from django.apps import AppConfig


class RulesConfig(AppConfig):
    name = "rules"
    verbose_name = "Rules"

    def ready(self):
        from cases.events import case_event_recorded
        from integrations.log_services import log_entry_rebuilder_set

        from .engine import on_case_event
        from .rebuild import entry_rebuild

        case_event_recorded.connect(on_case_event, dispatch_uid="rules.engine.on_case_event")
        log_entry_rebuilder_set(entry_rebuild)
