"""Permission predicates for people and organisations (the `rules` package)."""

import rules

from .enums import Role
from .selectors import has_role


@rules.predicate
def is_secretariat(user):
    return user.is_authenticated and (user.is_superuser or has_role(user, Role.SECRETARIAT))


def _role_predicate(role):
    @rules.predicate(name=f"has_role_{role.value}")
    def predicate(user):
        return user.is_authenticated and has_role(user, role)

    return predicate


is_agency_editor = _role_predicate(Role.AGENCY_EDITOR)
is_authority_officer = _role_predicate(Role.AUTHORITY_OFFICER)
is_reviewer = _role_predicate(Role.REVIEWER)
is_site_assessor = _role_predicate(Role.SITE_ASSESSOR)
is_poll_interviewer = _role_predicate(Role.POLL_INTERVIEWER)
is_approver = _role_predicate(Role.APPROVER)

rules.add_perm("agencies.view_agency_list", is_secretariat)
rules.add_perm("agencies.import_agencies", is_secretariat)
rules.add_perm("agencies.unlock_sign_in", is_secretariat)
# The configuration (Django's admin) opens to staff accounts only.
rules.add_perm("agencies.open_configuration", is_secretariat & rules.is_staff)

# The mail outbox (workflow.outbox): the secretariat sees every message and resends
# what failed.
rules.add_perm("workflow.see_mail", is_secretariat)
rules.add_perm("workflow.resend_mail", is_secretariat)
# The message log and notifications (config/message_views.py): everyone signed in sees
# what was sent to them; the secretariat sees any user's messages.
rules.add_perm("workflow.see_own_messages", rules.is_authenticated)
rules.add_perm("workflow.see_user_messages", is_secretariat)
