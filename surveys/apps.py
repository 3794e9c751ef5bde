from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Telephone poll")

    def ready(self):
        from awards.copying import edition_copy_register

        from .copying import HOOK

        # A new edition copies this app's configuration from the previous one.
        edition_copy_register(HOOK)
