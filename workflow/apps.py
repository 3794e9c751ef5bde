from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The layer under every other app: the audit log, the transition tables and their
    one service (transitions.py), background jobs (models.Job, run by jobs.py) and the
    mail outbox. It imports no app of the project (docs/architecture.md).

    Each app declares its kinds of job in its own `jobs.py` (jobs.register(...)); ready()
    imports every installed app's `jobs` module, so the kinds are known in the web
    process and in the worker alike."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self):
        # The outbox's transition table registers itself on import.
        from django.utils.module_loading import autodiscover_modules

        from . import (  # noqa: F401
            checks,
            jobs,  # noqa: F401  (registers the Job table)
            outbox,
        )

        autodiscover_modules("jobs")
