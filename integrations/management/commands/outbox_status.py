from django.core.management.base import BaseCommand
from django.db.models import Count, Min
from django.utils import timezone

from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.sending import limiter, limiter_key


class Command(BaseCommand):
    help = "For operators: the queue (queued, retrying, sending), the oldest waiting message, and the rate limiter."

    def handle(self, *args, **options):
        waiting = LogEntry.objects.filter(status__in=[Status.QUEUED, Status.RETRYING, Status.SENDING])
        counts = dict(waiting.values_list("status").annotate(n=Count("id")))
        self.stdout.write("Queue: " + ", ".join(f"{s}: {counts.get(s, 0)}" for s in
                                                 (Status.QUEUED, Status.RETRYING, Status.SENDING)))
        oldest = waiting.filter(status=Status.QUEUED).aggregate(oldest=Min("created_at"))["oldest"]
        age = f"{(timezone.now() - oldest).total_seconds():.0f} s" if oldest else "none waiting"
        self.stdout.write(f"Oldest queued message: {age}")
        for integration in Integration.objects.filter(enabled=True):
            wait = limiter().state(limiter_key(integration))
            state = f"paused for {wait:.1f} s" if wait > 1 else "sending freely"
            self.stdout.write(f"Rate limiter, {integration.name} ({integration.rate_limit} a minute): {state}")
