"""The agency editor's pages: what the owner sees and may do, what another role sees
(the competent-authority officer: read-only and only once submitted; the reviewer:
nothing), and what an outsider gets (another agency's editor: 404; signed out: the
sign-in page). Every refused write is checked to change nothing."""

import datetime
import hashlib
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from agencies.enums import Role
from awards.enums import NominationState as S
from awards.enums import StageKind
from awards.models import Attachment, DossierSection, Nomination, SectionRevision, Stage, Submission
from awards.services import (
    attachment_add,
    nomination_return,
    nomination_start,
    nomination_submit,
    section_save,
)
from tests.factories import (
    AgencyFactory,
    CategoryFactory,
    UserFactory,
    closed_text,
    during,
    fill_dossier,
    open_cycle,
)

pytestmark = pytest.mark.django_db

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
EXE = b"MZ\x90\x00" + b"\x00" * 100


@pytest.fixture
def cycle():
    return open_cycle()


def client_for(user, lang="en"):
    client = Client()
    client.cookies["lang"] = lang
    if user is not None:
        client.force_login(user)
    return client


def start(cycle, agency=None, user=None):
    return nomination_start(
        actor=user or cycle.editor, agency=agency or cycle.agency, category=cycle.category
    )


def submitted(cycle):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    return nomination


def first_section(nomination):
    return nomination.sections.order_by("order").first()


def text(response):
    return response.content.decode()


def streamed(response):
    # Consuming the stream closes the response (the test client wraps it). Closing it again
    # would fire request_finished and close the database connection under the test.
    return b"".join(response.streaming_content)


def login_redirect(url):
    return f"/accounts/login/?next={quote(url)}"


def close_nomination_stage(cycle):
    past = cycle.today - datetime.timedelta(days=1)
    Stage.objects.filter(edition=cycle.edition, kind=StageKind.NOMINATION).update(
        starts_on=past - datetime.timedelta(days=20), ends_on=past
    )
    Stage.objects.filter(edition=cycle.edition, kind=StageKind.RECOMMENDATION).update(
        starts_on=past, ends_on=past
    )
    return past


def snapshot(nomination):
    """What a refused write must leave untouched."""
    nomination.refresh_from_db()
    return (
        nomination.state,
        list(nomination.sections.order_by("order").values_list("body", "version")),
        list(nomination.attachments.values_list("pk", flat=True)),
        nomination.submissions.count(),
        SectionRevision.objects.filter(section__nomination=nomination).count(),
    )


# --- who may see what (every view, three personas and more) ------------------------------


def get_views(nomination, attachment):
    return {
        "dossier": reverse("awards:dossier", args=[nomination.pk]),
        "preview": reverse("awards:dossier_preview", args=[nomination.pk]),
        "download": reverse("awards:attachment_download", args=[nomination.pk, attachment.pk]),
        "withdraw": reverse("awards:nomination_withdraw", args=[nomination.pk]),
    }


# Expected status per persona: (draft, submitted). The officer sees only once submitted,
# and never the editor-only withdraw page.
ACCESS = {
    "editor": ({"*": 200}, {"*": 200}),
    "editor2": ({"*": 200}, {"*": 200}),
    "officer": ({"*": 404}, {"*": 200, "withdraw": 404}),
    "secretariat": ({"*": 200, "withdraw": 404}, {"*": 200, "withdraw": 404}),
    "other_officer": ({"*": 404}, {"*": 404}),
    "other_editor": ({"*": 404}, {"*": 404}),
    "reviewer": ({"*": 404}, {"*": 404}),
}


@pytest.mark.parametrize("persona", list(ACCESS))
def test_who_may_open_each_page_of_a_draft_and_of_a_submitted_dossier(cycle, persona):
    nomination = start(cycle)
    attachment = attachment_add(
        actor=cycle.editor,
        nomination=nomination,
        upload=SimpleUploadedFile("照片.png", PNG, content_type="image/png"),
    )
    client = client_for(getattr(cycle, persona))
    for phase, expected in zip(("draft", "submitted"), ACCESS[persona], strict=True):
        if phase == "submitted":
            fill_dossier(nomination, cycle.editor)
            nomination_submit(actor=cycle.editor, nomination=nomination)
        urls = get_views(nomination, attachment)
        if phase == "submitted":
            urls["pdf"] = reverse("awards:submission_pdf", args=[nomination.pk, 1])
        got = {}
        for name, url in urls.items():
            response = client.get(url)
            got[name] = response.status_code
            if hasattr(response, "streaming_content"):
                streamed(response)
        assert got == {name: expected.get(name, expected["*"]) for name in urls}, phase


