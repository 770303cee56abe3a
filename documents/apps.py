from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = "Case documents"

    def ready(self):
        from integrations.notify.files import deleted_check_set

        from .models import Document

        def deleted_on(document_id):
            return Document.objects.filter(pk=document_id).values_list("deleted_at", flat=True).first()

        deleted_check_set(deleted_on)
