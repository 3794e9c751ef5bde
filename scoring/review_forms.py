"""Forms for reviewers: the conflict declaration and the reopening reason. They only parse
input; the rules live in scoring.services."""

from django import forms
from django.utils.translation import gettext_lazy as _


class DeclarationForm(forms.Form):
    agencies = forms.MultipleChoiceField(
        label=_("Agencies you have a conflict of interest with"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("That agency has no nomination in this edition.")},
    )
    none = forms.BooleanField(
        label=_("I have no conflict of interest with any agency nominated in this edition."),
        required=False,
    )
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: former employer, family member works there, consultancy."),
    )

    def __init__(self, *args, agency_ids, already_declared=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["agencies"].choices = [(str(pk), str(pk)) for pk in agency_ids]
        self.already_declared = already_declared
        if already_declared:
            del self.fields["none"]

    def clean(self):
        data = super().clean()
        chosen = data.get("agencies") or []
        if "agencies" in self.errors:
            return data
        if self.already_declared:
            if not chosen:
                raise forms.ValidationError(_("Tick the agencies you want to add."))
        elif not chosen and not data.get("none"):
            raise forms.ValidationError(
                _(
                    "Tick the agencies you have a conflict of interest with, or declare that "
                    "you have none."
                )
            )
        elif chosen and data.get("none"):
            raise forms.ValidationError(
                _(
                    "You ticked agencies and also “no conflict of interest”: choose one or the other."
                )
            )
        if chosen and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say briefly why you are conflicted."))
        return data


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason for reopening"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The reviewer receives it by e-mail."),
        error_messages={
            "required": _("Give a reason for reopening the review: the reviewer will read it.")
        },
    )