def test_signed_out_visitors_are_sent_to_sign_in_from_every_page(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(None)
    urls = [
        reverse("awards:nomination_list"),
        reverse("awards:nomination_start"),
        reverse("awards:dossier", args=[nomination.pk]),
        reverse("awards:dossier_preview", args=[nomination.pk]),
        reverse("awards:attachment_download", args=[nomination.pk, 1]),
        reverse("awards:submission_pdf", args=[nomination.pk, 1]),
        reverse("awards:nomination_withdraw", args=[nomination.pk]),
    ]
    for url in urls:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, login_redirect(url))
    posts = [
        reverse("awards:section_save", args=[nomination.pk, section.pk]),
        reverse("awards:attachment_upload", args=[nomination.pk]),
        reverse("awards:attachment_delete", args=[nomination.pk, 1]),
        reverse("awards:dossier_submit", args=[nomination.pk]),
    ]
    before = snapshot(nomination)
    for url in posts:
        response = client.post(url, {"body": "x", "version": 0})
        assert (response.status_code, response.url) == (302, login_redirect(url))
    assert snapshot(nomination) == before


def test_a_missing_nomination_is_404(cycle):
    client = client_for(cycle.editor)
    assert client.get(reverse("awards:dossier", args=[999999])).status_code == 404


# --- nomination list -------------------------------------------------------------------------


def test_nomination_list_shows_the_editors_nominations_and_the_open_categories(cycle):
    nomination = start(cycle)
    section_save(
        actor=cycle.editor2, section=first_section(nomination), body="簡介", based_on_version=0
    )
    theirs = start(cycle, agency=cycle.other_agency, user=cycle.other_editor)
    response = client_for(cycle.editor).get(reverse("awards:nomination_list"))
    assert response.status_code == 200
    html = text(response)
    deadline = cycle.day(10).isoformat()
    assert f'href="/cycle/nominations/{nomination.pk}/">Service planning agencies</a>' in html
    assert f"/cycle/nominations/{theirs.pk}/" not in html
    assert '<span class="badge state-draft">Draft</span>' in html
    assert f'{deadline} <span class="cell-note">end of day, Taipei time</span>' in html
    assert "10 days left" in html
    section = first_section(nomination)
    local = section.updated_at.astimezone(cycle.edition.tzinfo)
    assert local.strftime("%Y-%m-%d %H:%M") in html
    # The open edition, its category with the rubric total, and a link to the existing one.
    assert f"Nominations open {cycle.day(-5).isoformat()} to {deadline} (Taipei time)" in html
    assert "rubric of 1000 points" in html
    assert f"Dossier of {cycle.agency.name_en}" in html
    # One nomination per agency in this category: no second start offered.
    assert f'href="/cycle/nominations/start/?category={cycle.category.pk}"' not in html
    other_html = text(client_for(cycle.other_editor).get(reverse("awards:nomination_list")))
    assert f'href="/cycle/nominations/start/?category={cycle.category.pk}"' not in other_html
    fresh = UserFactory(roles=[(Role.AGENCY_EDITOR, AgencyFactory(parent=cycle.authority))])
    fresh_html = text(client_for(fresh).get(reverse("awards:nomination_list")))
    assert f'href="/cycle/nominations/start/?category={cycle.category.pk}"' in fresh_html


def test_nomination_list_empty_states(cycle):
    Stage.objects.filter(edition=cycle.edition).delete()
    html = text(client_for(cycle.editor).get(reverse("awards:nomination_list")))
    assert "Your agency has no nominations yet." in html
    assert "No edition is open for nomination today." in html


@pytest.mark.parametrize("persona", ["officer", "secretariat", "reviewer"])
def test_nomination_list_and_start_are_for_agency_editors_only(cycle, persona):
    client = client_for(getattr(cycle, persona))
    assert client.get(reverse("awards:nomination_list")).status_code == 404
    assert client.get(reverse("awards:nomination_start")).status_code == 404
    response = client.post(
        reverse("awards:nomination_start"),
        {"category": cycle.category.pk, "agency": cycle.agency.pk},
    )
    assert response.status_code == 404
    assert not Nomination.objects.exists()


@pytest.mark.parametrize("count", [2, 20])
def test_nomination_list_query_count_does_not_grow(cycle, count, django_assert_num_queries):
    cycle.category.nominations_per_agency = 50
    cycle.category.save()
    for _ in range(count):
        nomination = start(cycle)
        section_save(
            actor=cycle.editor, section=first_section(nomination), body="文", based_on_version=0
        )
    client = client_for(cycle.editor)
    with django_assert_num_queries(8):
        response = client.get(reverse("awards:nomination_list"))
    assert text(response).count('class="badge state-draft"') == count


# --- starting a nomination -----------------------------------------------------------------


def test_start_page_lists_open_categories_with_rubric_totals(cycle):
    closed = open_cycle(nomination=(-30, -1))
    response = client_for(cycle.editor).get(
        reverse("awards:nomination_start") + f"?category={cycle.category.pk}"
    )
    html = text(response)
    assert response.status_code == 200
    assert (
        f'<input type="radio" name="category" id="category-{cycle.category.pk}" '
        f'value="{cycle.category.pk}" checked required>'
    ) in html
    assert "Service planning agency · rubric of 1000 points" in html
    assert f'id="category-{closed.category.pk}"' not in html
    # One agency: no select, the agency is named.
    assert '<select name="agency"' not in html
    assert f"Nominating agency: <strong>{cycle.agency.name_en}</strong>" in html


