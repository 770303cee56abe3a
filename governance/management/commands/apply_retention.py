from django.core.management.base import BaseCommand

from governance.retention import BATCH, apply_retention


class Command(BaseCommand):
    help = "Apply the retention policy now (beat does it daily): remove what is past its time, in batches."

    def add_arguments(self, parser):
        parser.add_argument("--batch", type=int, default=BATCH, help="rows a batch (one short transaction)")

    def handle(self, *args, **options):
        run = apply_retention(batch=options["batch"])
        self.stdout.write(self.style.SUCCESS(
            f"Personal data removed from {run.personal_data_removed} messages, {run.texts_cleared} received texts "
            f"cleared, {run.records_deleted} records deleted, {run.documents_deleted} documents deleted."))
