from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorkflowConfig(AppConfig):
    """The layer under every other app: the audit log, the transition tables and their
    one service (transitions.py), background jobs and the mail outbox. It imports no app
    of the project (docs/architecture.md)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "workflow"
    verbose_name = _("Workflow")

    def ready(self):
        # The outbox's transition table registers itself on import.
        from . import checks, outbox  # noqa: F401