def test_starting_a_nomination_creates_the_dossier_and_opens_it(cycle):
    response = client_for(cycle.editor).post(
        reverse("awards:nomination_start"),
        {"category": cycle.category.pk, "agency": cycle.agency.pk, "title": "戶政便民"},
    )
    nomination = Nomination.objects.get()
    assert (response.status_code, response.url) == (302, f"/cycle/nominations/{nomination.pk}/")
    assert (nomination.agency, nomination.category, nomination.title, nomination.created_by) == (
        cycle.agency,
        cycle.category,
        "戶政便民",
        cycle.editor,
    )
    assert nomination.sections.count() == 7


def test_start_refusals_show_the_reason_and_create_nothing(cycle):
    start(cycle)
    client = client_for(cycle.editor)
    url = reverse("awards:nomination_start")
    response = client.post(url, {"category": cycle.category.pk, "agency": cycle.agency.pk})
    assert response.status_code == 400
    assert (
        f"{cycle.agency.name_en} already has a nomination in “Service planning agencies”."
    ) in text(response)
    # Another agency's id, and a category whose nomination stage is closed.
    closed = open_cycle(nomination=(-30, -1))
    response = client.post(url, {"category": cycle.category.pk, "agency": cycle.other_agency.pk})
    assert "You are not an editor of that agency." in text(response)
    response = client.post(url, {"category": closed.category.pk, "agency": cycle.agency.pk})
    assert "That category is not open for nomination." in text(response)
    assert Nomination.objects.count() == 1


def test_an_editor_of_two_agencies_chooses_one(cycle):
    second = AgencyFactory(parent=cycle.authority, name_en="Datong District Office")
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agency), (Role.AGENCY_EDITOR, second)])
    client = client_for(editor)
    html = text(client.get(reverse("awards:nomination_start")))
    assert '<select name="agency"' in html
    assert f'<option value="{second.pk}">' in html
    client.post(
        reverse("awards:nomination_start"), {"category": cycle.category.pk, "agency": second.pk}
    )
    assert Nomination.objects.get().agency == second


# --- the dossier page ----------------------------------------------------------------------


def test_the_editor_page_has_a_form_per_section_with_autosave(cycle):
    nomination = start(cycle)
    sections = list(nomination.sections.order_by("order"))
    section_save(
        actor=cycle.editor2, section=sections[0], body="本所𠀀位於中山區", based_on_version=0
    )
    response = client_for(cycle.editor).get(reverse("awards:dossier", args=[nomination.pk]))
    html = text(response)
    assert response.status_code == 200
    assert '<h1>Self-nomination dossier<span class="subtitle">' in html
    assert f"{cycle.agency.name_en} · Service planning agencies" in html
    assert f"{cycle.day(10).isoformat()}, end of day (Taipei time)" in html
    first = sections[0]
    save_url = f"/cycle/nominations/{nomination.pk}/sections/{first.pk}/"
    assert f'<label for="body-{first.pk}">Text of “Agency profile”</label>' in html
    assert f'hx-post="{save_url}"' in html
    assert 'hx-trigger="input changed delay:1500ms, blur"' in html
    assert f'<input type="hidden" name="version" id="version-{first.pk}" value="1">' in html
    assert (
        f'<p class="save-status" id="status-{first.pk}" role="status" aria-live="polite" '
        'data-error-text="Not saved: the server could not be reached. Keep this page open and '
        'press Save.">'
    ) in html
    assert "\n本所𠀀位於中山區</textarea>" in html
    assert "<span data-count>8</span> of 3000 characters" in html
    assert (
        f"Last saved {first.revisions.get().saved_at.astimezone(cycle.edition.tzinfo):%Y-%m-%d %H:%M}"
        in html
    )
    # Focus points of an indicator, the points, the checklist and its links.
    indicator = sections[3]
    assert f'{indicator.heading_en}\n    <span class="points">300 points</span>' in html
    assert f'<a href="#section-{sections[1].pk}">Contact person</a>' in html
    assert html.count("Required: not written yet.") == 5
    assert html.count('<input type="file" name="file"') == 8
    assert "Up to 10 MB per file and 30 MB for the whole dossier (0\xa0bytes used)." in html
    assert '<script src="/static/js/dossier.js" defer></script>' in html
    assert "Withdraw this nomination" in html


def test_a_submitted_dossier_is_read_only_with_its_pdf_and_checksum(cycle):
    nomination = submitted(cycle)
    submission = Submission.objects.get()
    for user in (cycle.editor, cycle.officer):
        html = text(client_for(user).get(reverse("awards:dossier", args=[nomination.pk])))
        assert '<textarea name="body"' not in html
        assert "hx-post" not in html
        assert '<span class="badge state-submitted">Submitted</span>' in html
        assert (
            f'<a href="/cycle/nominations/{nomination.pk}/submissions/1/pdf/">PDF of version 1</a>'
        ) in html
        assert f'<code class="sha">{submission.pdf_sha256}</code>' in html
        assert "<p>機關簡介：本機關推動便民服務，成效良好。</p>" in html
    assert ("Withdraw this nomination" in html) is False  # the officer may not withdraw


