from django.core.management.base import BaseCommand

from awards import demo_data
from awards.demo import load_demo


class Command(BaseCommand):
    help = "Load the demo award cycles (TW 8th edition, HK 2002–03) and one user per role."

    def handle(self, *args, **options):
        loaded = load_demo()
        if loaded:
            self.stdout.write(self.style.SUCCESS("Demo award cycles loaded."))
        else:
            self.stdout.write("Demo award cycles already present; nothing changed.")
        self.stdout.write(f"\nDemo users (password for all: {demo_data.DEMO_PASSWORD}):")
        for email, _name, roles, _extra in demo_data.DEMO_USERS:
            role_text = ", ".join(role + (f" @ {code}" if code else "") for role, code in roles)
            self.stdout.write(f"  {email:<24} {role_text}")
