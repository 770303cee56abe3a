from django.core.management.base import BaseCommand
from django.db import transaction

from integrations import crypto
from integrations.models import Integration


class Command(BaseCommand):
    help = ("Re-encrypt every stored API key with the newest key in FIELD_ENCRYPTION_KEYS. Run it after adding a "
            "new key first in the list; then the old key can be removed.")

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for integration in Integration.objects.select_for_update().exclude(api_key_encrypted=""):
                integration.api_key_encrypted = crypto.rotate(integration.api_key_encrypted)
                integration.save(update_fields=["api_key_encrypted"])
                count += 1
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted {count} API key(s) with the newest key."))