def test_a_returned_dossier_shows_the_reason_and_is_editable_again(cycle):
    nomination = submitted(cycle)
    with during(cycle.edition, "recommendation"):
        nomination_return(
            actor=cycle.officer,
            nomination=nomination,
            authority=cycle.authority,
            reason="請補充外部效益的數據。",
        )
        html = text(client_for(cycle.editor).get(reverse("awards:dossier", args=[nomination.pk])))
        assert (
            "<strong>Returned by the competent authority: 請補充外部效益的數據。</strong>" in html
        )
        assert "Correct the dossier and submit it again before the deadline." in html
        assert html.count('<textarea name="body"') == 7
        # Returned dossiers may be corrected until the end of the recommendation stage.
        assert f"{cycle.day(17).isoformat()}, end of day (Taipei time)" in html


def test_after_the_deadline_the_page_says_so_and_offers_no_form(cycle):
    nomination = start(cycle)
    close_nomination_stage(cycle)
    html = text(client_for(cycle.editor).get(reverse("awards:dossier", args=[nomination.pk])))
    assert (f'<div class="message warning">{closed_text(cycle.edition)}</div>') in html
    assert '<textarea name="body"' not in html


@pytest.mark.parametrize("count", [1, 10])
def test_dossier_query_count_does_not_grow_with_attachments(
    cycle, count, django_assert_num_queries
):
    nomination = start(cycle)
    sections = list(nomination.sections.all())
    for i in range(count):
        attachment_add(
            actor=cycle.editor,
            nomination=nomination,
            upload=SimpleUploadedFile(f"附件{i}.png", PNG),
            section=sections[i % 2] if i % 3 else None,
        )
    client = client_for(cycle.editor)
    with django_assert_num_queries(10):  # 10: with the message log (issue 18)
        response = client.get(reverse("awards:dossier", args=[nomination.pk]))
    assert text(response).count("download>附件") == count


# --- saving a section ----------------------------------------------------------------------


def save(client, nomination, section, body, version, htmx=True):
    headers = {"HX-Request": "true"} if htmx else {}
    return client.post(
        reverse("awards:section_save", args=[nomination.pk, section.pk]),
        {"body": body, "version": version},
        headers=headers,
    )


