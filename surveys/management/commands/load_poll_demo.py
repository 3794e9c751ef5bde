from django.core.management.base import BaseCommand

from surveys.demo import load_poll_demo


class Command(BaseCommand):
    help = (
        "Load the HK 2002–03 household telephone poll (23 candidates, 4,500 sampled "
        "households). Needs `load_demo` first; changes nothing if the poll exists."
    )

    def handle(self, *args, **options):
        poll = load_poll_demo()
        if poll is None:
            self.stdout.write(
                "Demo telephone poll already present (or no HK edition); nothing changed."
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Demo telephone poll loaded: {poll}."))
