"""Forms of the poll set-up page (surveys.config_services does the checks that need the
database; these read what was typed)."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.models import User
from awards.models import Edition

from .enums import TieRule


def _text(label, *, lang, required=False, rows=None):
    widget = (
        forms.Textarea(attrs={"rows": rows, "lang": lang})
        if rows
        else forms.TextInput(attrs={"lang": lang})
    )
    return forms.CharField(label=label, required=required, widget=widget)


def _date(label):
    return forms.DateField(
        label=label,
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )


class PollSettingsForm(forms.Form):
    title_zh = _text(_("Title (Chinese)"), lang="zh-Hant")
    title_en = _text(_("Title (English)"), lang="en")
    question_zh = _text(_("Question (Chinese)"), lang="zh-Hant", rows=3)
    question_en = _text(_("Question (English)"), lang="en", rows=3)
    suggestion_question_zh = _text(_("Suggestion question (Chinese)"), lang="zh-Hant", rows=2)
    suggestion_question_en = _text(_("Suggestion question (English)"), lang="en", rows=2)
    target_sample_size = forms.IntegerField(
        label=_("Sample size (completed interviews)"),
        help_text=_("The number of completed household interviews the fieldwork aims for."),
    )
    award_places = forms.IntegerField(
        label=_("Award places"),
        help_text=_("The departments with most household votes win, this many."),
    )
    tie_rule = forms.ChoiceField(label=_("Tie rule"), choices=TieRule.choices)
    sampling_frame_zh = _text(_("Sampling frame (Chinese)"), lang="zh-Hant", rows=2)
    sampling_frame_en = _text(_("Sampling frame (English)"), lang="en", rows=2)
    fieldwork_starts_on = _date(_("Fieldwork starts"))
    fieldwork_ends_on = _date(_("Fieldwork ends"))


class PollCreateForm(PollSettingsForm):
    edition = forms.ModelChoiceField(label=_("Edition"), queryset=Edition.objects.none())

    field_order = ["edition"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["edition"].queryset = (
            Edition.objects.filter(poll__isnull=True)
            .select_related("scheme")
            .order_by("scheme__code", "-number")
        )
        self.fields["edition"].label_from_instance = lambda e: f"{e.scheme.name} · {e.name}"


def _share(text: str) -> Decimal:
    return Decimal(text.strip().rstrip("%").strip().replace(",", "."))


class StrataForm(forms.Form):
    strata = forms.CharField(
        label=_("Strata and their population shares"),
        widget=forms.Textarea(attrs={"rows": 12, "spellcheck": "false"}),
        help_text=_(
            "One stratum a line: code | name in Chinese | name in English | population share "
            "in per cent, e.g. “CW | 中西區 | Central and Western | 3.8”. The shares are the "
            "weights of the tally and must add up to 100 %."
        ),
    )

    def clean_strata(self):
        rows, errors = [], []
        for number, line in enumerate(self.cleaned_data["strata"].splitlines(), start=1):
            if not line.strip():
                continue
            parts = [p.strip() for p in line.split("|")]
            if len(parts) != 4 or not parts[0] or not parts[1]:
                errors.append(
                    _(
                        "Line %(n)d: give four parts separated by “|”: code, Chinese name, "
                        "English name, share."
                    )
                    % {"n": number}
                )
                continue
            try:
                share = _share(parts[3])
            except InvalidOperation:
                errors.append(
                    _("Line %(n)d: the share “%(v)s” is not a number.")
                    % {"n": number, "v": parts[3]}
                )
                continue
            if share.as_tuple().exponent < -4:
                errors.append(
                    _("Line %(n)d: give the share with at most 4 decimals.") % {"n": number}
                )
                continue
            rows.append(
                {"code": parts[0], "name_zh": parts[1], "name_en": parts[2], "share": share}
            )
        if errors:
            raise forms.ValidationError(errors)
        return rows


def strata_text(poll) -> str:
    return "\n".join(
        f"{s.code} | {s.name_zh} | {s.name_en} | {(s.population_share * 100).normalize():f}"
        for s in poll.strata.order_by("order", "code")
    )


class InterviewersForm(forms.Form):
    # Any user may be posted; the service refuses those who are not poll interviewers,
    # naming them (the page offers only the poll interviewers).
    interviewers = forms.ModelMultipleChoiceField(
        label=_("Interviewers"),
        queryset=User.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )


class CandidatesForm(forms.Form):
    candidates = forms.CharField(
        label=_("Candidate departments"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "spellcheck": "false"}),
        help_text=_(
            "One agency code a line, in the order the interviewers read them out (e.g. "
            "HK-HKO). Anything after the code on a line is ignored."
        ),
    )

    def clean_candidates(self):
        return [
            line.split()[0] for line in self.cleaned_data["candidates"].splitlines() if line.split()
        ]


def candidates_text(poll) -> str:
    return "\n".join(
        f"{c.agency.code}  {c.agency.name}"
        for c in poll.candidates.select_related("agency").order_by("order", "agency__code")
    )
