"""E-mails of review and scoring, sent after the transaction commits (see services).
Users have no language preference yet, so each message carries both languages."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from agencies.models import User


def _bilingual(template: str, context: dict) -> tuple[str, str]:
    """(subject, body) with the Chinese text first and the English after."""
    parts = {}
    for lang in ("zh-hant", "en"):
        with translation.override(lang):
            parts[lang] = (
                render_to_string(f"scoring/email/{template}_subject.txt", context).strip(),
                render_to_string(f"scoring/email/{template}.txt", context),
            )
    subject = f"{parts['zh-hant'][0]} / {parts['en'][0]}"
    body = parts["zh-hant"][1].strip() + "\n\n----------\n\n" + parts["en"][1].strip() + "\n"
    return subject, body


def _site(site_url: str = "") -> str:
    return (site_url or settings.SITE_URL or settings.SITE_URL_FALLBACK).rstrip("/")


def set_password_url(user: User, site_url: str = "") -> str:
    """A one-time link to the existing password_reset_confirm page."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return _site(site_url) + path


def reviewer_invited(*, user_id: int, panel_id: int, site_url: str = "") -> int:
    from .models import Panel

    user = User.objects.get(pk=user_id)
    panel = Panel.objects.select_related("category", "edition").get(pk=panel_id)
    member = panel.members.get(user=user)
    context = {
        "user": user,
        "panel": panel,
        "member": member,
        "link": set_password_url(user, site_url),
        "login": _site(site_url) + reverse("login"),
        "has_password": user.has_usable_password(),
    }
    subject, body = _bilingual("invitation", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])


def review_reminder(*, user_id: int, stage_id: int, pending: int, days_left: int) -> int:
    from awards.models import Stage

    user = User.objects.get(pk=user_id)
    stage = Stage.objects.select_related("edition").get(pk=stage_id)
    context = {
        "user": user,
        "stage": stage,
        "pending": pending,
        "days_left": days_left,
        "link": _site() + reverse("dashboard"),
    }
    subject, body = _bilingual("reminder", context)
    return send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
