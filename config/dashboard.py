"""The signed-in home page: one section per role the user holds, each saying what is
theirs to do now. It composes every app's selectors, so it lives in the project glue
rather than in one app (agencies is the top layer and imports none of the others)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies import selectors as agency_selectors
from agencies.enums import Role
from awards import selectors as award_selectors
from awards.results import selectors as results_selectors
from scoring.selectors.reviews import dashboard_context as review_dashboard_context
from surveys.selectors import dashboard_context as poll_dashboard_context
from workflow.selectors import outbound_mail_counts


@login_required
def dashboard(request):
    user = request.user
    roles = agency_selectors.user_roles(user)
    if user.is_superuser:
        roles = roles | {Role.SECRETARIAT.value}
    ordered = [r for r in Role if r.value in roles]
    context = {
        "roles": ordered,
        "role_values": {r.value for r in ordered},
        "my_agencies": {
            role.value: list(agency_selectors.user_agencies(user, role.value))
            for role in (Role.AGENCY_EDITOR, Role.AUTHORITY_OFFICER)
            if role.value in roles
        },
    }
    if Role.SECRETARIAT.value in roles:
        context["editions"] = award_selectors.dashboard_editions()
        context["nomination_counts"] = award_selectors.nomination_counts_by_edition()
        context["results_returned"] = results_selectors.returned_versions()
        context["mail_failed"] = outbound_mail_counts()["failed"]
    if Role.AGENCY_EDITOR.value in roles:
        context["editor_nominations"] = award_selectors.editor_dashboard(user)
        context["open_editions"] = award_selectors.editions_open_for_nomination()
    if Role.AUTHORITY_OFFICER.value in roles:
        context["authority_waiting"] = award_selectors.authority_dashboard(user)
    context.update(poll_dashboard_context(user))
    if Role.APPROVER.value in roles:
        context["results_waiting"] = results_selectors.waiting_for_approval()
    if roles & {Role.REVIEWER.value, Role.SITE_ASSESSOR.value}:
        context.update(review_dashboard_context(user))
    return render(request, "agencies/dashboard.html", context)
