"""Our rules permissions must not share names with Django's model permissions.

The admin asks `user.has_perm("awards.view_nomination")` to decide whether to show the
Nominations pages; while our rules registered a permission of that very name (granted to
the secretariat, editors and authorities), the rules backend answered yes, and a staff
secretariat user got the admin's Nomination and Poll pages without any model permission
(issue 11). The rules permissions are now named `see_*`."""

import pytest
from django.apps import apps
from rules.permissions import permissions

from tests.factories import PollFactory, open_cycle, secretariat_user
from tests.security.helpers import client_for, submitted_nomination

pytestmark = pytest.mark.django_db


def test_no_rules_permission_is_named_like_a_model_permission():
    model_perms = {
        f"{model._meta.app_label}.{action}_{model._meta.model_name}"
        for model in apps.get_models()
        for action in model._meta.default_permissions
    }
    assert sorted(name for name in permissions if name in model_perms) == []
    # The renamed ones exist under their new names.
    for name in ("awards.see_nomination", "surveys.see_poll", "scoring.see_assignment"):
        assert name in permissions
    assert "results.see_award" in permissions


def test_a_staff_secretariat_without_model_permissions_gets_no_admin_page_for_them():
    cycle = open_cycle()
    nomination = submitted_nomination(cycle)
    poll = PollFactory()
    secretariat = secretariat_user(is_staff=True)
    assert secretariat.user_permissions.count() == 0 and not secretariat.is_superuser
    assert secretariat.has_perm("awards.view_nomination") is False
    assert secretariat.has_perm("surveys.view_poll") is False
    client = client_for(secretariat)
    for url in (
        "/admin/awards/nomination/",
        f"/admin/awards/nomination/{nomination.pk}/change/",
        "/admin/surveys/poll/",
        f"/admin/surveys/poll/{poll.pk}/change/",
    ):
        response = client.get(url)
        assert response.status_code == 403, url
        assert nomination.agency.name_en not in response.content.decode()
    index = client.get("/admin/").content.decode()
    assert "/admin/awards/nomination/" not in index
    assert "/admin/surveys/poll/" not in index
    # The secretariat still reads the nomination on the site's own page.
    response = client.get(f"/cycle/nominations/{nomination.pk}/")
    assert response.status_code == 200
