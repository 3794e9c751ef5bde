"""The secretariat writes to the people of a stage (awards.messaging): pick a stage and
a group, write the subject and text in both languages with placeholders, preview the
recipients and the rendered text, then send. One view for the page and its preview (a
POST that changes nothing), one for the send."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _l
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from agencies.permissions import require_perm
from workflow.compose import PLACEHOLDERS

from . import messaging
from .models import Edition, Stage


def _edition(request, pk, **kwargs):
    try:
        return Edition.objects.select_related("scheme").get(pk=pk)
    except Edition.DoesNotExist as exc:
        raise Http404 from exc


class GroupMessageForm(forms.Form):
    stage = forms.ModelChoiceField(label=_l("Stage"), queryset=Stage.objects.none())
    group = forms.ChoiceField(label=_l("To"), choices=())
    subject_zh = forms.CharField(label=_l("Subject (Chinese)"), max_length=200, required=False)
    body_zh = forms.CharField(
        label=_l("Text (Chinese)"), widget=forms.Textarea({"rows": 8}), required=False
    )
    subject_en = forms.CharField(label=_l("Subject (English)"), max_length=200, required=False)
    body_en = forms.CharField(
        label=_l("Text (English)"), widget=forms.Textarea({"rows": 8}), required=False
    )

    def __init__(self, *args, edition, **kwargs):
        super().__init__(*args, **kwargs)
        stages = Stage.objects.filter(edition=edition).order_by("order", "starts_on", "pk")
        self.fields["stage"].queryset = stages
        self.fields["stage"].label_from_instance = lambda s: s.name
        self.fields["group"].choices = messaging.group_choices()

    def texts(self) -> dict:
        return {name: self.cleaned_data.get(name, "") for name in messaging.FIELDS}

    def add_refusal(self, exc) -> None:
        """The service's refusal beside its fields (the first one takes the focus)."""
        for key, errors in exc.message_dict.items():
            for error in errors:
                self.add_error(key if key in self.fields else None, error)
        self.describe_errors()

    def full_clean(self):
        super().full_clean()
        self.describe_errors()

    def describe_errors(self) -> None:
        first = True
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["aria-describedby"] = f"id_{name}_error"
                if first:
                    attrs["autofocus"] = True
                    first = False


def _page(request, edition, form, *, preview=None, status=200):
    return render(
        request,
        "awards/messages/group_message.html",
        {
            "edition": edition,
            "form": form,
            "preview": preview,
            "placeholders": [{"name": "{" + k + "}", "label": v} for k, v in PLACEHOLDERS.items()],
        },
        status=status,
    )


@require_perm("awards.send_group_message", _edition)
def group_message(request, pk, obj):
    """GET: the empty form. POST: the preview (nothing is sent)."""
    edition = obj
    if request.method != "POST":
        return _page(request, edition, GroupMessageForm(edition=edition))
    form = GroupMessageForm(request.POST, edition=edition)
    if not form.is_valid():
        return _page(request, edition, form, status=400)
    try:
        preview = messaging.group_message_preview(
            stage=form.cleaned_data["stage"], group=form.cleaned_data["group"], texts=form.texts()
        )
    except messaging.GroupMessageError as exc:
        form.add_refusal(exc)
        return _page(request, edition, form, status=400)
    return _page(request, edition, form, preview=preview)


@require_perm("awards.send_group_message", _edition)
@require_POST
def group_message_send(request, pk, obj):
    edition = obj
    form = GroupMessageForm(request.POST, edition=edition)
    if not form.is_valid():
        return _page(request, edition, form, status=400)
    stage = form.cleaned_data["stage"]
    try:
        count = messaging.group_message_send(
            actor=request.user, stage=stage, group=form.cleaned_data["group"], texts=form.texts()
        )
    except messaging.GroupMessageError as exc:
        form.add_refusal(exc)
        return _page(request, edition, form, status=400)
    messages.success(
        request,
        ngettext(
            "The message is on its way to %(count)s person; it is listed on what it concerns.",
            "The message is on its way to %(count)s people; each is listed on what it concerns.",
            count,
        )
        % {"count": count},
    )
    return redirect("awards:group_message", pk=edition.pk)
