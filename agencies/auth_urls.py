"""Sign-in pages beyond the password, mounted under /accounts/ (config/urls.py)."""

from django.urls import path

from . import auth_views, views

urlpatterns = [
    path("two-factor/", auth_views.two_factor, name="two_factor"),
    path("two-factor/setup/", auth_views.two_factor_setup, name="two_factor_setup"),
    path("two-factor/verify/", auth_views.two_factor_verify, name="two_factor_verify"),
    path(
        "two-factor/recovery-codes/",
        auth_views.two_factor_recovery_codes,
        name="two_factor_recovery_codes",
    ),
    path("mail-language/", views.mail_language, name="mail_language"),
    path("lockouts/", auth_views.sign_in_lockouts, name="sign_in_lockouts"),
    path("lockouts/unlock/", auth_views.sign_in_unlock_view, name="sign_in_unlock"),
]
