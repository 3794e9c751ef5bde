"""The stage timetable of an edition (the secretariat's configuration): one view to
show and save it, one to extend a stage's window. Each calls one service."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from agencies.permissions import require_perm

from . import reminders, timetable, windows
from .enums import ReminderAudience
from .models import Edition, ReminderRule, Stage

FLAGS = [
    ("allows_dossier_edit", _l("agencies may edit dossiers")),
    ("allows_scoring", _l("reviewers may score")),
    ("reviewers_see_others", _l("reviewers see each other's scores")),
    ("is_site_visit", _l("site visit")),
]


def _edition(request, pk, **kwargs):
    try:
        return Edition.objects.select_related("scheme").get(pk=pk)
    except Edition.DoesNotExist as exc:
        raise Http404 from exc


def _stages(edition):
    stages = list(Stage.objects.filter(edition=edition).order_by("order", "starts_on", "pk"))
    for stage in stages:
        stage.edition = edition  # each row's status reads its zone: no query per stage
    return stages


class TimetableForm(forms.Form):
    recommendation_quota = forms.IntegerField(
        label=_l("Recommendations per competent authority"),
        required=False,
        help_text=_l("Blank: no limit."),
    )
    seen = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, stages, edition, **kwargs):
        super().__init__(*args, **kwargs)
        self.stages = stages
        self.fields["recommendation_quota"].initial = edition.recommendation_quota
        self.fields["seen"].initial = timetable.timetable_fingerprint(edition, stages)
        for s in stages:
            date = {"type": "date"}
            self.fields[f"{s.pk}-starts_on"] = forms.DateField(
                label=_l("Starts on"), initial=s.starts_on, widget=forms.DateInput(date)
            )
            self.fields[f"{s.pk}-ends_on"] = forms.DateField(
                label=_l("Ends on"), initial=s.ends_on, widget=forms.DateInput(date)
            )
            for name, label in FLAGS:
                self.fields[f"{s.pk}-{name}"] = forms.BooleanField(
                    label=label, required=False, initial=getattr(s, name)
                )

    def rows(self):
        """For the template: each stage with its bound fields and status."""
        out = []
        for s in self.stages:
            out.append(
                {
                    "stage": s,
                    "status": windows.stage_status(s),
                    "starts_on": self[f"{s.pk}-starts_on"],
                    "ends_on": self[f"{s.pk}-ends_on"],
                    "dates": [self[f"{s.pk}-starts_on"], self[f"{s.pk}-ends_on"]],
                    "flags": [self[f"{s.pk}-{name}"] for name, _label in FLAGS],
                }
            )
        return out

    def values(self):
        rows = {}
        for s in self.stages:
            rows[s.pk] = {key: self.cleaned_data[f"{s.pk}-{key}"] for key in timetable.STAGE_FIELDS}
        return rows


class ExtendForm(forms.Form):
    ends_on = forms.DateField(
        label=_l("New last day"), widget=forms.DateInput({"type": "date"}), required=False
    )
    reason = forms.CharField(label=_l("Reason"), widget=forms.Textarea({"rows": 2}), required=False)


class ReminderRuleForm(forms.Form):
    stage = forms.TypedChoiceField(label=_l("Stage"), coerce=int, choices=())
    audience = forms.ChoiceField(label=_l("To"), choices=ReminderAudience.choices)
    days_before = forms.IntegerField(
        label=_l("Days before the stage closes"),
        help_text=_l("0 is the stage's last day; 2 is two days before it."),
        widget=forms.NumberInput({"inputmode": "numeric"}),
    )

    def __init__(self, *args, stages, **kwargs):
        super().__init__(*args, prefix="reminder", **kwargs)
        # The stages already in hand: the choices cost no query.
        self.stages = {s.pk: s for s in stages}
        self.fields["stage"].choices = [("", "---------")] + [(s.pk, s.name) for s in stages]

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_error"


def _reminder_rules(stages):
    by_pk = {s.pk: s for s in stages}
    rules = list(ReminderRule.objects.filter(stage__in=stages).order_by("stage__order", "pk"))
    for rule in rules:
        rule.stage = by_pk[rule.stage_id]  # no query per rule
    return rules


def _page(request, edition, stages, form, *, extend_forms=None, reminder_form=None, status=200):
    extend_forms = extend_forms or {}
    rows = form.rows()
    for row in rows:
        s = row["stage"]
        row["extend"] = extend_forms.get(s.pk) or ExtendForm(prefix=f"extend-{s.pk}")
        row["status_label"] = windows.STATUS_LABELS[row["status"]]
    return render(
        request,
        "awards/config_stages.html",
        {
            "edition": edition,
            "rows": rows,
            "form": form,
            "zone": windows.zone_label(edition.time_zone),
            "today": windows.edition_today(edition),
            "reminder_rules": _reminder_rules(stages),
            "reminder_form": reminder_form or ReminderRuleForm(stages=stages),
        },
        status=status,
    )


@require_perm("awards.configure_timetable", _edition)
def config_stages(request, pk, obj):
    edition = obj
    stages = _stages(edition)
    if request.method != "POST":
        return _page(request, edition, stages, TimetableForm(stages=stages, edition=edition))
    form = TimetableForm(request.POST, stages=stages, edition=edition)
    if form.is_valid():
        try:
            timetable.timetable_update(
                actor=request.user,
                edition=edition,
                rows=form.values(),
                recommendation_quota=form.cleaned_data["recommendation_quota"],
                seen=form.cleaned_data["seen"],
            )
        except timetable.TimetableError as exc:
            if hasattr(exc, "error_dict"):
                for key, errors in exc.message_dict.items():
                    for error in errors:
                        form.add_error(key if key in form.fields else None, error)
            else:  # stale: the page now carries today's digest, so a second save is knowing
                form.data = form.data.copy()
                form.data["seen"] = timetable.timetable_fingerprint(edition, _stages(edition))
                form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("The timetable is saved."))
            return redirect("awards:config_stages", pk=edition.pk)
    stages = _stages(edition)  # unchanged; the form keeps what was typed
    form.stages = stages
    return _page(request, edition, stages, form, status=400)


@require_perm("awards.configure_timetable", _edition)
def config_stage_extend(request, pk, stage_pk, obj):
    edition = obj
    if request.method != "POST":
        return redirect("awards:config_stages", pk=edition.pk)
    stage = get_object_or_404(Stage, pk=stage_pk, edition=edition)
    extend = ExtendForm(request.POST, prefix=f"extend-{stage.pk}")
    if extend.is_valid():
        try:
            timetable.stage_extend(
                actor=request.user,
                stage=stage,
                ends_on=extend.cleaned_data["ends_on"],
                reason=extend.cleaned_data["reason"],
            )
        except timetable.TimetableError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    extend.add_error(key if key in extend.fields else None, error)
        else:
            messages.success(
                request,
                _("“%(stage)s” now ends on %(day)s.")
                % {"stage": stage.name, "day": extend.cleaned_data["ends_on"].isoformat()},
            )
            return redirect("awards:config_stages", pk=edition.pk)
    stages = _stages(edition)
    form = TimetableForm(stages=stages, edition=edition)
    return _page(request, edition, stages, form, extend_forms={stage.pk: extend}, status=400)


@require_perm("awards.configure_timetable", _edition)
def config_reminder_add(request, pk, obj):
    """A deadline reminder for one stage; a day outside the stage's window is refused
    beside the field, with what was typed kept."""
    edition = obj
    if request.method != "POST":
        return redirect("awards:config_stages", pk=edition.pk)
    stages = _stages(edition)
    form = ReminderRuleForm(request.POST, stages=stages)
    if form.is_valid():
        try:
            reminders.reminder_rule_add(
                actor=request.user,
                stage=form.stages[form.cleaned_data["stage"]],
                audience=form.cleaned_data["audience"],
                days_before=form.cleaned_data["days_before"],
            )
        except reminders.ReminderRuleError as exc:
            for key, errors in exc.message_dict.items():
                for error in errors:
                    form.add_error(key if key in form.fields else None, error)
        else:
            messages.success(request, _("The deadline reminder is saved."))
            return redirect(
                f"{reverse('awards:config_stages', kwargs={'pk': edition.pk})}#reminders"
            )
    for name in form.errors:
        if name in form.fields:
            form.fields[name].widget.attrs["aria-describedby"] = f"{form[name].auto_id}_error"
            form.fields[name].widget.attrs["autofocus"] = True
            break
    timetable_form = TimetableForm(stages=stages, edition=edition)
    return _page(request, edition, stages, timetable_form, reminder_form=form, status=400)


@require_perm("awards.configure_timetable", _edition)
def config_reminder_delete(request, pk, rule_pk, obj):
    edition = obj
    if request.method != "POST":
        return redirect("awards:config_stages", pk=edition.pk)
    rule = get_object_or_404(
        ReminderRule.objects.select_related("stage"), pk=rule_pk, stage__edition=edition
    )
    reminders.reminder_rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("The deadline reminder is removed."))
    return redirect(f"{reverse('awards:config_stages', kwargs={'pk': edition.pk})}#reminders")
