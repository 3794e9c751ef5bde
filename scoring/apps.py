from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self):
        from rubrics.services import rubric_freeze_check_register

        from .services.reviews import rubric_has_scores

        # A rubric that anyone has scored with can no longer change (rubrics.services).
        rubric_freeze_check_register(rubric_has_scores)

        from awards.copying import edition_copy_register

        from .copying import HOOK

        # A new edition copies the review policy (and panels when asked) from the last.
        edition_copy_register(HOOK)

        from django.urls import reverse

        from workflow.links import link_register

        from . import groups  # noqa: F401  (registers "reviewers with open reviews")

        # A message about an assignment leads its reviewer to the review, the
        # secretariat to the record of it.
        link_register("scoring.assignment", groups.assignment_link)
        link_register("scoring.panel", lambda obj, user: reverse("scoring:my_reviews"))
