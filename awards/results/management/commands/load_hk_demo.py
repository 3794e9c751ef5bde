from django.core.management.base import BaseCommand

from awards.results.hk_demo import load_hk_demo
from scoring.hk_demo import HK_CONSULTANT, HK_PANEL


class Command(BaseCommand):
    help = (
        "Load the reviewed HK 2002–03 edition (23 department self-nominations, team and "
        "individual nominees, a panel of the four constituencies, invented scores) and "
        "compile, approve and publish its results. Needs `load_demo` first; run it before "
        "`load_results_demo`. Changes nothing once the edition has a panel and results."
    )

    def handle(self, *args, **options):
        if load_hk_demo():
            emails = ", ".join(email for email, *_rest in [*HK_PANEL, HK_CONSULTANT])
            self.stdout.write(
                self.style.SUCCESS(f"HK demo review and results loaded; panel: {emails}.")
            )
        else:
            self.stdout.write(
                "HK demo review and results already present (or no HK edition); nothing changed."
            )