def test_autosave_answers_with_the_status_the_new_version_and_the_checklist_item(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    response = save(client_for(cycle.editor), nomination, section, "本所位於中山區。", 0)
    section.refresh_from_db()
    assert (section.body, section.version, section.updated_by) == (
        "本所位於中山區。",
        1,
        cycle.editor,
    )
    local = section.updated_at.astimezone(cycle.edition.tzinfo)
    html = text(response)
    assert html.startswith(f'<span class="saved">Saved {local:%H:%M}</span>')
    assert (
        f'<input type="hidden" name="version" id="version-{section.pk}" value="1" '
        'hx-swap-oob="true">'
    ) in html
    assert (
        f'<div id="conflict-{section.pk}" class="conflict-slot" hx-swap-oob="true"></div>' in html
    )
    assert f'<li id="check-{section.pk}" class="check-item ok" hx-swap-oob="true">' in html


def test_a_blur_without_changes_writes_nothing(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    save(client, nomination, section, "文字", 0)
    response = save(client, nomination, section, "文字", 1)
    assert "Saved" in text(response)
    section.refresh_from_db()
    assert (section.version, section.revisions.count()) == (1, 1)


def test_the_save_button_works_without_javascript(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    response = save(client, nomination, section, "第一段\r\n\r\n- 甲\r\n- 乙", 0, htmx=False)
    assert (response.status_code, response.url) == (
        302,
        f"/cycle/nominations/{nomination.pk}/#section-{section.pk}",
    )
    section.refresh_from_db()
    assert (section.body, section.version) == ("第一段\n\n- 甲\n- 乙", 1)
    page = text(client.get(response.url))
    local = section.updated_at.astimezone(cycle.edition.tzinfo)
    assert f"Saved “Agency profile” at {local:%H:%M}." in page


def test_a_concurrent_save_is_refused_and_shows_both_texts(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    section_save(actor=cycle.editor2, section=section, body="乙的版本", based_on_version=0)
    section.refresh_from_db()
    theirs_at = section.updated_at.astimezone(cycle.edition.tzinfo)
    message = (
        f"Someone else ({cycle.editor2.full_name}) saved this section at {theirs_at:%H:%M}. "
        "Your text was not saved over theirs; both are kept."
    )
    client = client_for(cycle.editor)
    html = text(save(client, nomination, section, "甲的版本", 0))
    assert html.startswith(
        '<span class="save-error">Not saved: someone else saved this section first '
        "(see above).</span>"
    )
    assert f'<p class="conflict-message">{message}</p>' in html
    assert (
        f'<textarea id="theirs-{section.pk}" class="readout" rows="6" readonly>\n乙的版本</textarea>'
        in html
    )
    assert '<pre class="readout">甲的版本</pre>' in html
    # The next save is based on theirs.
    assert (
        f'<input type="hidden" name="version" id="version-{section.pk}" value="1" '
        'hx-swap-oob="true">'
    ) in html
    section.refresh_from_db()
    assert (section.body, section.version) == ("乙的版本", 1)
    assert list(section.revisions.order_by("id").values_list("body", "accepted")) == [
        ("乙的版本", True),
        ("甲的版本", False),
    ]

    # Without JavaScript: the page again, the typed text still in the box.
    response = save(client, nomination, section, "甲的第二版", 0, htmx=False)
    page = text(response)
    assert response.status_code == 409
    assert f'<li class="message error">{message}</li>' in page
    assert "\n甲的第二版</textarea>" in page
    assert f'<input type="hidden" name="version" id="version-{section.pk}" value="1">' in page
    section.refresh_from_db()
    assert section.body == "乙的版本"


def test_text_over_the_limit_is_saved_as_a_draft_and_says_how_far_over():
    """Nothing typed is lost on a reload: over-limit text is saved, every answer and the
    reloaded page say by how much it is over, and submitting names the section."""
    cycle = open_cycle(section_max_chars=10)
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    too_long = "服務品質獎十一個字超過了"
    over = "Saved, but 2 characters over the limit of 10: shorten it before you submit."
    html = text(save(client, nomination, section, too_long, 0))
    assert html.startswith(f'<span class="save-error over-saved">{over}</span>')
    assert '<span class="cell-note">Too long: 12 of 10 characters.</span>' in html
    section.refresh_from_db()
    assert (section.body, section.version) == (too_long, 1)

    page = text(client.get(reverse("awards:dossier", args=[nomination.pk])))
    assert f"\n{too_long}</textarea>" in page
    assert "<span data-count>12</span> of 10 characters" in page
    assert (
        '<span class="over-note" data-over>(<span data-over-by>2</span> over the limit)</span>'
        in page
    )
    assert f'<span class="save-error over-saved">{over}</span>' in page

    # Without JavaScript: the same text saved, a warning after the redirect.
    one_over = too_long[:11]
    response = save(client, nomination, section, one_over, 1, htmx=False)
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert (
        '<li class="message warning">Agency profile: Saved, but 1 character over the limit '
        "of 10: shorten it before you submit.</li>"
    ) in page
    section.refresh_from_db()
    assert (section.body, section.version) == (one_over, 2)

    response = client.post(reverse("awards:dossier_submit", args=[nomination.pk]))
    assert "<li>“Agency profile”: Too long: 11 of 10 characters.</li>" in text(response)
    assert Nomination.objects.get(pk=nomination.pk).state == S.DRAFT


def test_a_save_after_the_deadline_changes_nothing(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    close_nomination_stage(cycle)
    before = snapshot(nomination)
    html = text(save(client_for(cycle.editor), nomination, section, "太晚了", 0))
    assert html.startswith(f'<span class="save-error">{closed_text(cycle.edition)}</span>')
    assert snapshot(nomination) == before


def test_a_submitted_dossier_cannot_be_saved_into(cycle):
    nomination = submitted(cycle)
    section = first_section(nomination)
    before = snapshot(nomination)
    html = text(save(client_for(cycle.editor), nomination, section, "改一下", section.version))
    assert "This dossier is “Submitted” and cannot be changed." in html
    assert snapshot(nomination) == before


def test_crafted_saves_for_another_agencys_nomination_change_nothing(cycle):
    theirs = start(cycle, agency=cycle.other_agency, user=cycle.other_editor)
    mine = start(cycle)
    their_section = first_section(theirs)
    before = snapshot(theirs)
    for user in (cycle.editor, cycle.officer, cycle.reviewer, cycle.secretariat):
        client = client_for(user)
        assert save(client, theirs, their_section, "入侵", 0).status_code == 404
        # Their section under my nomination's address.
        response = client.post(
            reverse("awards:section_save", args=[mine.pk, their_section.pk]),
            {"body": "入侵", "version": 0},
        )
        assert response.status_code == 404
    assert snapshot(theirs) == before
    assert (
        client_for(cycle.editor)
        .get(reverse("awards:section_save", args=[mine.pk, first_section(mine).pk]))
        .status_code
        == 405
    )


# --- attachments -----------------------------------------------------------------------------


def upload(client, nomination, name, content, section=None):
    data = {"file": SimpleUploadedFile(name, content)}
    if section is not None:
        data["section"] = section.pk
    return client.post(reverse("awards:attachment_upload", args=[nomination.pk]), data)


def test_uploading_keeps_the_chinese_name_and_stores_a_safe_one(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    response = upload(client, nomination, "服務成果照片.png", PNG, section)
    assert response.url == f"/cycle/nominations/{nomination.pk}/#section-{section.pk}-attachments"
    attachment = Attachment.objects.get()
    assert (attachment.original_name, attachment.file_type, attachment.section) == (
        "服務成果照片.png",
        "png",
        section,
    )
    assert re.fullmatch(rf"dossiers/{nomination.pk}/[0-9a-f]{{32}}\.png", attachment.file.name)
    page = text(client.get(response.url))
    assert "Uploaded “服務成果照片.png”." in page
    assert (
        f'<a href="/cycle/nominations/{nomination.pk}/attachments/{attachment.pk}/" download>'
        "服務成果照片.png</a>"
    ) in page
    assert "<td>PNG</td>" in page
    assert '<td class="num">72\xa0bytes</td>' in page


def beside_the_control(response, key):
    """The refusal shown under upload control `key` (a section id or "dossier"), in its
    live region and named by the control's aria-describedby; and the page's top messages."""
    import lxml.html

    tree = lxml.html.fromstring(response.content.decode())
    control = tree.get_element_by_id(f"file-{key}")
    assert control.get("aria-describedby") == f"file-help-{key} file-error-{key}"
    assert (control.get("aria-invalid"), control.get("autofocus")) == ("true", "")
    live = control.xpath("./following-sibling::div[@aria-live='polite']")[0]
    errors = [li.text_content() for li in live.xpath(f"./ul[@id='file-error-{key}']/li")]
    top = [m.text_content().strip() for m in tree.xpath("//*[contains(@class, 'message')]")]
    return errors, top


def test_bad_uploads_are_refused_beside_the_upload_control():
    cycle = open_cycle(attachment_max_mb=1)
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    response = upload(client, nomination, "成果報告.pdf", EXE)
    assert response.status_code == 400
    assert beside_the_control(response, "dossier") == (
        [
            "“成果報告.pdf” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its "
            "content, not its name)."
        ],
        [],
    )
    response = upload(
        client, nomination, "大張照片.png", PNG + b"\x00" * (1024 * 1024 + 10), section
    )
    assert beside_the_control(response, section.pk) == (
        ["“大張照片.png” is 1.0 MB; each file may be at most 1 MB."],
        [],
    )
    response = client.post(reverse("awards:attachment_upload", args=[nomination.pk]), {})
    assert beside_the_control(response, "dossier") == (["Choose a file to upload."], [])
    # A section of another nomination is not a valid choice.
    other = start(cycle, agency=cycle.other_agency, user=cycle.other_editor)
    response = upload(client, nomination, "照片.png", PNG, first_section(other))
    assert beside_the_control(response, "dossier")[0] == [
        "Select a valid choice. That choice is not one of the available choices."
    ]
    assert not Attachment.objects.exists()


def test_a_zip_bomb_named_xlsx_and_a_pdf_named_docx_are_refused_and_nothing_is_stored(cycle):
    from agencies.models import AuditEntry
    from tests import bombs

    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor)
    audits = AuditEntry.objects.count()
    for make in (bombs.ratio_bomb, bombs.entries_bomb, bombs.lying_bomb, bombs.nested_bomb):
        response = upload(client, nomination, "成果統計.xlsx", make(), section)
        errors, top = beside_the_control(response, section.pk)
        assert top == []
        assert errors[0].startswith(
            ("This file was refused: ", "This file is damaged or forged: the sizes")
        ), errors
    response = upload(client, nomination, "成果報告.docx", bombs.PDF)
    assert beside_the_control(response, "dossier") == (
        [
            "“成果報告.docx” is a PDF document but its name ends in .docx. Rename it or choose "
            "the right file."
        ],
        [],
    )
    assert (Attachment.objects.count(), AuditEntry.objects.count()) == (0, audits)
    # The page shown again keeps what the dossier already holds.
    assert "成果報告.docx" not in text(client.get(reverse("awards:dossier", args=[nomination.pk])))

    for name, content, kind in (
        ("成果統計.xlsx", bombs.xlsx([["年度", "件數"], [2015, 120]]), "xlsx"),
        ("服務說明.docx", bombs.docx(embedded=bombs.xlsx([["圖表", 1]])), "docx"),
        ("成果報告.pdf", bombs.PDF, "pdf"),
    ):
        response = upload(client, nomination, name, content, section)
        assert (
            response.url == f"/cycle/nominations/{nomination.pk}/#section-{section.pk}-attachments"
        )
        assert Attachment.objects.get(original_name=name).file_type == kind


def test_upload_after_the_deadline_changes_nothing(cycle):
    nomination = start(cycle)
    close_nomination_stage(cycle)
    client = client_for(cycle.editor)
    response = upload(client, nomination, "照片.png", PNG)
    assert closed_text(cycle.edition) in text(client.get(response.url))
    assert not Attachment.objects.exists()


def test_download_is_the_file_with_its_original_name_and_type(cycle):
    nomination = start(cycle)
    attachment = attachment_add(
        actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile("成果 照片.png", PNG)
    )
    response = client_for(cycle.editor).get(
        reverse("awards:attachment_download", args=[nomination.pk, attachment.pk])
    )
    assert streamed(response) == PNG
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%E6%88%90%E6%9E%9C%20%E7%85%A7%E7%89%87.png"
    )


def test_attachments_cannot_be_reached_through_another_nomination(cycle):
    theirs = start(cycle, agency=cycle.other_agency, user=cycle.other_editor)
    attachment = attachment_add(
        actor=cycle.other_editor, nomination=theirs, upload=SimpleUploadedFile("他們的.png", PNG)
    )
    mine = start(cycle)
    client = client_for(cycle.editor)
    for url in (
        reverse("awards:attachment_download", args=[mine.pk, attachment.pk]),
        reverse("awards:attachment_download", args=[theirs.pk, attachment.pk]),
    ):
        assert client.get(url).status_code == 404
    for nomination in (mine, theirs):
        response = client.post(
            reverse("awards:attachment_delete", args=[nomination.pk, attachment.pk])
        )
        assert response.status_code == 404
    assert upload(client, theirs, "入侵.png", PNG).status_code == 404
    assert list(Attachment.objects.all()) == [attachment]


def test_deleting_an_attachment(cycle):
    nomination = start(cycle)
    attachment = attachment_add(
        actor=cycle.editor, nomination=nomination, upload=SimpleUploadedFile("照片.png", PNG)
    )
    url = reverse("awards:attachment_delete", args=[nomination.pk, attachment.pk])
    for user in (cycle.officer, cycle.reviewer, cycle.other_editor, cycle.secretariat):
        assert client_for(user).post(url).status_code == 404
    assert Attachment.objects.count() == 1
    client = client_for(cycle.editor)
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert "Deleted “照片.png”." in text(client.get(response.url))
    assert not Attachment.objects.exists()


# --- preview ------------------------------------------------------------------------------


def test_preview_renders_paragraphs_and_lists_and_never_raw_html(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    body = (
        '本所<script>alert("x")</script>介紹\n\n- 戶籍登記\n- <b>印鑑</b>證明\n\n1. 第一\n2. 第二'
    )
    section_save(actor=cycle.editor, section=section, body=body, based_on_version=0)
    attachment_add(
        actor=cycle.editor,
        nomination=nomination,
        upload=SimpleUploadedFile("佐證.png", PNG),
        section=section,
    )
    response = client_for(cycle.editor).get(reverse("awards:dossier_preview", args=[nomination.pk]))
    html = text(response)
    assert "<script>alert" not in html
    assert "<b>印鑑</b>" not in html
    assert (
        '<div class="document-body"><p>本所&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;介紹</p>\n'
        "<ul><li>戶籍登記</li><li>&lt;b&gt;印鑑&lt;/b&gt;證明</li></ul>\n"
        "<ol><li>第一</li><li>第二</li></ol></div>"
    ) in html
    assert f'<h2 id="doc-{section.pk}" class="section-heading">Agency profile</h2>' in html
    assert '<span class="points">500 points</span>' in html
    assert html.count('<p class="muted">(Not written)</p>') == 6
    assert '佐證.png</a> <span class="muted">PNG, 72\xa0bytes</span>' in html


# --- submitting ---------------------------------------------------------------------------


def test_an_incomplete_dossier_is_not_submitted_and_each_section_is_named(cycle):
    nomination = start(cycle)
    section_save(
        actor=cycle.editor, section=first_section(nomination), body="簡介", based_on_version=0
    )
    before = snapshot(nomination)
    client = client_for(cycle.editor)
    response = client.post(reverse("awards:dossier_submit", args=[nomination.pk]))
    assert response.status_code == 400
    report = re.search(
        r'<div class="report" role="alert" id="submit-errors">(.*?)</div>', text(response), re.S
    )
    assert re.findall(r"<(?:h2|li)>(.*?)</(?:h2|li)>", report.group(1)) == [
        "The dossier was not submitted",
        "“Contact person”: Required: not written yet.",
        "“Solution / Integrated solution”: Required: not written yet.",
        "“Actual effect / External benefit”: Required: not written yet.",
        "“Actual effect / Internal benefit”: Required: not written yet.",
        "“Actual effect / Cost reasonableness”: Required: not written yet.",
    ]
    # The page is still the editor's page, with the text typed so far.
    assert "\n簡介</textarea>" in text(response)
    assert snapshot(nomination) == before


def test_submitting_twice_leaves_one_submission(cycle):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    client = client_for(cycle.editor)
    other_tab = client_for(cycle.editor2)
    url = reverse("awards:dossier_submit", args=[nomination.pk])
    response = client.post(url)
    assert response.url == f"/cycle/nominations/{nomination.pk}/#submissions"
    page = text(client.get(response.url))
    assert "Submitted as version 1. Its PDF snapshot is listed under “Submissions”." in page
    assert f'href="/cycle/nominations/{nomination.pk}/submissions/1/pdf/"' in page
    before = snapshot(nomination)
    for again in (client, other_tab):
        response = again.post(url)
        assert response.status_code == 400
        assert "<li>This dossier has already been submitted (it is “Submitted”).</li>" in text(
            response
        )
    assert snapshot(nomination) == before
    assert Submission.objects.count() == 1


def test_submitting_after_the_deadline_changes_nothing(cycle):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    close_nomination_stage(cycle)
    before = snapshot(nomination)
    client = client_for(cycle.editor)
    response = client.post(reverse("awards:dossier_submit", args=[nomination.pk]))
    assert (f"<li>{closed_text(cycle.edition)}</li>") in text(response)
    assert snapshot(nomination) == before


def test_only_the_agencys_editors_may_submit(cycle):
    nomination = start(cycle)
    fill_dossier(nomination, cycle.editor)
    before = snapshot(nomination)
    url = reverse("awards:dossier_submit", args=[nomination.pk])
    for user in (cycle.other_editor, cycle.officer, cycle.secretariat, cycle.reviewer):
        assert client_for(user).post(url).status_code == 404
    assert snapshot(nomination) == before
    assert client_for(cycle.editor).get(url).status_code == 405


def test_the_pdf_snapshot_is_served_inline_and_matches_its_checksum(cycle):
    nomination = submitted(cycle)
    submission = Submission.objects.get()
    for user in (cycle.editor, cycle.officer, cycle.secretariat):
        response = client_for(user).get(reverse("awards:submission_pdf", args=[nomination.pk, 1]))
        body = streamed(response)
        assert body.startswith(b"%PDF-")
        assert hashlib.sha256(body).hexdigest() == submission.pdf_sha256
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="dossier-{cycle.agency.code}-v1.pdf"'
        )
    response = client_for(cycle.editor).get(
        reverse("awards:submission_pdf", args=[nomination.pk, 2])
    )
    assert response.status_code == 404


# --- withdrawing ---------------------------------------------------------------------------


def test_withdrawing_with_a_reason(cycle):
    nomination = start(cycle)
    url = reverse("awards:nomination_withdraw", args=[nomination.pk])
    client = client_for(cycle.editor)
    page = text(client.get(url))
    assert "<h1>Withdraw the nomination</h1>" in page
    assert '<textarea name="reason"' in page
    for user in (cycle.other_editor, cycle.officer, cycle.secretariat):
        assert client_for(user).post(url, {"reason": "x"}).status_code == 404
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT
    response = client.post(url, {"reason": "人力不足，今年暫不參獎。"})
    nomination.refresh_from_db()
    assert (nomination.state, nomination.state_reason) == (S.WITHDRAWN, "人力不足，今年暫不參獎。")
    page = text(client.get(response.url))
    assert "The nomination has been withdrawn." in page
    assert "<strong>Withdrawn: 人力不足，今年暫不參獎。</strong>" in page
    assert "Withdraw this nomination" not in page


def test_withdrawing_after_written_review_began_is_refused():
    cycle = open_cycle(nomination=(-20, -10), recommendation=(-9, -5), written_review=(-1, 30))
    category = CategoryFactory(edition=cycle.edition)
    nomination = Nomination.objects.create(
        edition=cycle.edition,
        category=category,
        agency=cycle.agency,
        created_by=cycle.editor,
    )
    client = client_for(cycle.editor)
    response = client.post(reverse("awards:nomination_withdraw", args=[nomination.pk]))
    assert (
        f"Written review began on {cycle.day(-1).isoformat()}; the nomination can no longer "
        "be withdrawn."
    ) in text(client.get(response.url))
    nomination.refresh_from_db()
    assert nomination.state == S.DRAFT


def test_pages_speak_chinese_by_default(cycle):
    nomination = start(cycle)
    section = first_section(nomination)
    client = client_for(cycle.editor, lang="zh-hant")
    html = text(client.get(reverse("awards:dossier", args=[nomination.pk])))
    assert f'<label for="body-{section.pk}">「機關簡介」內容</label>' in html
    assert "<span data-count>0</span> / 3000 字" in html
    assert "送出自薦書" in html
    section_save(actor=cycle.editor2, section=section, body="乙", based_on_version=0)
    html = text(save(client, nomination, section, "甲", 0))
    assert f"已有他人（{cycle.editor2.full_name}）於" in html
    assert "您的文字未覆蓋對方的版本，兩份文字均已保留。" in html
    assert DossierSection.objects.get(pk=section.pk).body == "乙"


def test_the_document_partial_renders_a_frozen_submission_as_the_preview_does(cycle):
    """Reviewers will read the submitted version through the same partial."""
    from django.template.loader import render_to_string
    from django.utils import translation

    from awards.dossier_views import dossier_document, submission_document

    nomination = submitted(cycle)
    submission = Submission.objects.get()
    with translation.override("en"):
        frozen = render_to_string(
            "awards/nominations/_document.html", {"document": submission_document(submission)}
        )
        live = render_to_string(
            "awards/nominations/_document.html",
            {"document": dossier_document(Nomination.objects.get(pk=nomination.pk))},
        )
    assert frozen == live
    assert '<h2 id="doc-' in frozen
    assert "<p>機關簡介：本機關推動便民服務，成效良好。</p>" in frozen
