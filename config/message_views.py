"""The people's side of messages (issue 18): "my messages" (the message log of what the
site sent me, with my deadline reminder setting), the secretariat's log of any user's
messages, and the in-app notifications page (marked read on visit). In the project glue
because the pages ask agencies' permission decorator and awards' reminder opt-out,
which the workflow layer may not import."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l
from django.views.decorators.http import require_POST

from agencies.models import User
from agencies.permissions import require_perm
from awards.reminders import reminder_opt_out_set, reminders_opted_out
from workflow.notify import notifications_mark_read
from workflow.selectors import messages_to_user, notifications_for, notifications_unread_count

PAGE_SIZE = 50


class ReminderSettingForm(forms.Form):
    opt_out = forms.BooleanField(
        label=_l("Do not send me deadline reminders"),
        required=False,
        help_text=_l(
            "Reminders before a stage closes, about a draft dossier or nominations still "
            "to recommend. Messages the secretariat writes to you and notices of changes "
            "still arrive."
        ),
    )


def _log_page(request, user, *, own: bool, form=None, status=200):
    page = Paginator(messages_to_user(user), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {"page": page, "person": user, "own": own}
    if own:
        context["form"] = form or ReminderSettingForm(
            initial={"opt_out": reminders_opted_out(user)}
        )
    return render(request, "workflow/my_messages.html", context, status=status)


@require_perm("workflow.see_own_messages")
def my_messages(request):
    return _log_page(request, request.user, own=True)


@require_perm("workflow.see_own_messages")
@require_POST
def my_reminder_setting(request):
    form = ReminderSettingForm(request.POST)
    if not form.is_valid():  # a checkbox cannot be invalid; kept for a crafted post
        return _log_page(request, request.user, own=True, form=form, status=400)
    opted_out = form.cleaned_data["opt_out"]
    if reminder_opt_out_set(user=request.user, opted_out=opted_out):
        messages.success(
            request,
            _("Deadline reminders are turned off for you.")
            if opted_out
            else _("You will receive deadline reminders again."),
        )
    return redirect("my_messages")


def _person(request, pk):
    try:
        return User.objects.get(pk=pk)
    except User.DoesNotExist as exc:
        raise Http404 from exc


@require_perm("workflow.see_user_messages")
def user_messages(request, pk):
    return _log_page(request, _person(request, pk), own=False)


@require_perm("workflow.see_own_messages")
def notifications(request):
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    items = list(page.object_list)
    # Shown now, so read: the page marks what it shows (the bell counts the rest).
    notifications_mark_read(user=request.user, ids=[n.pk for n in items if n.read_at is None])
    return render(request, "workflow/notifications.html", {"page": page, "items": items})


@require_perm("workflow.see_own_messages")
def notifications_unread(request):
    """The bell's unread count (a fragment the header asks for after the page loaded:
    one query, and none on the page itself)."""
    return render(
        request,
        "workflow/_bell_count.html",
        {"unread": notifications_unread_count(request.user)},
    )
