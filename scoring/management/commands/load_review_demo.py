from django.core.management.base import BaseCommand

from scoring.demo import PANEL, load_review_demo
from scoring.hk_demo import HK_CONSULTANT, HK_PANEL


class Command(BaseCommand):
    help = (
        "Load a reviewed TW 8th first-line category (panel, conflicts, written review, "
        "finalists, site visits; invented scores) and the reviewed HK 2002–03 edition "
        "(department, team and individual awards; invented panel and scores). Needs "
        "`load_demo` first; changes nothing for an edition that already has a panel."
    )

    def handle(self, *args, **options):
        if load_review_demo():
            emails = ", ".join(email for email, *_rest in PANEL)
            hk = ", ".join(email for email, *_rest in [*HK_PANEL, HK_CONSULTANT])
            self.stdout.write(
                self.style.SUCCESS(f"Demo review loaded; panels: TW {emails}; HK {hk}.")
            )
        else:
            self.stdout.write("Demo review already present (or no demo editions); nothing changed.")
