from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResultsConfig(AppConfig):
    """Results: compile, approval, publication, revocation, workbook, certificates.
    The one place that reads both scoring and surveys (see STYLE.md)."""

    name = "awards.results"
    label = "results"
    verbose_name = _("Results")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from awards.copying import edition_copy_register

        from .copying import HOOK

        # A new edition copies this app's configuration from the previous one.
        edition_copy_register(HOOK)

        from workflow.links import link_register

        from . import groups  # noqa: F401  (registers "winners with an open obligation")

        link_register("results.obligation", groups.obligation_link)
