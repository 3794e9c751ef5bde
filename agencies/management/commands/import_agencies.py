"""manage.py import_agencies PATH: the agency import of the web page, from a shell."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agencies.importers import AgencyImportError, import_agencies


class Command(BaseCommand):
    help = "Create or update agencies from a CSV (UTF-8) or XLSX file: every row or none."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV or XLSX file to import.")

    def handle(self, *args, path, **options):
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s")
                % {
                    "path": path,
                    "error": exc.strerror or exc,
                }
            ) from None
        try:
            result = import_agencies(data=data, filename=file.name, actor=None)
        except AgencyImportError as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(
                ngettext(
                    "Nothing was imported: %(count)s problem.",
                    "Nothing was imported: %(count)s problems.",
                    len(exc.problems),
                )
                % {"count": len(exc.problems)}
            ) from None
        self.stdout.write(
            _("%(filename)s: %(created)s created, %(updated)s updated, %(unchanged)s unchanged.")
            % {
                "filename": result.filename,
                "created": result.created,
                "updated": result.updated,
                "unchanged": result.unchanged,
            }
        )
