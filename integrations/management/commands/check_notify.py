from django.core.management.base import BaseCommand, CommandError

from integrations.models import Integration
from integrations.services import IntegrationNotVerified, integration_check


class Command(BaseCommand):
    help = "Check that each integration (or the one named) can reach Notify with its key. Exit 1 if any cannot."

    def add_arguments(self, parser):
        parser.add_argument("integration", nargs="?", help="an integration's name or id (default: every one)")

    def handle(self, *args, integration=None, **options):
        integrations = Integration.objects.all()
        if integration:
            integrations = integrations.filter(pk=int(integration)) if integration.isdigit() else integrations.filter(
                name=integration)
            if not integrations:
                raise CommandError(f"No integration called {integration}")
        failed = 0
        for item in integrations:
            if not item.has_key:
                self.stdout.write(f"{item.name}: no API key set")
                failed += 1
                continue
            try:
                verified = integration_check(integration=item)
            except IntegrationNotVerified as failure:
                self.stdout.write(self.style.ERROR(f"{item.name}: FAILED: {failure.reason}"))
                failed += 1
            else:
                self.stdout.write(self.style.SUCCESS(f"{item.name}: OK: {verified.description}"))
        if failed:
            raise CommandError(f"{failed} integration(s) could not reach Notify", returncode=1)
