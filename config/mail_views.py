"""The secretariat's view of the mail outbox (workflow.outbox): every message the site
sent or tried to send, its status and last error, and a Resend button for what failed.
In the project glue because it uses agencies' permission decorator, which the workflow
layer may not import."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm
from workflow.models import MailStatus, OutboundMail
from workflow.outbox import mail_resend
from workflow.selectors import outbound_mail_counts, outbound_mail_list
from workflow.transitions import TransitionError

PAGE_SIZE = 50


def _mail(request, pk):
    return get_object_or_404(OutboundMail, pk=pk)


def _list_url(status: str) -> str:
    url = reverse("mail_list")
    return f"{url}?{urlencode({'status': status})}" if status in MailStatus.values else url


@require_perm("workflow.see_mail")
def mail_list(request):
    status = request.GET.get("status", "")
    if status not in MailStatus.values:
        status = ""
    page = Paginator(outbound_mail_list(status=status), PAGE_SIZE).get_page(request.GET.get("page"))
    counts = outbound_mail_counts()
    return render(
        request,
        "workflow/mail_list.html",
        {
            "page": page,
            "status": status,
            "status_counts": [
                {"status": s, "count": counts[s.value], "current": s.value == status}
                for s in MailStatus
            ],
            "total": sum(counts.values()),
        },
    )


@require_perm("workflow.resend_mail", get_object=_mail)
@require_POST
def mail_resend_view(request, pk, obj):
    back = _list_url(request.POST.get("status", ""))
    try:
        mail_resend(actor=request.user, mail=obj)
    except TransitionError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    messages.success(
        request, _("The message to %(address)s is queued again.") % {"address": obj.to_address}
    )
    return redirect(back)
