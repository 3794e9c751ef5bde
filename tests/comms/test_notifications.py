"""In-app notifications and the message log come from the outbox (issue 18 parts 1, 7):
every message with a recipient user is also their notification; the log of an object
lists its messages with status and language; the pages show each person only theirs."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from awards.services import nomination_start
from tests.factories import UserFactory, open_cycle, secretariat_user
from workflow.compose import compose_render, unknown_placeholders
from workflow.models import MailStatus, Notification, OutboundMail
from workflow.outbox import mail_queue
from workflow.selectors import about, message_log, notifications_unread_count

pytestmark = pytest.mark.django_db


def _mail(user, subject, obj=None, **kw):
    return mail_queue(
        to=user.email, subject=subject, body="內文", kind="test", user=user, obj=obj, **kw
    )


def test_every_message_to_a_user_is_their_notification_linking_to_what_it_concerns():
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    mail = _mail(cycle.editor, "自薦書提醒", obj=nomination)
    note = Notification.objects.get(mail=mail)
    assert (note.user, note.subject, note.kind) == (cycle.editor, "自薦書提醒", "test")
    assert note.link == reverse("awards:dossier", kwargs={"pk": nomination.pk})
    assert (note.object_type, note.object_id) == ("awards.nomination", str(nomination.pk))
    assert note.read_at is None
    # A message to an address only (no user) is no one's notification.
    mail_queue(to="someone@example.test", subject="x", body="y", kind="test")
    assert Notification.objects.count() == 1


def test_composer_knows_four_placeholders_and_leaves_other_braces():
    assert unknown_placeholders("{name} {agency} {deadline} {link}") == []
    assert unknown_placeholders("{name} {due} {due} {x1}") == ["due", "x1"]
    assert compose_render(
        "{name}：請於 {deadline} 前 { } {{", {"name": "王", "deadline": "2026-01-11"}
    ) == ("王：請於 2026-01-11 前 { } {{")


def test_message_log_of_an_object_and_to_a_recipient():
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    first = _mail(cycle.editor, "給承辦人", obj=nomination)
    second = _mail(cycle.editor2, "給另一位承辦人", obj=nomination)
    _mail(cycle.editor, "無關", obj=None)
    OutboundMail.objects.filter(pk=first.pk).update(status=MailStatus.SENT)
    assert list(message_log(about(nomination))) == [second, first]
    assert list(message_log(about(nomination), recipient=cycle.editor)) == [first]
    assert list(message_log(about(nomination), recipient=cycle.officer)) == []


def _count_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries), response


def test_notifications_page_newest_first_marked_read_constant_queries(client):
    user = UserFactory()
    other = UserFactory()
    client.force_login(user)
    client.cookies["lang"] = "en"
    _mail(user, "First news")
    _mail(other, "Not yours")
    few, response = _count_queries(client, reverse("notifications"))
    assert (
        "First news" in response.content.decode() and "Not yours" not in response.content.decode()
    )
    for n in range(8):
        _mail(user, f"News {n}")
    assert notifications_unread_count(user) == 8
    many, response = _count_queries(client, reverse("notifications"))
    assert many == few
    text = response.content.decode()
    assert text.index("News 7") < text.index("News 0") < text.index("First news")
    # shown, so read; the bell then shows no count
    assert notifications_unread_count(user) == 0
    assert notifications_unread_count(other) == 1
    response = client.get(reverse("notifications_unread"))
    assert 'id="bell-count"' not in response.content.decode()


def test_the_bell_costs_the_page_nothing_and_its_count_one_query(client, settings):
    user = UserFactory()
    client.force_login(user)
    _mail(user, "One")
    _mail(user, "Two")
    page = client.get(reverse("my_messages")).content.decode()
    assert f'hx-get="{reverse("notifications_unread")}"' in page
    assert "bell-count" not in page  # asked for after the page has loaded
    with CaptureQueriesContext(connection) as ctx:
        fragment = client.get(reverse("notifications_unread")).content.decode()
    assert '<span class="bell-count" id="bell-count">2</span>' in fragment
    tables = [q["sql"].split(" FROM ")[1].split()[0] for q in ctx.captured_queries]
    assert tables.count('"workflow_notification"') == 1
    # the rest is the session and the signed-in user, as on every page
    assert set(tables) - {'"workflow_notification"'} <= {'"django_session"', '"agencies_user"'}
    client.force_login(UserFactory())
    assert 'id="bell-count"' not in client.get(reverse("notifications_unread")).content.decode()


def test_my_messages_constant_queries_and_only_mine(client):
    user = UserFactory()
    client.force_login(user)
    _mail(user, "我的第一封")
    _mail(UserFactory(), "別人的")
    few, response = _count_queries(client, reverse("my_messages"))
    assert "我的第一封" in response.content.decode() and "別人的" not in response.content.decode()
    for n in range(6):
        _mail(user, f"我的 {n}")
    many, _ = _count_queries(client, reverse("my_messages"))
    assert many == few


def test_secretariat_sees_any_users_log_others_get_404(client):
    user = UserFactory(full_name="王小明")
    _mail(user, "給王小明的通知")
    client.force_login(secretariat_user())
    response = client.get(reverse("user_messages", kwargs={"pk": user.pk}))
    assert response.status_code == 200
    assert "給王小明的通知" in response.content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("user_messages", kwargs={"pk": user.pk})).status_code == 404


def test_dossier_log_shows_the_secretariat_all_and_an_editor_only_theirs(client):
    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    _mail(cycle.editor, "致承辦人甲", obj=nomination)
    _mail(cycle.editor2, "致承辦人乙", obj=nomination)
    url = reverse("awards:dossier", kwargs={"pk": nomination.pk})
    client.force_login(cycle.secretariat)
    text = client.get(url).content.decode()
    assert "致承辦人甲" in text and "致承辦人乙" in text
    client.force_login(cycle.editor)
    text = client.get(url).content.decode()
    assert "致承辦人甲" in text and "致承辦人乙" not in text
    client.force_login(cycle.other_editor)
    assert client.get(url).status_code == 404
