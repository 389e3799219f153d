"""`python manage.py delete_expired_reports`: delete report files past REPORT_FILES_KEEP_HOURS
(beat runs the same every hour; this is for deployments without it)."""

from django.core.management.base import BaseCommand

from reports.services import exports_delete_expired


class Command(BaseCommand):
    help = "Delete report files made in the background once they are past their time."

    def handle(self, *args, **options):
        self.stdout.write(f"Deleted {exports_delete_expired()} report file(s).")
