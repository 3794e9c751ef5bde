from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def rubric_has_submitted_dossiers(rubric) -> bool:
    """Whether a dossier has been submitted on this rubric: then it is frozen
    (rubrics.services), so what the agency wrote to stays what reviewers score."""
    from .models import Submission

    return Submission.objects.filter(nomination__category__rubric=rubric).exists()


def rubric_submitted_reason() -> str:
    from django.utils.translation import gettext

    return gettext(
        "This rubric is frozen: a dossier has already been submitted on it, so it can no "
        "longer change. Changing it would change what agencies wrote to after they "
        "submitted."
    )


class AwardsConfig(AppConfig):
    name = "awards"
    verbose_name = _("Award cycle")

    def ready(self):
        from rubrics.services import rubric_freeze_check_register

        rubric_freeze_check_register(rubric_has_submitted_dossiers, rubric_submitted_reason)

        from django.urls import reverse

        from workflow.links import link_register

        from . import messaging  # noqa: F401  (registers the cycle's message groups)

        # A message or notification about a nomination leads to its dossier page.
        link_register(
            "awards.nomination", lambda obj, user: reverse("awards:dossier", kwargs={"pk": obj.pk})
        )
        link_register("awards.stage", lambda obj, user: reverse("dashboard"))
