"""Panels (評審小組): who reviews a category, as what, with which affiliation, and who
chairs; inviting a new reviewer by e-mail with a link to choose a password. Everyone the
secretariat adds is invited: they accept or decline (with a reason) on their invitation
page, the secretariat may withdraw the invitation (MEMBER_WORKFLOW); only accepted
members are assigned dossiers."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from agencies.enums import AffiliationType, Role
from agencies.models import Agency, RoleAssignment, User
from agencies.services import audit_record, role_grant, user_create
from workflow.transitions import Transition, Workflow

from .. import notifications
from ..enums import MemberKind, MemberState, ReviewState
from ..models import Assignment, Panel, PanelMember

# The role a user must hold to serve on a panel as each kind of member.
ROLE_FOR_KIND = {MemberKind.REVIEWER: Role.REVIEWER, MemberKind.SITE_ASSESSOR: Role.SITE_ASSESSOR}


class PanelError(ValidationError):
    """A change to a panel the rules refuse; the message says why, translated."""


def _member_refusal(member, from_state, to_state) -> str:
    if from_state == MemberState.WITHDRAWN:
        return _(
            "The secretariat withdrew this invitation, so it can no longer be answered. "
            "Nothing was changed."
        )
    if from_state == MemberState.ACCEPTED and to_state == MemberState.ACCEPTED:
        return _("You have already accepted this invitation. Nothing was changed.")
    if from_state == MemberState.DECLINED and to_state == MemberState.DECLINED:
        return _("You have already declined this invitation. Nothing was changed.")
    if from_state in (MemberState.ACCEPTED, MemberState.DECLINED):
        return _(
            "This invitation has already been answered (%(answer)s). Ask the secretariat "
            "if you want to change your answer."
        ) % {"answer": MemberState(from_state).label}
    return _("This invitation is “%(from)s” and cannot become “%(to)s”.") % {
        "from": MemberState(from_state).label,
        "to": MemberState(to_state).label,
    }


MEMBER_WORKFLOW = Workflow(
    model=PanelMember,
    states=MemberState,
    initial=(MemberState.INVITED, MemberState.ACCEPTED),
    audit_action="panel.invitation",
    error_class=PanelError,
    refusal=_member_refusal,
    transitions=[
        Transition(
            "accept",
            (MemberState.INVITED,),
            MemberState.ACCEPTED,
            label=_lazy("Accept the invitation"),
            permission="scoring.answer_invitation",
        ),
        Transition(
            "decline",
            (MemberState.INVITED,),
            MemberState.DECLINED,
            label=_lazy("Decline the invitation"),
            permission="scoring.answer_invitation",
            reason_required=True,
        ),
        Transition(
            "withdraw",
            (MemberState.INVITED,),
            MemberState.WITHDRAWN,
            label=_lazy("Withdraw the invitation"),
            permission="scoring.manage_review",
        ),
    ],
)


@transaction.atomic
def invitation_accept(*, actor, member: PanelMember) -> PanelMember:
    """The invited person accepts: from now on they may be assigned dossiers."""
    return MEMBER_WORKFLOW.apply(
        member, MemberState.ACCEPTED, actor=actor, update={"answered_at": timezone.now()}
    )


@transaction.atomic
def invitation_decline(*, actor, member: PanelMember, reason: str) -> PanelMember:
    """The invited person declines, saying why; they are never assigned in this panel."""
    reason = (reason or "").strip()
    if not reason and member.state == MemberState.INVITED:
        raise PanelError(
            _("Say why you decline, so the secretariat can find someone else."), code="reason"
        )
    return MEMBER_WORKFLOW.apply(
        member,
        MemberState.DECLINED,
        actor=actor,
        reason=reason,
        update={"answered_at": timezone.now(), "decline_reason": reason},
    )


@transaction.atomic
def invitation_withdraw(*, actor, member: PanelMember) -> PanelMember:
    """The secretariat withdraws an invitation not yet answered."""
    return MEMBER_WORKFLOW.apply(member, MemberState.WITHDRAWN, actor=actor)


@transaction.atomic
def invitation_resend(*, actor, member: PanelMember) -> PanelMember:
    """The secretariat sends an invitation not yet answered again: the same page to
    answer on, and a fresh link to choose a password (the first one may have expired).
    Audited; the mail leaves through the outbox. An answered or withdrawn invitation is
    refused, with the reason, and nothing is sent."""
    member = PanelMember.objects.select_for_update().select_related("user").get(pk=member.pk)
    if member.state != MemberState.INVITED:
        raise PanelError(
            _(
                "Only an invitation not yet answered can be sent again; the invitation of "
                "%(name)s is “%(state)s”. Nothing was sent."
            )
            % {"name": member.user.get_full_name(), "state": MemberState(member.state).label},
            code="state",
        )
    audit_record(
        actor=actor,
        action="panel.invitation_resent",
        obj=member,
        from_state=member.state,
        to_state=member.state,
        data={"panel": member.panel_id, "user": member.user_id},
    )
    notifications.reviewer_invited(user_id=member.user_id, panel_id=member.panel_id)
    return member


def panel_for(category) -> Panel:
    """The category's panel, created empty the first time it is needed."""
    panel, _created = Panel.objects.get_or_create(
        category=category, defaults={"edition_id": category.edition_id}
    )
    return panel


