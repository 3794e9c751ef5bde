from django.core.management.base import BaseCommand

from awards.results.demo import load_results_demo


class Command(BaseCommand):
    help = (
        "Compile, approve and publish the TW 8th demo results (after load_review_demo), "
        "then add the HK 2002-03 and TW 8th programmes."
    )

    def handle(self, *args, **options):
        if load_results_demo():
            self.stdout.write(self.style.SUCCESS("Demo results and programmes loaded."))
        else:
            self.stdout.write(
                "Demo results already present (or no reviewed demo); nothing changed."
            )
