"""Write the demo polling firm's file (Big5 CSV) for the HK 2002–03 poll."""

from django.core.management.base import BaseCommand, CommandError

from surveys.demo import firm_file_csv, firm_file_rows
from surveys.models import Poll


class Command(BaseCommand):
    help = "Write the demo polling firm's responses for the HK 2002–03 poll as a Big5 CSV."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--encoding", default="big5")

    def handle(self, *args, path, encoding, **options):
        poll = Poll.objects.filter(edition__scheme__code="hk-csca", edition__number=2002).first()
        if poll is None:
            raise CommandError("Load the demo first (manage.py load_demo).")
        done = set(poll.responses.values_list("household__ref", flat=True))
        rows = firm_file_rows(poll, skip=done)
        with open(path, "wb") as fh:
            fh.write(firm_file_csv(rows, encoding))
        self.stdout.write(f"{len(rows)} rows written to {path} ({encoding}).")
