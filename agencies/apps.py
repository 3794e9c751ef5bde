from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = _("Agencies and people")

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from .middleware import remember_device

        # The one hook every way of signing in passes through (our form, the admin's,
        # the test client's force_login): see agencies.middleware.
        user_logged_in.connect(remember_device, dispatch_uid="agencies.remember_device")
