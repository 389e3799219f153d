"""`python manage.py publish_releases`: publish every month, quarter and financial year that has
ended and is not published yet (beat runs the same each night; this is for deployments without
it, and for `make demo`, so the demo's first published report is read, not made)."""

from django.core.management.base import BaseCommand

from reports.releases import releases_publish_due


class Command(BaseCommand):
    help = "Publish the published version of every fixed period that has ended and is not published yet."

    def handle(self, *args, **options):
        self.stdout.write(f"Published {releases_publish_due()} release(s).")
