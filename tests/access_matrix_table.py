"""The access matrix's table: for every URL pattern of the site (Django admin apart), who
gets what. tests/test_access_matrix.py requests each row's URL as every persona and
compares what comes back with this table; it fails on any difference, on a URL pattern
with no row here and on a row whose pattern no longer exists.

The table says what SHOULD happen, written from the views' permission predicates
(agencies/rules.py, awards/rules.py, scoring/rules.py, surveys/rules.py,
awards/results/rules.py). Where the code disagrees (someone sees what they should not),
the code is not changed here: the case goes into KNOWN_ISSUES below with what it does now.

How to add a row (one line per URL pattern and object variant)::

    R("app:name", "variant", "kwarg=world_attr ...", GET-expectation, post=POST-expectation)

- "app:name": the pattern's full name (namespace:name); an unnamed pattern is "/route".
- "variant": which object fills it, e.g. "own" (this agency's, or the assigned reviewer's)
  and "other" (the other agency's); "-" when the URL names no object. One row per variant.
- kwargs: space-separated `kwarg=attr` filled from the world (tests/access_matrix_world.py);
  a model instance stands for its pk, `attr.field` reads a field (e.g.
  `serial=award_own.serial`), `#text` is the literal text. Add what a new URL needs to the
  world builder.
- the expectations map every persona to an outcome; build them with the helpers below:
  `allow(SEC, APPR)` (anonymous -> sign-in, those -> OK, everyone else -> 404; a superuser
  counts as the secretariat in views, agencies.rules.is_secretariat, so `allow(SEC)`
  lets the superuser persona in too, and only then),
  `allow(ED, ok=METHOD)`, `everyone(OK)`, `signed_in(OK)`, and `| {PERSONA: OUTCOME}` to
  change one entry.
- post=None: the URL is not POSTed (its view changes nothing). Otherwise it is POSTed
  with an empty body (or `data="field=attr ..."`, same notation); a refused POST must
  change nothing in the database (checked), an allowed one is rolled back after it.
- hides="edition_attr": an OK HTML page must not name that world attribute (its name_zh or
  name_en), e.g. an edition whose results are not published.
- shows="agency": an OK HTML page must name that world attribute's agency (the object's).
  Every OK HTML page seen by an agency persona (editors, officers) must name no agency
  outside that persona's own (its subtree for an officer), unless the row says
  shows_others=True (public pages listing winners).
- The JSON API (/api/v1/...): an anonymous request is 401 (`anon=UNAUTH`), not a redirect.
  Every /api/v1/ row is requested twice per signed-in persona: with its session and with
  its API token (`Authorization: Token <key>`, no session); both must give the table's
  outcome. The content checks read JSON answers as they read HTML pages.
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.access_matrix_world import (
    ANON,
    APPR,
    CHAIR,
    ED,
    ED2,
    IV,
    OFF,
    OFF2,
    PERSONAS,
    REV,
    REV0,
    REVC,
    SEC,
    SITE,
    SU,
)

# --- outcomes ------------------------------------------------------------------------------
OK = "OK"  # 2xx
LOGIN = "REDIRECT_LOGIN"  # 302 to the sign-in page, with ?next=
REDIRECT = "REDIRECT"  # any other redirect
INVALID = "INVALID"  # 400 or 409: let in, the (empty) input refused
NOT_FOUND = "NOT_FOUND"  # 404: what this user may not see
FORBIDDEN = "FORBIDDEN"  # 403: only where the project means it (the admin)
METHOD = "METHOD"  # 405
ADMIN_LOGIN = "REDIRECT_ADMIN_LOGIN"  # 302 to the admin's own sign-in page
UNAUTH = "UNAUTHORIZED"  # 401: the JSON API (api/) without a token or a session

# The outcomes of a refused request: a POST answered with one of these must change nothing.
REFUSED = frozenset({LOGIN, NOT_FOUND, FORBIDDEN, METHOD, ADMIN_LOGIN, UNAUTH})


def everyone(outcome: str) -> dict[str, str]:
    return dict.fromkeys(PERSONAS, outcome)


def signed_in(outcome: str = OK, anon: str = LOGIN) -> dict[str, str]:
    return {**everyone(outcome), ANON: anon}


def allow(*who: str, ok: str = OK, others: str = NOT_FOUND, anon: str = LOGIN) -> dict[str, str]:
    """A superuser (SU) is let in exactly where the secretariat is: it holds no role, and
    the rules predicates treat it as the secretariat and as nothing else."""
    assert set(who) <= set(PERSONAS) and ANON not in who and SU not in who, who
    if SEC in who:
        who = (*who, SU)
    return {p: ok if p in who else others for p in PERSONAS} | {ANON: anon}


def as_secretariat(outcome: str) -> dict[str, str]:
    """Change the secretariat's entry, and so the superuser's: `allow(REV) | as_secretariat(X)`."""
    return {SEC: outcome, SU: outcome}


@dataclass(frozen=True)
class R:
    name: str
    variant: str
    kwargs: str
    get: dict
    post: dict | None = None
    data: str = ""
    shows: str = ""
    shows_others: bool = False
    hides: str = ""

    def __post_init__(self):
        for method, expected in (("GET", self.get), ("POST", self.post)):
            if expected is not None and set(expected) != set(PERSONAS):
                missing = set(PERSONAS) - set(expected)
                raise AssertionError(f"{self.name} {self.variant} {method}: no entry for {missing}")


# Who sees a nomination: its editors, the competent authority above it once submitted,
# the secretariat (awards.view_nomination). Who edits: its editors (awards.edit_dossier).
N_OWN = allow(ED, OFF, SEC)
N_OTHER = allow(ED2, OFF2, SEC)
N_DRAFT = allow(ED, SEC)  # not yet submitted: not the authority's to see

# fmt: off
ROWS = [
    # --- the site's own pages (config/urls.py) ----------------------------------------------
    R("/", "-", "", everyone(REDIRECT)),
    R("login", "-", "", allow(ok=REDIRECT, others=REDIRECT, anon=OK), post=allow(ok=REDIRECT, others=REDIRECT, anon=OK)),
    R("logout", "-", "", everyone(METHOD), post=everyone(REDIRECT)),
    R("password_reset", "-", "", everyone(OK), post=everyone(OK)),
    R("password_reset_done", "-", "", everyone(OK)),
    R("password_reset_confirm", "-", "uidb64=reset_uid token=reset_token", everyone(REDIRECT)),
    R("password_reset_complete", "-", "", everyone(OK)),
    R("set_language", "-", "", everyone(METHOD), post=everyone(REDIRECT), data="language=#en"),
    R("dashboard", "-", "", signed_in(OK), hides="award_embargoed"),
    # --- agencies ---------------------------------------------------------------------------
    R("agencies:list", "-", "", allow(SEC)),
    R("agencies:import", "-", "", allow(SEC), post=allow(SEC)),
    R("agencies:import_job", "-", "pk=import_job", allow(SEC)),
    # --- sign-in beyond the password (agencies/auth_urls.py); REQUIRE_STAFF_2FA is off in
    # the test settings, so no one owes a second factor; the secretariat has an app and a
    # verified session, nobody else has an app.
    R("two_factor", "-", "", signed_in(OK)),
    # A wrong set-up code is shown beside the field with 200 (as the sign-in form does).
    R("two_factor_setup", "-", "", signed_in(OK) | {SEC: REDIRECT}, post=signed_in(OK) | {SEC: REDIRECT}, data="code=#000000"),
    R("two_factor_verify", "-", "", signed_in(REDIRECT), post=signed_in(REDIRECT), data="code=#000000"),
    R("two_factor_recovery_codes", "-", "", signed_in(REDIRECT), post=signed_in(REDIRECT)),
    R("sign_in_lockouts", "-", "", allow(SEC)),
    R("sign_in_unlock", "-", "", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT), data="kind=#account value=locked_email"),
    R("mail_language", "-", "", signed_in(OK), post=signed_in(REDIRECT), data="language=#en"),
    # --- the mail outbox (config/mail_views.py) -----------------------------------------
    R("mail_list", "-", "", allow(SEC)),
    R("mail_resend", "-", "pk=mail_failed", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    # --- messages and notifications (config/message_views.py): everyone their own; the
    # secretariat any user's log. The notifications page marks what it shows read (GET).
    R("user_messages", "-", "pk=user_ed", allow(SEC)),
    R("my_messages", "-", "", signed_in(OK)),
    R("my_reminder_setting", "-", "", signed_in(METHOD), post=signed_in(REDIRECT)),
    R("notifications", "-", "", signed_in(OK)),
    R("notifications_unread", "-", "", signed_in(OK)),
    # --- awards: setup, dossiers ------------------------------------------------------------
    R("awards:scheme_list", "-", "", allow(SEC)),
    R("awards:edition_detail", "-", "pk=edition", allow(SEC)),
    R("awards:config_stages", "-", "pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:config_stage_extend", "-", "pk=edition stage_pk=written", allow(SEC, ok=REDIRECT), post=allow(SEC, ok=INVALID)),
    # Deadline reminders (the timetable page): an empty POST is refused beside the fields.
    R("awards:config_reminder_add", "-", "pk=edition", allow(SEC, ok=REDIRECT), post=allow(SEC, ok=INVALID)),
    R("awards:config_reminder_delete", "-", "pk=edition rule_pk=reminder_rule", allow(SEC, ok=REDIRECT), post=allow(SEC, ok=REDIRECT)),
    # Messages to a group: an empty POST (preview or send) is refused beside the fields.
    R("awards:group_message", "-", "pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:group_message_send", "-", "pk=edition", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    R("awards:configuration_start", "-", "", allow(SEC)),
    R("awards:configuration_hub", "-", "pk=edition", allow(SEC)),
    R("awards:config_scheme", "-", "code=scheme.code", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:edition_copy", "-", "pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:edition_copy_save", "-", "pk=edition", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    R("awards:configuration_history", "-", "pk=edition", allow(SEC)),
    R("awards:nomination_list", "-", "", allow(ED, ED2)),
    R("awards:nomination_start", "-", "", allow(ED, ED2), post=allow(ED, ED2, ok=INVALID)),
    R("awards:dossier", "own", "pk=nomination_own", N_OWN, shows="nomination_own"),
    R("awards:dossier", "other", "pk=nomination_other", N_OTHER, shows="nomination_other"),
    R("awards:dossier", "draft", "pk=nomination_draft", N_DRAFT, shows="nomination_draft"),
    R("awards:section_save", "own", "pk=nomination_own section_pk=section_own", allow(ED, ok=METHOD), post=allow(ED, ok=INVALID)),
    R("awards:section_save", "other", "pk=nomination_other section_pk=section_other", allow(ED2, ok=METHOD), post=allow(ED2, ok=INVALID)),
    R("awards:section_save", "draft", "pk=nomination_draft section_pk=section_draft", allow(ED, ok=METHOD), post=allow(ED, ok=INVALID)),
    R("awards:attachment_upload", "own", "pk=nomination_own", allow(ED, ok=METHOD), post=allow(ED, ok=REDIRECT)),
    R("awards:attachment_upload", "other", "pk=nomination_other", allow(ED2, ok=METHOD), post=allow(ED2, ok=REDIRECT)),
    R("awards:attachment_upload", "draft", "pk=nomination_draft", allow(ED, ok=METHOD), post=allow(ED, ok=INVALID)),
    R("awards:attachment_download", "own", "pk=nomination_own attachment_pk=attachment_own", N_OWN),
    R("awards:attachment_download", "other", "pk=nomination_other attachment_pk=attachment_other", N_OTHER),
    R("awards:attachment_download", "draft", "pk=nomination_draft attachment_pk=attachment_draft", N_DRAFT),
    R("awards:attachment_delete", "own", "pk=nomination_own attachment_pk=attachment_own", allow(ED, ok=METHOD), post=allow(ED, ok=REDIRECT)),
    R("awards:attachment_delete", "other", "pk=nomination_other attachment_pk=attachment_other", allow(ED2, ok=METHOD), post=allow(ED2, ok=REDIRECT)),
    R("awards:attachment_delete", "draft", "pk=nomination_draft attachment_pk=attachment_draft", allow(ED, ok=METHOD), post=allow(ED, ok=REDIRECT)),
    R("awards:dossier_preview", "own", "pk=nomination_own", N_OWN, shows="nomination_own"),
    R("awards:dossier_preview", "other", "pk=nomination_other", N_OTHER, shows="nomination_other"),
    R("awards:dossier_preview", "draft", "pk=nomination_draft", N_DRAFT, shows="nomination_draft"),
    R("awards:dossier_submit", "own", "pk=nomination_own", allow(ED, ok=METHOD), post=allow(ED, ok=INVALID)),
    R("awards:dossier_submit", "other", "pk=nomination_other", allow(ED2, ok=METHOD), post=allow(ED2, ok=INVALID)),
    R("awards:dossier_submit", "draft", "pk=nomination_draft", allow(ED, ok=METHOD), post=allow(ED, ok=INVALID)),
    R("awards:submission_pdf", "own", "pk=nomination_own version=submission_own.version", N_OWN),
    R("awards:submission_pdf", "other", "pk=nomination_other version=submission_other.version", N_OTHER),
    # An individual or a team nominated (awards.nominee_views): the department and the
    # secretariat read; the department edits; the secretariat erases.
    R("awards:nominee", "own", "pk=nomination_person", allow(ED, SEC), post=allow(ED, ok=INVALID), shows="nomination_person"),
    R("awards:nominee_export", "own", "pk=nomination_person", allow(ED, SEC)),
    R("awards:nominee_erase", "own", "pk=nomination_person", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    R("awards:nomination_withdraw", "own", "pk=nomination_own", allow(ED), post=allow(ED, ok=REDIRECT), shows="nomination_own"),
    R("awards:nomination_withdraw", "other", "pk=nomination_other", allow(ED2), post=allow(ED2, ok=REDIRECT), shows="nomination_other"),
    R("awards:nomination_withdraw", "draft", "pk=nomination_draft", allow(ED), post=allow(ED, ok=REDIRECT), shows="nomination_draft"),
    # --- awards: competent authorities and the secretariat --------------------------------
    R("awards:recommendations", "-", "", allow(OFF, OFF2)),
    # the open edition's recommendation stage has not begun: the POST is refused on the page
    R("awards:recommendation_edit", "-", "edition_pk=open_edition", allow(OFF, OFF2), post=allow(OFF, OFF2, ok=OK)),
    R("awards:nomination_return", "own", "pk=nomination_own", allow(OFF, ok=METHOD), post=allow(OFF, ok=REDIRECT)),
    R("awards:nomination_return", "other", "pk=nomination_other", allow(OFF2, ok=METHOD), post=allow(OFF2, ok=REDIRECT)),
    R("awards:nomination_return", "draft", "pk=nomination_draft", allow(ok=METHOD), post=allow()),
    R("awards:eligibility_list", "-", "", allow(SEC)),
    R("awards:eligibility_mark", "own", "pk=nomination_own", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("awards:category_rubric", "-", "pk=category", allow(SEC)),
    # The rubric editor: an empty POST is a save of nothing, refused with the form (400/409).
    R("awards:config_rubric", "-", "pk=edition category_pk=category", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:config_category_add", "-", "pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("awards:config_category_edit", "-", "pk=edition category_pk=category", allow(SEC), post=allow(SEC, ok=INVALID)),
    # --- scoring: panels, conflicts, assignment (the secretariat) --------------------------
    R("scoring:review_editions", "-", "", allow(SEC)),
    # Each page is read with GET; each of its forms posts to a view of its own. An empty
    # form is shown again with its errors (OK); a member's or conflict's action redirects.
    R("scoring:panel", "-", "category_pk=category", allow(SEC), post=allow(SEC, ok=METHOD)),
    R("scoring:panel_member_add", "-", "category_pk=category", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:panel_invite", "-", "category_pk=category", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:panel_chair", "-", "category_pk=category member_pk=panel_member", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:panel_member_remove", "-", "category_pk=category member_pk=panel_member", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:panel_invitation_withdraw", "-", "category_pk=category member_pk=panel_member", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:panel_invitation_resend", "-", "category_pk=category member_pk=panel_member", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:panel_member_areas", "-", "category_pk=category member_pk=panel_member", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:expertise", "-", "pk=scheme", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("scoring:expertise_area_edit", "-", "pk=scheme area_pk=area", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    R("scoring:expertise_area_delete", "-", "pk=scheme area_pk=area", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:expertise_agency_area", "-", "pk=scheme", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    R("scoring:conflicts", "-", "edition_pk=edition", allow(SEC), post=allow(SEC, ok=METHOD)),
    R("scoring:conflict_add", "-", "edition_pk=edition", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:conflict_remove", "-", "edition_pk=edition conflict_pk=conflict", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:assignments", "-", "stage_pk=written category_pk=category", allow(SEC), post=allow(SEC, ok=METHOD)),
    R("scoring:assignments_auto", "-", "stage_pk=written category_pk=category", allow(SEC, ok=METHOD), post=allow(SEC, ok=REDIRECT)),
    R("scoring:assignment_create", "-", "stage_pk=written category_pk=category", allow(SEC, ok=METHOD), post=allow(SEC), data="nomination=nomination_own"),
    R("scoring:assignment_withdraw", "own", "stage_pk=written category_pk=category assignment_pk=assignment_own", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:assignments_reassign", "-", "stage_pk=written category_pk=category", allow(SEC, ok=METHOD), post=allow(SEC)),
    R("scoring:progress", "-", "stage_pk=written category_pk=category", allow(SEC)),
    # Remind laggards: GET asks to confirm; POST sends (the scored cycle's reviews are all
    # submitted, so the group is empty: refused with a message, back to the progress page).
    R("scoring:progress_remind", "-", "stage_pk=written category_pk=category", allow(SEC), post=allow(SEC, ok=REDIRECT)),
    # --- scoring: reviewers ----------------------------------------------------------------
    R("scoring:my_reviews", "-", "", allow(REV0, REVC, REV, CHAIR, SITE)),
    R("scoring:my_areas", "-", "", allow(REV0, REVC, REV, CHAIR, SITE), post=allow(REV0, REVC, REV, CHAIR, SITE, ok=INVALID)),
    R("scoring:invitation", "own", "member_pk=panel_member", allow(REV), post=allow(REV, ok=INVALID)),
    R("scoring:review_recuse", "own", "assignment_pk=assignment_own", allow(REV), post=allow(REV, ok=INVALID), shows="assignment_own.nomination"),
    R("scoring:review_recuse", "conflicted", "assignment_pk=assignment_conflicted", allow(), post=allow()),
    R("scoring:declare", "-", "edition_pk=edition", allow(REVC, REV, CHAIR, SITE), post=allow(REVC, REV, CHAIR, SITE, ok=INVALID)),
    # An empty POST (no version) is refused with the form kept (400); after the stage
    # closed the page is hidden from the reviewer but their save is shown back (409).
    R("scoring:review", "own", "assignment_pk=assignment_own", allow(REV) | as_secretariat(REDIRECT), post=allow(REV, ok=INVALID) | as_secretariat(REDIRECT), shows="assignment_own.nomination"),
    R("scoring:review", "conflicted", "assignment_pk=assignment_conflicted", allow() | as_secretariat(REDIRECT), post=allow() | as_secretariat(REDIRECT)),
    R("scoring:review", "site", "assignment_pk=assignment_site", allow(SITE) | as_secretariat(REDIRECT), post=allow(SITE, ok=INVALID) | as_secretariat(REDIRECT), shows="assignment_site.nomination"),
    R("scoring:review", "closed", "assignment_pk=assignment_closed", allow() | as_secretariat(REDIRECT), post=allow(REV, ok=INVALID) | as_secretariat(REDIRECT), shows="assignment_closed.nomination"),
    R("scoring:review_pdf", "own", "assignment_pk=assignment_own", allow(REV, SEC)),
    R("scoring:review_pdf", "conflicted", "assignment_pk=assignment_conflicted", allow(SEC)),
    R("scoring:review_pdf", "site", "assignment_pk=assignment_site", allow(SITE, SEC)),
    R("scoring:review_attachment", "own", "assignment_pk=assignment_own attachment_id=attachment_own", allow(REV, SEC)),
    R("scoring:review_attachment", "conflicted", "assignment_pk=assignment_conflicted attachment_id=attachment_own", allow(SEC)),
    R("scoring:review_attachment", "site", "assignment_pk=assignment_site attachment_id=attachment_own", allow(SITE, SEC)),
    R("scoring:site_test_add", "own", "assignment_pk=assignment_own", allow(ok=METHOD), post=allow()),
    R("scoring:site_test_add", "site", "assignment_pk=assignment_site", allow(SITE, ok=METHOD), post=allow(SITE, ok=INVALID)),
    R("scoring:site_test_remove", "site", "assignment_pk=assignment_site test_pk=site_test", allow(SITE, ok=METHOD), post=allow(SITE, ok=REDIRECT)),
    R("scoring:site_test_evidence", "site", "assignment_pk=assignment_site evidence_pk=evidence", allow(SITE, SEC)),
    R("scoring:review_detail", "own", "assignment_pk=assignment_own", allow(SEC), shows="assignment_own.nomination"),
    R("scoring:review_reopen", "own", "assignment_pk=assignment_own", allow(SEC, ok=METHOD), post=allow(SEC, ok=INVALID)),
    # --- scoring: standings, ties, final standings -----------------------------------------
    R("scoring:standings", "-", "stage_pk=written category_pk=category", allow(SEC), post=allow(SEC)),
    R("scoring:standings_detail", "own", "stage_pk=written category_pk=category nomination_pk=nomination_own", allow(SEC), shows="nomination_own"),
    R("scoring:ties", "-", "stage_pk=written category_pk=category", allow(SEC, CHAIR), post=allow(SEC, CHAIR)),
    R("scoring:final_standings", "-", "edition_pk=edition category_pk=category", allow(SEC)),
    # The review policy page: an empty POST carries no fingerprint, refused as stale (409).
    R("scoring:config_review_policy", "-", "pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    # --- surveys: the telephone poll -------------------------------------------------------
    R("surveys:poll_list", "-", "", signed_in(OK)),
    R("surveys:poll_detail", "fieldwork", "pk=poll_fieldwork", allow(IV, SEC)),
    R("surveys:poll_detail", "published", "pk=poll_published", signed_in(OK)),
    R("surveys:poll_status", "fieldwork", "pk=poll_fieldwork", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("surveys:config_poll_new", "-", "", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("surveys:config_poll", "fieldwork", "pk=poll_fieldwork", allow(SEC)),
    R("surveys:config_poll_settings", "fieldwork", "pk=poll_fieldwork", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("surveys:config_poll_strata", "fieldwork", "pk=poll_fieldwork", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("surveys:config_poll_candidates", "fieldwork", "pk=poll_fieldwork", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("surveys:config_poll_interviewers", "fieldwork", "pk=poll_fieldwork", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("surveys:fieldwork", "fieldwork", "pk=poll_fieldwork", allow(SEC)),
    R("surveys:call_next", "fieldwork", "pk=poll_fieldwork", allow(IV), post=allow(IV, ok=REDIRECT)),
    R("surveys:call_next", "published", "pk=poll_published", allow(), post=allow()),
    R("surveys:call_household", "held", "pk=poll_fieldwork household_pk=household_held", allow(IV), post=allow(IV)),
    R("surveys:call_household", "free", "pk=poll_fieldwork household_pk=household_free", allow(), post=allow()),
    R("surveys:call_release", "held", "pk=poll_fieldwork household_pk=household_held", everyone(METHOD), post=allow(IV, ok=REDIRECT)),
    R("surveys:call_release", "free", "pk=poll_fieldwork household_pk=household_free", everyone(METHOD), post=allow()),
    R("surveys:my_calls", "fieldwork", "pk=poll_fieldwork", allow(IV)),
    R("surveys:my_calls", "published", "pk=poll_published", allow()),
    R("surveys:import_new", "fieldwork", "pk=poll_fieldwork", allow(SEC), post=allow(SEC)),
    R("surveys:import_detail", "fieldwork", "pk=poll_fieldwork import_pk=poll_import", allow(SEC), post=allow(SEC)),
    R("surveys:import_errors_csv", "fieldwork", "pk=poll_fieldwork import_pk=poll_import", allow(SEC)),
    R("surveys:tally", "published", "pk=poll_published", allow(SEC), post=allow(SEC, ok=REDIRECT)),
    R("surveys:tally_run", "published", "pk=poll_published run_pk=run_published", allow(SEC)),
    R("surveys:publish", "published", "pk=poll_published", everyone(METHOD), post=allow(SEC, ok=REDIRECT), data="run=run_published"),
    R("surveys:results", "fieldwork", "pk=poll_fieldwork", allow()),
    R("surveys:results", "published", "pk=poll_published", signed_in(OK)),
    R("surveys:results_csv", "fieldwork", "pk=poll_fieldwork", allow()),
    R("surveys:results_csv", "published", "pk=poll_published", signed_in(OK)),
    R("surveys:suggestions", "published", "pk=poll_published", allow(SEC)),
    R("surveys:suggestions_xlsx", "published", "pk=poll_published", allow(SEC)),
    # --- results: compile, approve, publish, export, revoke (staff) -------------------------
    R("results:editions", "-", "", allow(SEC, APPR)),
    R("results:edition", "-", "edition_pk=edition", allow(SEC, APPR)),
    R("results:compile", "-", "edition_pk=edition", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:job", "-", "job_pk=compile_job", allow(SEC, APPR, ok=REDIRECT)),
    R("results:job_file", "-", "job_pk=workbook_job", allow(SEC)),
    R("results:job_zip", "-", "job_pk=certificates_job", allow(SEC)),
    R("results:version", "-", "version_pk=version", allow(SEC, APPR)),
    R("results:version", "embargoed", "version_pk=version_embargoed", allow(SEC, APPR)),
    R("results:version_submit", "-", "version_pk=version", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:version_approve", "-", "version_pk=version", everyone(METHOD), post=allow(APPR, ok=INVALID)),
    R("results:version_return", "-", "version_pk=version", everyone(METHOD), post=allow(APPR, ok=INVALID)),
    R("results:version_schedule", "-", "version_pk=version", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:workbook", "-", "version_pk=version", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:certificates", "-", "version_pk=version", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    # An approved version's decision sensitivity is frozen: the secretariat's POST is refused (400).
    R("results:sensitivity", "-", "version_pk=version", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:award_revoke", "own", "award_pk=award_own", allow(SEC), post=allow(SEC, ok=INVALID), shows="award_own"),
    # --- results: award rules, levels and special awards (the secretariat's configuration) ----
    R("results:config_award_rules", "-", "edition_pk=open_edition", allow(SEC)),
    R("results:config_award_rule_save", "-", "edition_pk=open_edition category_pk=open_category", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:config_award_rule_delete", "-", "edition_pk=open_edition category_pk=open_category", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:config_award_selection_add", "-", "edition_pk=open_edition category_pk=open_category", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:config_award_selection_delete", "-", "edition_pk=open_edition selection_pk=award_selection", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:config_award_level_add", "-", "edition_pk=open_edition", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:config_award_level_save", "-", "edition_pk=open_edition level_pk=award_level", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:config_award_level_delete", "-", "edition_pk=open_edition level_pk=award_level", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:award_summary", "own", "award_pk=award_own", allow(SEC), post=allow(SEC, ok=INVALID), shows="award_own"),
    # --- results: certificate templates (the secretariat) ----------------------------------
    R("results:certificate_schemes", "-", "", allow(SEC)),
    R("results:certificate_templates", "-", "scheme_pk=scheme", allow(SEC)),
    R("results:certificate_template_new", "-", "scheme_pk=scheme", allow(SEC), post=allow(SEC)),
    R("results:certificate_template_use_default", "-", "scheme_pk=scheme", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:certificate_preview_pdf", "-", "scheme_pk=scheme", allow(SEC)),
    R("results:certificate_preview_html", "-", "scheme_pk=scheme", allow(SEC)),
    R("results:certificate_template", "-", "pk=certificate_template", allow(SEC), post=allow(SEC)),
    R("results:certificate_template_activate", "-", "pk=certificate_template", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    # --- results: an agency's certificate, public pages, my awards ---------------------------
    R("results:award_certificate", "own", "pk=award_own", allow(ED, OFF, APPR, SEC)),
    R("results:award_certificate", "other", "pk=award_other", allow(ED2, OFF2, APPR, SEC)),
    R("results:award_certificate", "embargoed", "pk=award_embargoed", allow(APPR, SEC)),
    R("results:verify", "-", "", everyone(OK)),
    R("results:verify_serial", "own", "serial=award_own.serial", everyone(OK), shows="award_own", shows_others=True),
    R("results:verify_serial", "embargoed", "serial=award_embargoed.serial", everyone(NOT_FOUND)),
    R("results:public_list", "-", "", everyone(OK), hides="open_edition"),
    R("results:history", "-", "scheme_code=scheme.code", everyone(OK), hides="open_edition"),
    R("results:public_edition", "-", "scheme_code=scheme.code number=edition.number", everyone(OK), shows_others=True),
    R("results:public_edition", "embargoed", "scheme_code=scheme.code number=open_edition.number", everyone(NOT_FOUND)),
    R("results:my_awards", "-", "", signed_in(OK), hides="award_embargoed"),
    # --- results: feedback reports and appeals (申覆), issue 17 ------------------------------
    R("results:feedback_list", "-", "edition_pk=edition", allow(SEC)),
    R("results:feedback_prefill", "-", "edition_pk=edition", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:feedback_release_all", "-", "edition_pk=edition", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:feedback_report", "own", "report_pk=feedback_own", allow(ED, OFF, SEC)),
    R("results:feedback_report", "other", "report_pk=feedback_other", allow(ED2, OFF2, SEC)),
    R("results:feedback_report", "draft", "report_pk=feedback_draft", allow(SEC)),
    R("results:feedback_pdf", "own", "report_pk=feedback_own", allow(ED, OFF, SEC)),
    R("results:feedback_pdf", "draft", "report_pk=feedback_draft", allow(SEC)),
    R("results:feedback_edit", "draft", "report_pk=feedback_draft", allow(SEC), post=allow(SEC, ok=REDIRECT)),
    R("results:feedback_edit", "released", "report_pk=feedback_own", allow(SEC, ok=REDIRECT), post=allow(SEC, ok=REDIRECT)),
    R("results:feedback_release", "draft", "report_pk=feedback_draft", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:feedback_withdraw", "draft", "report_pk=feedback_draft", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:my_feedback", "-", "", allow(ED, ED2, OFF, OFF2)),
    R("results:appeal_list", "-", "edition_pk=edition", allow(SEC, APPR)),
    R("results:appeal_window", "-", "edition_pk=edition", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:appeal_file", "own", "nomination_pk=nomination_own", allow(ED, ok=REDIRECT), post=allow(ED, ok=INVALID)),
    R("results:appeal_file", "other", "nomination_pk=nomination_other", allow(ED2, ok=REDIRECT), post=allow(ED2, ok=INVALID)),
    R("results:appeal_detail", "own", "appeal_pk=appeal_own", allow(ED, OFF, APPR, SEC)),
    R("results:appeal_detail", "other", "appeal_pk=appeal_other", allow(ED2, OFF2, APPR, SEC)),
    R("results:appeal_decide", "own", "appeal_pk=appeal_own", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:appeal_attachment", "own", "attachment_pk=appeal_attachment_own", allow(ED, OFF, APPR, SEC)),
    # --- the JSON API (api/): schema, docs, one's tokens, then the v1 endpoints -----------
    R("api:schema", "-", "", everyone(OK)),
    R("api:docs", "-", "", everyone(OK)),
    # An empty name is refused beside the field (400); revoking is the owner's, by POST.
    R("api:tokens", "-", "", signed_in(OK), post=signed_in(INVALID)),
    R("api:token_revoke", "own", "pk=api_token_own", everyone(METHOD), post=allow(ED, ok=REDIRECT)),
    R("api:schemes", "-", "", everyone(OK), shows_others=True, hides="open_edition"),
    R("api:history", "-", "scheme_code=scheme.code", everyone(OK), hides="open_edition"),
    R("api:edition", "-", "scheme_code=scheme.code number=edition.number", everyone(OK), shows_others=True),
    R("api:edition", "embargoed", "scheme_code=scheme.code number=open_edition.number", everyone(NOT_FOUND)),
    R("api:certificate", "own", "serial=award_own.serial", everyone(OK), shows="award_own", shows_others=True),
    R("api:certificate", "embargoed", "serial=award_embargoed.serial", everyone(NOT_FOUND)),
    R("api:nominations", "-", "", signed_in(OK, anon=UNAUTH)),
    R("api:nomination", "own", "pk=nomination_own", N_OWN | {ANON: UNAUTH}, shows="nomination_own"),
    R("api:nomination", "other", "pk=nomination_other", N_OTHER | {ANON: UNAUTH}, shows="nomination_other"),
    R("api:nomination", "draft", "pk=nomination_draft", N_DRAFT | {ANON: UNAUTH}, shows="nomination_draft"),
    # A released feedback report, to its agency's people and the secretariat; a draft to no one.
    R("api:nomination_feedback", "own", "pk=nomination_own", allow(ED, OFF, SEC, anon=UNAUTH)),
    R("api:nomination_feedback", "other", "pk=nomination_other", allow(ED2, OFF2, SEC, anon=UNAUTH)),
    R("api:nomination_feedback", "draft", "pk=feedback_draft.nomination_id", allow(anon=UNAUTH)),
    R("api:standings", "-", "stage_pk=written category_pk=category", allow(SEC, anon=UNAUTH)),
    R("api:final_standings", "-", "edition_pk=edition category_pk=category", allow(SEC, anon=UNAUTH)),
    R("api:exports", "-", "", allow(SEC, anon=UNAUTH)),
    R("api:export_file", "-", "pk=workbook_job", allow(SEC, anon=UNAUTH)),
    R("api:export_archive", "-", "pk=certificates_job", allow(SEC, anon=UNAUTH)),
    # --- results: the programme after the awards (docs/programme.md) ----------------------
    R("results:programme_events", "-", "edition_pk=edition", allow(SEC)),
    R("results:programme_event_new", "-", "edition_pk=edition", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("results:programme_event", "-", "event_pk=programme_event", allow(SEC)),
    R("results:programme_event_edit", "-", "event_pk=programme_event", allow(SEC), post=allow(SEC, ok=INVALID)),
    R("results:programme_ask", "-", "event_pk=programme_event", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    R("results:programme_attendance", "-", "event_pk=programme_event", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:programme_visitors", "-", "event_pk=programme_event", everyone(METHOD), post=allow(SEC, ok=INVALID)),
    # civil servants of any agency register; this agency's editor is registered already (400)
    R("results:programme_register", "-", "event_pk=programme_event", everyone(METHOD), post=allow(ED, ED2, OFF, OFF2, ok=REDIRECT) | {ED: INVALID}),
    R("results:obligation_action", "own confirm", "obligation_pk=obligation_own action=#confirm", everyone(METHOD), post=allow(ED, OFF, ok=REDIRECT)),
    R("results:obligation_action", "other confirm", "obligation_pk=obligation_other action=#confirm", everyone(METHOD), post=allow(ED2, OFF2, ok=REDIRECT)),
    R("results:obligation_action", "own miss", "obligation_pk=obligation_own action=#miss", everyone(METHOD), post=allow(SEC, ok=REDIRECT)),
    R("results:registration_cancel", "own", "registration_pk=registration_own", everyone(METHOD), post=allow(ED, ok=REDIRECT)),
    R("results:my_programme", "-", "", allow(ED, ED2, OFF, OFF2)),
    R("results:public_programme", "-", "scheme_code=scheme.code number=edition.number", everyone(OK)),
    R("results:public_programme", "embargoed", "scheme_code=scheme.code number=open_edition.number", everyone(NOT_FOUND)),
    R("results:programme_ics", "-", "scheme_code=scheme.code number=edition.number", everyone(OK)),
    R("results:programme_ics", "embargoed", "scheme_code=scheme.code number=open_edition.number", everyone(NOT_FOUND)),
    R("results:agency_ics", "own", "scheme_code=scheme.code number=edition.number agency_code=agency.code", everyone(OK)),
    R("results:agency_ics", "embargoed", "scheme_code=scheme.code number=open_edition.number agency_code=agency.code", everyone(NOT_FOUND)),
]
# fmt: on

# The Django admin is covered by its own, smaller table (test_admin_refuses_non_staff):
# (admin URL name, kwargs, {persona: outcome}); STAFF_SEC is a secretariat user with
# is_staff set (as the demo's). The admin asks Django's permissions (has_perm), not the
# rules predicates: a superuser (SU, is_staff) sees everything there, a staff secretariat
# user no model it holds no admin permission for (the rules permissions are named see_*,
# so none collides with a model permission the admin asks for).
STAFF_SEC = "staff_secretariat"
ADMIN_PERSONAS = (*PERSONAS, STAFF_SEC)
_ADMIN_DEFAULT = dict.fromkeys(ADMIN_PERSONAS, ADMIN_LOGIN)
ADMIN_ROWS = [
    ("admin:index", "", _ADMIN_DEFAULT | {STAFF_SEC: OK, SU: OK}),
    ("admin:awards_nomination_changelist", "", _ADMIN_DEFAULT | {STAFF_SEC: FORBIDDEN, SU: OK}),
    ("admin:surveys_poll_changelist", "", _ADMIN_DEFAULT | {STAFF_SEC: FORBIDDEN, SU: OK}),
    ("admin:agencies_user_changelist", "", _ADMIN_DEFAULT | {STAFF_SEC: FORBIDDEN, SU: OK}),
]

# --- known issues: the code disagrees with the table --------------------------------------
# (url name, variant, method, persona) -> (what the code does now, why it is wrong).
# The matrix passes while the code does exactly this, and fails once it is fixed, so that
# the entry is removed and the table's own expectation is checked from then on.
# What the code does now is an outcome, or an outcome and the content problem the test
# reports ("OK but names open_edition").
# Fixed on main and removed (issue 11): the history page naming an unpublished edition,
# the site assessor's empty review POST (500, now 400), the staff secretariat user in the
# admin's nomination and poll change lists (rules permissions renamed see_*).
KNOWN_ISSUES: dict[tuple[str, str, str, str], tuple[str, str]] = {}


def known(name, variant, method, personas, now, why):
    for persona in personas:
        KNOWN_ISSUES[name, variant, method, persona] = (now, why)


# Filled by the test run, printed by tests/conftest.py's pytest_terminal_summary.
SUMMARY: dict[str, object] = {}
