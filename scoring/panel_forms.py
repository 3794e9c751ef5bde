"""Forms of the secretariat's review pages (panels, conflicts, assignment). They read and
validate input; the writes are scoring.services'."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.enums import AffiliationType
from agencies.models import Agency

from .enums import MemberKind


def person_label(user) -> str:
    return f"{user.get_full_name()} <{user.email}>"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return person_label(obj)


class AgencyChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{'　' * obj.depth}{obj.name} ({obj.code})"


class MemberAddForm(forms.Form):
    user = PersonChoiceField(
        label=_("Person to add"),
        queryset=None,
        empty_label=_("Choose a reviewer or assessor"),
        help_text=_("People who hold the reviewer or site-visit assessor role."),
    )
    kind = forms.ChoiceField(label=_("Serves as"), choices=MemberKind.choices)
    is_chair = forms.BooleanField(label=_("Chair of the panel"), required=False)

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, prefix="add", **kwargs)
        self.fields["user"].queryset = candidates


class InviteForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address"))
    full_name = forms.CharField(label=_("Full name"), max_length=150)
    affiliation_type = forms.ChoiceField(
        label=_("Affiliation type"),
        choices=[("", _("Choose…")), *AffiliationType.choices],
    )
    affiliation = forms.CharField(
        label=_("Affiliation"),
        max_length=200,
        required=False,
        help_text=_("E.g. the university, company or body they come from."),
    )
    kind = forms.ChoiceField(label=_("Serves as"), choices=MemberKind.choices)
    affiliated_agency = forms.CharField(
        label=_("Affiliated agency code"),
        max_length=32,
        required=False,
        help_text=_(
            "If they work for or with a government agency, its code: they will be "
            "conflicted with it automatically."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="invite", **kwargs)

    def clean_affiliated_agency(self):
        code = self.cleaned_data["affiliated_agency"].strip()
        if not code:
            return None
        agency = Agency.objects.filter(code__iexact=code).first()
        if agency is None:
            raise forms.ValidationError(
                _("No agency has the code “%(code)s”."), params={"code": code}
            )
        return agency


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )


class ConflictAddForm(forms.Form):
    reviewer = PersonChoiceField(
        label=_("Reviewer"), queryset=None, empty_label=_("Choose a panel member")
    )
    agency = AgencyChoiceField(
        label=_("Agency"),
        queryset=None,
        empty_label=_("Choose an agency"),
        help_text=_(
            "Nominated agencies and competent authorities. A conflict with a competent "
            "authority covers every agency under it."
        ),
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )

    def __init__(self, *args, people, agencies, **kwargs):
        super().__init__(*args, prefix="conflict", **kwargs)
        self.fields["reviewer"].queryset = people
        self.fields["agency"].queryset = agencies


class NominationChoices(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return obj.agency.name


class ReassignForm(forms.Form):
    from_reviewer = PersonChoiceField(
        label=_("Move from"), queryset=None, empty_label=_("Choose a panel member")
    )
    to_reviewer = PersonChoiceField(
        label=_("Move to"), queryset=None, empty_label=_("Choose a panel member")
    )
    nominations = NominationChoices(
        label=_("Dossiers to move"),
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one dossier to move.")},
    )
    reason = forms.CharField(
        label=_("Reason"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Give a reason.")},
    )

    def __init__(self, *args, people, nominations, **kwargs):
        super().__init__(*args, prefix="move", **kwargs)
        self.fields["from_reviewer"].queryset = people
        self.fields["to_reviewer"].queryset = people
        self.fields["nominations"].queryset = nominations
