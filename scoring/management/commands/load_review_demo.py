from django.core.management.base import BaseCommand

from scoring.demo import PANEL, load_review_demo


class Command(BaseCommand):
    help = (
        "Load a reviewed TW 8th first-line category (panel, conflicts, written review, "
        "finalists, site visits; invented scores). Needs `load_demo` first; changes "
        "nothing if the 8th edition already has a panel."
    )

    def handle(self, *args, **options):
        if load_review_demo():
            emails = ", ".join(email for email, *_rest in PANEL)
            self.stdout.write(self.style.SUCCESS(f"Demo review loaded; panel: {emails}."))
        else:
            self.stdout.write("Demo review already present (or no 8th edition); nothing changed.")
