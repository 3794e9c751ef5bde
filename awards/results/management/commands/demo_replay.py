from django.core.management.base import BaseCommand, CommandError

from awards.enums import StageKind
from awards.results.replay import (
    DEFAULT_EDITION,
    DEFAULT_PHASE,
    ReplayError,
    edition_by_key,
    edition_replay,
)


class Command(BaseCommand):
    help = (
        "Move a demo edition's dates (stages, programme events, poll fieldwork) so that it "
        "lies around today: the chosen stage starts today, the gaps between the dates stay. "
        "Records already made keep their dates."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--edition",
            default=DEFAULT_EDITION,
            help=f"scheme-code/number (default {DEFAULT_EDITION})",
        )
        parser.add_argument(
            "--phase",
            default=DEFAULT_PHASE,
            help=f"the stage that starts today, one of: {', '.join(StageKind.values)} "
            f"(default {DEFAULT_PHASE})",
        )

    def handle(self, *args, edition, phase, **options):
        if phase not in StageKind.values:
            raise CommandError(f"Unknown phase “{phase}”. Phases: {', '.join(StageKind.values)}.")
        try:
            target = edition_by_key(edition)
            days = edition_replay(edition=target, phase=phase)
        except ReplayError as exc:
            raise CommandError(str(exc)) from exc
        name = f"{target.scheme.code}/{target.number}"
        if days == 0:
            self.stdout.write(f"{name}: “{phase}” already starts today; nothing changed.")
            return
        self.stdout.write(self.style.SUCCESS(f"{name}: dates moved by {days:+d} days."))
        for stage in target.stages.order_by("order", "starts_on"):
            self.stdout.write(
                f"  {stage.starts_on} – {stage.ends_on}  {stage.name_en or stage.name_zh}"
            )
