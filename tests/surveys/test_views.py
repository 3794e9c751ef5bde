"""Every poll page with three personas: the owner role, another legitimate role, an
outsider (an agency editor or a reviewer). Assertions on what each one sees."""

import datetime
import re

import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from agencies.enums import Role
from surveys import selectors, services
from surveys.models import Household, PollTallyRun, Response
from tests.factories import (
    AgencyFactory,
    HouseholdFactory,
    UserFactory,
    interviewer_user,
    poll_votes,
)

pytestmark = pytest.mark.django_db


def _client(user):
    c = Client()
    c.cookies["lang"] = "en"
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def outsider(db):
    return UserFactory(
        email="editor@example.test", roles=[(Role.AGENCY_EDITOR, AgencyFactory(code="OUT"))]
    )


@pytest.fixture
def reviewer(db):
    return UserFactory(email="reviewer@example.test", roles=[Role.REVIEWER])


@pytest.fixture
def filled(poll, cand, strata):
    poll_votes(
        poll, {cand["X"]: 6, cand["Y"]: 2, cand["Z"]: 2}, stratum=strata["A"], suggestion="多謝晒"
    )
    poll_votes(poll, {cand["X"]: 2, cand["Y"]: 6, cand["Z"]: 2}, stratum=strata["B"])
    for i in range(3):
        HouseholdFactory(poll=poll, ref=f"N{i}", stratum=strata["B"])
    return poll


def text(response):
    return re.sub(r"\s+", " ", response.content.decode())


def test_anonymous_is_sent_to_sign_in(poll):
    response = _client(None).get(reverse("surveys:poll_detail", args=[poll.pk]))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/poll/")


def test_poll_list(filled, secretariat, interviewer, outsider):
    assert "Best Public Image Award telephone poll" in text(
        _client(secretariat).get(reverse("surveys:poll_list"))
    )
    assert "Best Public Image Award telephone poll" in text(
        _client(interviewer).get(reverse("surveys:poll_list"))
    )
    page = text(_client(outsider).get(reverse("surveys:poll_list")))
    assert "Best Public Image Award telephone poll" not in page
    assert "No telephone poll to show." in page


def test_poll_detail(filled, secretariat, interviewer, outsider, reviewer):
    url = reverse("surveys:poll_detail", args=[filled.pk])
    page = text(_client(secretariat).get(url))
    assert "20 / 20" in page  # completes against target
    assert "Close fieldwork" in page
    page = text(_client(interviewer).get(url))
    assert "3 households are due for a call." in page
    assert "20 / 20" not in page and "Close fieldwork" not in page
    assert _client(outsider).get(url).status_code == 404
    assert _client(reviewer).get(url).status_code == 404


def test_poll_detail_in_chinese_by_default(filled, secretariat):
    c = Client()
    c.force_login(secretariat)
    page = text(c.get(reverse("surveys:poll_detail", args=[filled.pk])))
    assert "最佳公眾形象獎電話訪問" in page
    assert "電話訪問" in page


def test_fieldwork_progress(filled, secretariat, interviewer, outsider):
    url = reverse("surveys:fieldwork", args=[filled.pk])
    page = text(_client(secretariat).get(url))
    assert '<p class="stat" id="completes">20 / 20</p>' in page
    assert (
        'District A</th> <td class="num">10</td> <td class="num">0</td> <td class="num">10</td> <td class="num">12</td>'
        in page
    )
    assert (
        'District B</th> <td class="num">13</td> <td class="num">3</td> <td class="num">10</td> <td class="num">8</td>'
        in page
    )
    assert '<th scope="row">Complete interview</th><td class="num">20</td>' in page.replace(
        "> <", "><"
    )
    assert _client(interviewer).get(url).status_code == 404
    assert _client(outsider).get(url).status_code == 404


