"""The signed-in home page: one section per role the user holds, each saying what is
theirs to do now. It composes every app's selectors, so it lives in the project glue
rather than in one app (agencies is the top layer and imports none of the others)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from agencies import selectors as agency_selectors
from agencies.enums import Role
from agencies.rules import is_secretariat
from awards import selectors as award_selectors
from awards.results import selectors as results_selectors
from scoring.selectors.reviews import dashboard_context as review_dashboard_context
from surveys.selectors import dashboard_context as poll_dashboard_context
from workflow.selectors import outbound_mail_counts

# The section each role's holder sees, in the order of Role.
SECTION_TEMPLATES = {
    Role.SECRETARIAT: "agencies/dashboard/secretariat.html",
    Role.AGENCY_EDITOR: "agencies/dashboard/agency_editor.html",
    Role.AUTHORITY_OFFICER: "agencies/dashboard/authority_officer.html",
    Role.REVIEWER: "scoring/_dashboard_reviewer.html",
    Role.SITE_ASSESSOR: "scoring/_dashboard_reviewer.html",
    Role.POLL_INTERVIEWER: "surveys/_dashboard_interviewer.html",
    Role.APPROVER: "results/_dashboard_approver.html",
}


def _sections(roles: set[str]) -> list[dict]:
    sections = []
    for role in Role:
        if role.value not in roles:
            continue
        template = SECTION_TEMPLATES[role]
        if role == Role.SITE_ASSESSOR and Role.REVIEWER.value in roles:
            # One list of assignments serves both roles; it is shown once, above.
            template = "agencies/dashboard/site_visits_listed.html"
        sections.append({"key": role.value, "label": role.label, "template": template})
    return sections


@login_required
def dashboard(request):
    user = request.user
    roles = agency_selectors.user_roles(user)
    if is_secretariat(user):
        roles = roles | {Role.SECRETARIAT.value}
    context = {
        "sections": _sections(roles),
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