def _kind(kind) -> MemberKind:
    try:
        return MemberKind(kind)
    except ValueError as exc:
        raise PanelError(_("Choose whether the member serves as reviewer or assessor.")) from exc


def _chair_clear(*, actor, panel) -> None:
    for old in PanelMember.objects.select_for_update().filter(panel=panel, is_chair=True):
        old.is_chair = False
        old.save(update_fields=["is_chair"])
        audit_record(
            actor=actor, action="panel.chair_clear", obj=old, from_state="chair", to_state="member"
        )


@transaction.atomic
def panel_member_add(
    *, actor, panel: Panel, user: User, kind, is_chair: bool = False, notify: bool = True
):
    """Invite a user onto a panel. They must hold the role matching `kind` and have an
    affiliation type; a new chair replaces the old one. The membership is "invited" until
    they answer; `notify`: send the invitation e-mail with the link to answer."""
    kind = _kind(kind)
    name = user.get_full_name()
    role = ROLE_FOR_KIND[kind]
    if not RoleAssignment.objects.filter(user=user, role=role).exists():
        raise PanelError(
            _("%(name)s does not hold the role “%(role)s”, so cannot serve as %(kind)s.")
            % {"name": name, "role": role.label, "kind": kind.label.lower()}
        )
    if not user.affiliation_type:
        raise PanelError(
            _("%(name)s has no affiliation type: record it first (invite them again with it).")
            % {"name": name}
        )
    if PanelMember.objects.filter(panel=panel, user=user).exists():
        raise PanelError(_("%(name)s is already on this panel.") % {"name": name})
    if is_chair and kind != MemberKind.REVIEWER:
        raise PanelError(_("Only a reviewer can chair the panel."))
    if is_chair:
        _chair_clear(actor=actor, panel=panel)
    member = PanelMember.objects.create(
        panel=panel,
        user=user,
        kind=kind,
        affiliation_type=user.affiliation_type,
        is_chair=is_chair,
        state=MemberState.INVITED,
    )
    audit_record(
        actor=actor,
        action="panel.member_add",
        obj=member,
        to_state="chair" if is_chair else kind.value,
        data={
            "panel": panel.pk,
            "user": user.pk,
            "affiliation_type": user.affiliation_type,
            "invitation": MemberState.INVITED.value,
        },
    )
    if notify:
        notifications.reviewer_invited(user_id=user.pk, panel_id=panel.pk)
    return member


@transaction.atomic
def panel_chair_set(*, actor, member: PanelMember) -> PanelMember:
    """Make this member the chair; the previous chair (if any) becomes a member."""
    if member.kind != MemberKind.REVIEWER:
        raise PanelError(_("Only a reviewer can chair the panel."))
    if member.is_chair:
        return member
    _chair_clear(actor=actor, panel=member.panel)
    member.is_chair = True
    member.save(update_fields=["is_chair"])
    audit_record(
        actor=actor, action="panel.chair_set", obj=member, from_state="member", to_state="chair"
    )
    return member


