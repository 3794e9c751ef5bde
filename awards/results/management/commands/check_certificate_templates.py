from django.core.management.base import BaseCommand

from awards.results.certificates import certificate_templates_recheck
from awards.results.models import CertificateTemplate


class Command(BaseCommand):
    help = (
        "Check every saved certificate template with the sandbox check and mark those "
        "that fail it refused (run after deploying; also done at a template's first use)."
    )

    def handle(self, *args, **options):
        refused = certificate_templates_recheck()
        for template, errors in refused:
            self.stdout.write(
                self.style.WARNING(
                    f"Refused: {template.scheme.code} · {template.name} ({template.pk})"
                )
            )
            for error in errors:
                self.stdout.write(f"  {error}")
        still = CertificateTemplate.objects.filter(refused_at__isnull=False).count()
        self.stdout.write(f"{len(refused)} template(s) refused now; {still} refused in all.")
