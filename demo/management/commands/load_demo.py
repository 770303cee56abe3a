from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from cases.demo import load_demo
from demo.loader import load_notifications_demo
from demo.notices import write_decision_notices


class Command(BaseCommand):
    help = "Load the demo (case type, cases, people, addresses, demo users, the sandbox integration, mapping " \
           "templates and rules). Demo mode only; safe to repeat."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("The demo loads only in demo mode (DEMO_MODE=true): it creates users with known passwords.")
        created = load_demo()
        self.stdout.write(self.style.SUCCESS(f"Demo cases ready ({created} new cases)."))
        self.stdout.write(self.style.SUCCESS(load_notifications_demo()))
        folder = write_decision_notices()
        self.stdout.write(self.style.SUCCESS(f"Decision notices to add to the demo cases: {folder}"))
