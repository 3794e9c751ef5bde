from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RubricsConfig(AppConfig):
    """Rubrics: dimensions (評核構面), indicators (評核指標) and their focus points (評核重點).
    The cycle's configuration: awards shapes dossiers from it, scoring scores against it.
    It knows nothing of either (see docs/architecture.md)."""

    name = "rubrics"
    verbose_name = _("Rubrics")
    default_auto_field = "django.db.models.BigAutoField"