def _category_assignments(member: PanelMember):
    return Assignment.objects.filter(
        reviewer_id=member.user_id,
        nomination__category_id=member.panel.category_id,
        stage__edition_id=member.panel.edition_id,
        withdrawn_at__isnull=True,
    )


@transaction.atomic
def panel_member_remove(*, actor, member: PanelMember) -> list[Assignment]:
    """Take a member off the panel, withdrawing their active assignments in the category.
    Refused once they have submitted a review there: their scores count."""
    name = member.user.get_full_name()
    active = _category_assignments(member)
    if active.filter(review__state=ReviewState.SUBMITTED).exists():
        raise PanelError(
            _(
                "%(name)s has submitted reviews in this category and cannot be removed from "
                "the panel. Reopen or withdraw those reviews first."
            )
            % {"name": name}
        )
    reason = _("Removed from the panel of %(category)s") % {"category": member.panel.category.name}
    now = timezone.now()
    withdrawn = list(active.select_for_update(of=("self",)))
    for assignment in withdrawn:
        assignment.withdrawn_at = now
        assignment.withdrawn_reason = reason
        assignment.save(update_fields=["withdrawn_at", "withdrawn_reason"])
        audit_record(
            actor=actor,
            action="assignment.withdraw",
            obj=assignment,
            from_state="active",
            to_state="withdrawn",
            reason=reason,
        )
    audit_record(
        actor=actor,
        action="panel.member_remove",
        obj=member,
        from_state="chair" if member.is_chair else member.kind,
        to_state="removed",
        data={"panel": member.panel_id, "user": member.user_id, "withdrawn": len(withdrawn)},
    )
    member.delete()
    return withdrawn


@transaction.atomic
def reviewer_invite(
    *,
    actor,
    panel: Panel,
    email: str,
    full_name: str,
    affiliation_type: str,
    affiliation: str,
    kind,
    affiliated_agency: Agency | None = None,
) -> PanelMember:
    """Invite someone onto a panel by e-mail. A new user is created without a usable
    password; they get an e-mail (through the outbox, in their language) with a link to
    choose one. An existing user (same e-mail) is reused: blank details are filled in.
    A reviewer's affiliated agency makes them conflicted with it automatically."""
    kind = _kind(kind)
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email:
        raise PanelError(_("Enter the e-mail address of the person to invite."))
    if affiliation_type not in AffiliationType.values:
        raise PanelError(_("Choose the affiliation type of the person to invite."))
    user = User.objects.filter(email__iexact=email).first()
    created = user is None
    if created:
        user = user_create(
            email=email,
            password=None,  # unusable until they choose one through the link
            actor=actor,
            full_name=full_name.strip(),
            affiliation_type=affiliation_type,
            affiliation=affiliation.strip(),
            affiliated_agency=affiliated_agency,
        )
    else:
        changed = []
        for field, value in (
            ("full_name", full_name.strip()),
            ("affiliation_type", affiliation_type),
            ("affiliation", affiliation.strip()),
            ("affiliated_agency", affiliated_agency),
        ):
            if value and not getattr(user, field):
                setattr(user, field, value)
                changed.append(field)
        if changed:
            user.save(update_fields=changed)
    role_grant(user=user, role=ROLE_FOR_KIND[kind], actor=actor)
    member = panel_member_add(actor=actor, panel=panel, user=user, kind=kind, notify=False)
    audit_record(
        actor=actor,
        action="panel.invite",
        obj=user,
        to_state=kind.value,
        data={"panel": panel.pk, "new_user": created},
    )
    notifications.reviewer_invited(user_id=user.pk, panel_id=panel.pk)
    return member


@transaction.atomic
def conflict_remove(*, actor, conflict, reason: str) -> None:
    """The secretariat removes a recorded conflict, with a reason. Withdrawn assignments
    stay withdrawn: assign again if needed. (A conflict from a reviewer's affiliated
    agency is not a row and cannot be removed here: change the affiliation.)"""
    reason = (reason or "").strip()
    if not reason:
        raise PanelError(_("Give a reason for removing the conflict of interest."))
    audit_record(
        actor=actor,
        action="conflict.remove",
        obj=conflict,
        from_state=conflict.source,
        to_state="removed",
        reason=reason,
        data={"reviewer": conflict.reviewer_id, "agency": conflict.agency.code},
    )
    conflict.delete()
