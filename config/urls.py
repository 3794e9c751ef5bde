from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.generic import RedirectView

from agencies import views as agency_views
from agencies.auth_forms import QueuedPasswordResetForm

from .dashboard import dashboard
from .mail_views import mail_list, mail_resend_view
from .message_views import (
    my_messages,
    my_reminder_setting,
    notifications,
    notifications_unread,
    user_messages,
)

handler400 = "config.errors.bad_request"
handler403 = "config.errors.permission_denied"
handler404 = "config.errors.page_not_found"
handler500 = "config.errors.server_error"

admin.site.site_header = _("Service Quality Award administration")
admin.site.site_title = _("Award administration")

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="dashboard", permanent=False)),
    path("accounts/login/", agency_views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password-reset/",
        # The mail is built and sent by a background task (agencies.tasks).
        auth_views.PasswordResetView.as_view(
            template_name="registration/password_reset_form.html",
            form_class=QueuedPasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("agencies.auth_urls")),
    path("language/", agency_views.set_language, name="set_language"),
    path("dashboard/", dashboard, name="dashboard"),
    path("mail/", mail_list, name="mail_list"),
    path("mail/<int:pk>/resend/", mail_resend_view, name="mail_resend"),
    path("mail/users/<int:pk>/", user_messages, name="user_messages"),
    path("messages/", my_messages, name="my_messages"),
    path("messages/reminders/", my_reminder_setting, name="my_reminder_setting"),
    path("notifications/", notifications, name="notifications"),
    path("notifications/unread/", notifications_unread, name="notifications_unread"),
    path("agencies/", include("agencies.urls")),
    path("cycle/", include("awards.urls")),
    path("cycle/", include("scoring.urls")),
    path("poll/", include("surveys.urls")),
    path("", include("awards.results.urls")),
    path("api/", include("api.urls")),
    path("admin/", admin.site.urls),
]