@pytest.mark.parametrize("extra", [0, 60])
def test_fieldwork_query_count_is_constant(
    poll, cand, strata, secretariat, django_assert_num_queries, extra
):
    poll_votes(poll, {cand["X"]: 2 + extra, cand["Y"]: 1 + extra}, stratum=strata["A"])
    for _ in range(extra):
        HouseholdFactory(poll=poll, stratum=strata["B"], disposition="refusal")
    c = _client(secretariat)
    # session, user, roles, poll, strata, GROUP BY
    with django_assert_num_queries(6):
        response = c.get(reverse("surveys:fieldwork", args=[poll.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("extra", [0, 40])
def test_suggestions_query_count_is_constant(
    poll, cand, strata, secretariat, django_assert_num_queries, extra
):
    poll_votes(
        poll, {cand["X"]: 1 + extra, cand["Z"]: 1 + extra}, stratum=strata["A"], suggestion="好"
    )
    c = _client(secretariat)
    with django_assert_num_queries(5):
        response = c.get(reverse("surveys:suggestions", args=[poll.pk]))
    # An English page: each Chinese suggestion carries its language (WCAG 3.1.2).
    assert text(response).count('<li lang="zh-Hant">好') == 2 + 2 * extra


def test_suggestions_grouped_searchable_and_private(
    filled, secretariat, interviewer, outsider, cand, strata
):
    poll_votes(filled, {cand["Z"]: 1}, stratum=strata["B"], suggestion="Hotline too slow")
    url = reverse("surveys:suggestions", args=[filled.pk])
    page = text(_client(secretariat).get(url))
    assert 'X Dept <span class="muted">(6)</span>' in page
    assert 'Z Dept <span class="muted">(3)</span>' in page
    page = text(_client(secretariat).get(url, {"q": "hotline"}))
    assert "Hotline too slow" in page and "多謝晒" not in page
    page = text(_client(secretariat).get(url, {"q": "nothing-like-this"}))
    assert "No suggestion matches your search." in page
    assert _client(interviewer).get(url).status_code == 404
    assert _client(outsider).get(url).status_code == 404
    xlsx = _client(secretariat).get(reverse("surveys:suggestions_xlsx", args=[filled.pk]))
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert (
        _client(interviewer).get(reverse("surveys:suggestions_xlsx", args=[filled.pk])).status_code
        == 404
    )


def test_interviewer_call_flow_and_privacy(poll, cand, strata, interviewer, secretariat, outsider):
    for i in range(3):
        HouseholdFactory(poll=poll, ref=f"H{i}", stratum=strata["A"])
    other = interviewer_user(email="iv2@example.test")
    c = _client(interviewer)
    page = text(c.get(reverse("surveys:call_next", args=[poll.pk])))
    assert "3 households are due for a call." in page
    assert "autofocus" in page
    response = c.post(reverse("surveys:call_next", args=[poll.pk]))
    h = Household.objects.get(ref="H0")
    assert response["Location"] == reverse("surveys:call_household", args=[poll.pk, h.pk])
    url = response["Location"]
    page = text(c.get(url))
    assert "H0" in page and "District A" in page
    assert 'accesskey="1"' in page and "surveys/call.js" in page
    # nobody else sees the household in hand
    assert _client(other).get(url).status_code == 404
    assert _client(secretariat).get(url).status_code == 404
    assert _client(outsider).get(url).status_code == 404
    # a bad entry is shown, not saved
    page = text(c.post(url, {"disposition": "complete"}))
    assert "A complete interview needs a vote." in page
    # a callback, in the edition's time zone
    when = timezone.localtime(timezone.now() + datetime.timedelta(days=1), poll.edition.tzinfo)
    response = c.post(
        url, {"disposition": "callback", "callback_at": when.strftime("%Y-%m-%dT%H:%M")}
    )
    assert response.status_code == 302
    h.refresh_from_db()
    assert h.disposition == "callback"
    assert h.callback_at == when.replace(second=0, microsecond=0)
    # the household is no longer in hand
    assert c.get(url).status_code == 404
    # next: a vote
    c.post(reverse("surveys:call_next", args=[poll.pk]))
    h1 = Household.objects.get(ref="H1")
    c.post(
        reverse("surveys:call_household", args=[poll.pk, h1.pk]),
        {"disposition": "complete", "candidate": cand["Y"].pk, "suggestion": "Faster please"},
    )
    assert Response.objects.get(household=h1).candidate == cand["Y"]
    # a vote for a department that is not a candidate is refused by the form
    c.post(reverse("surveys:call_next", args=[poll.pk]))
    h2 = Household.objects.get(ref="H2")
    stranger = AgencyFactory(code="STRANGER")
    page = text(
        c.post(
            reverse("surveys:call_household", args=[poll.pk, h2.pk]),
            {"disposition": "complete", "candidate": stranger.pk},
        )
    )
    assert "Select a valid choice." in page
    # my calls: mine only
    services.household_release(household=h2, interviewer=interviewer)
    h3 = services.household_lease_next(poll=poll, interviewer=other)
    services.call_record(household=h3, interviewer=other, disposition="refusal")
    page = text(c.get(reverse("surveys:my_calls", args=[poll.pk])))
    assert "H0" in page and "H1" in page and "Y Dept" in page
    assert "H2" not in page  # released without a call, later refused by the other interviewer
    assert _client(secretariat).get(reverse("surveys:my_calls", args=[poll.pk])).status_code == 404
    assert _client(outsider).get(reverse("surveys:call_next", args=[poll.pk])).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_import_pages(poll, secretariat, interviewer, outsider, strata):
    HouseholdFactory(poll=poll, ref="H1", stratum=strata["A"])
    c = _client(secretariat)
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = "住戶編號,訪問結果,部門代碼,建議\nH1,complete,X,=1+1\nH9,complete,X,\n".encode("big5")
    response = c.post(
        reverse("surveys:import_new", args=[poll.pk]),
        {"kind": "responses", "file": SimpleUploadedFile("f.csv", content)},
    )
    imp = poll.imports.get()
    detail = reverse("surveys:import_detail", args=[poll.pk, imp.pk])
    assert response["Location"] == detail
    page = text(c.get(detail))
    assert "(big5)" in page and "<code>住戶編號</code>" in page
    assert '<option value="住戶編號" selected>' in page  # the mapping is guessed
    # Applying queues the background job after commit; Celery runs it eagerly, so with
    # real transactions (as in production) it is done before the redirect.
    page = text(
        c.post(
            detail,
            {
                "household_id": "住戶編號",
                "disposition": "訪問結果",
                "agency_code": "部門代碼",
                "suggestion": "建議",
            },
            follow=True,
        )
    )
    assert "Nothing was imported: 1 error. Correct the file" in page
    assert (
        '<td class="num">3</td><td>住戶編號</td><td><code>H9</code></td><td>Household not in the sample.</td>'
        in page.replace("> <", "><")
    )
    report = c.get(reverse("surveys:import_errors_csv", args=[poll.pk, imp.pk]))
    assert (
        report.content.decode("utf-8-sig").splitlines()[1]
        == "3,住戶編號,H9,Household not in the sample."
    )
    for user in (interviewer, outsider):
        assert _client(user).get(reverse("surveys:import_new", args=[poll.pk])).status_code == 404
        assert _client(user).get(detail).status_code == 404
        assert (
            _client(user)
            .get(reverse("surveys:import_errors_csv", args=[poll.pk, imp.pk]))
            .status_code
            == 404
        )


def test_tally_pages_and_publication(
    filled, secretariat, interviewer, outsider, reviewer, django_capture_on_commit_callbacks
):
    c = _client(secretariat)
    with django_capture_on_commit_callbacks(execute=True):
        response = c.post(reverse("surveys:tally", args=[filled.pk]))
    run = PollTallyRun.objects.get()
    assert response["Location"] == reverse("surveys:tally_run", args=[filled.pk, run.pk])
    page = text(c.get(response["Location"]))
    assert '<svg class="bar-chart"' in page
    assert 'X Dept</strong> <span class="muted">44.0 % ± 22.2</span>' in page
    assert 'Y Dept</strong> <span class="muted">36.0 % ± 21.5</span>' in page
    assert "Too close to call" in page
    assert f'hx-get="/poll/{filled.pk}/tally/' not in page  # done: no more polling
    for user in (interviewer, outsider, reviewer):
        assert _client(user).get(response["Location"]).status_code == 404
        assert _client(user).post(reverse("surveys:tally", args=[filled.pk])).status_code == 404
    # results are not public before publication
    results = reverse("surveys:results", args=[filled.pk])
    assert _client(outsider).get(results).status_code == 404
    services.poll_set_status(poll=filled, status="closed", actor=secretariat)
    c.post(reverse("surveys:publish", args=[filled.pk]), {"run": run.pk})
    filled.refresh_from_db()
    assert filled.published_run == run
    for user in (outsider, reviewer, secretariat):
        page = text(_client(user).get(results))
        assert "Best Public Image Award" in page and "X Dept" in page and "± 22.2" in page
    # interviewers see nothing more of a closed poll but the published results
    assert _client(interviewer).get(results).status_code == 200
    assert _client(outsider).get(reverse("surveys:fieldwork", args=[filled.pk])).status_code == 404


def test_second_tally_while_one_runs_is_told(filled, secretariat):
    c = _client(secretariat)
    c.post(
        reverse("surveys:tally", args=[filled.pk])
    )  # not executed: on_commit not run in a test transaction
    run = PollTallyRun.objects.get()
    response = c.post(reverse("surveys:tally", args=[filled.pk]), follow=True)
    page = text(response)
    assert "A tally of this poll is already running" in page
    assert PollTallyRun.objects.count() == 1
    # while it runs the page polls with htmx and shows a progress bar
    assert f'hx-get="/poll/{filled.pk}/tally/{run.pk}/"' in page
    assert 'hx-trigger="every 1s"' in page
    assert '<progress id="tally-bar" class="meter" max="100" value="0">' in page
    services.poll_tally_execute(run_id=run.pk)
    partial = c.get(reverse("surveys:tally_run", args=[filled.pk, run.pk]), HTTP_HX_REQUEST="true")
    body = text(partial).strip()
    assert body.startswith('<div id="tally-status" >') or body.startswith('<div id="tally-status">')
    assert "<svg" in body and "<html" not in body


def test_dashboard_partials(filled, secretariat, interviewer, outsider):
    ctx = selectors.dashboard_context(interviewer)
    html = text_html(render_to_string("surveys/_dashboard_interviewer.html", ctx))
    assert "3 households are due for a call." in html and "You made 0 calls today." in html
    assert ctx["poll_secretariat_polls"] == []
    ctx = selectors.dashboard_context(secretariat)
    html = text_html(render_to_string("surveys/_dashboard_secretariat.html", ctx))
    assert "20 / 20 completes" in html
    assert ctx["poll_interviewer_polls"] == []
    assert selectors.dashboard_context(outsider) == {
        "poll_interviewer_polls": [],
        "poll_secretariat_polls": [],
    }


def text_html(s):
    return re.sub(r"\s+", " ", s)


def test_poll_status_and_results_csv(filled, secretariat, interviewer, outsider):
    url = reverse("surveys:poll_status", args=[filled.pk])
    for user in (interviewer, outsider):
        assert _client(user).post(url, {"status": "closed"}).status_code == 404
    filled.refresh_from_db()
    assert filled.status == "fieldwork"
    page = text(_client(secretariat).post(url, {"status": "closed"}, follow=True))
    assert "The poll is now: Fieldwork closed." in page
    page = text(_client(secretariat).post(url, {"status": "published"}, follow=True))
    assert "A poll cannot go from “closed” to “published”." in page
    run = services.poll_tally_start(poll=filled, actor=secretariat)
    services.poll_tally_execute(run_id=run.pk)
    csv_url = reverse("surveys:results_csv", args=[filled.pk]) + f"?run={run.pk}"
    body = _client(secretariat).get(csv_url).content.decode("utf-8-sig").splitlines()
    assert body[0] == "Rank,Code,Department,Votes,Share,Margin of error (95 %),Winner"
    assert body[1] == "1,X,X Dept,8,0.44,0.22186,✓"
    # not published yet: nobody else gets it
    for user in (interviewer, outsider):
        assert _client(user).get(csv_url).status_code == 404
    run.refresh_from_db()
    filled.refresh_from_db()
    services.poll_publish(poll=filled, run=run, actor=secretariat)
    body = _client(outsider).get(reverse("surveys:results_csv", args=[filled.pk])).content
    assert body.decode("utf-8-sig").splitlines()[3] == "3,Z,Z Dept,4,0.2,0.17878,"
