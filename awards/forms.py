"""Forms for the agency editor's pages. They only parse and validate input; the rules of
the cycle (deadlines, limits, completeness) live in awards.services."""

from django import forms
from django.utils.translation import gettext_lazy as _

from agencies.enums import Role
from agencies.selectors import user_agencies

from .filetypes import CONTENT_TYPES
from .models import Category, DossierSection

ACCEPT = ",".join([".pdf", ".jpg", ".jpeg", ".png", ".docx", ".xlsx", *CONTENT_TYPES.values()])


class NominationStartForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("Category"),
        queryset=Category.objects.none(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Choose a category."),
            "invalid_choice": _("That category is not open for nomination."),
        },
    )
    agency = forms.ModelChoiceField(
        label=_("Nominating agency"),
        queryset=None,
        empty_label=None,
        error_messages={"invalid_choice": _("You are not an editor of that agency.")},
    )
    title = forms.CharField(
        label=_("Title (optional)"),
        max_length=200,
        required=False,
        help_text=_("A short name for this entry, e.g. the service it presents."),
    )

    def __init__(self, *args, user, category_ids, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].queryset = Category.objects.filter(
            pk__in=category_ids
        ).select_related("edition")
        agencies = user_agencies(user, Role.AGENCY_EDITOR).order_by("path")
        self.fields["agency"].queryset = agencies
        self.agency_choices = list(agencies)
        if len(self.agency_choices) == 1:
            self.fields["agency"].initial = self.agency_choices[0].pk
            self.fields["agency"].widget = forms.HiddenInput()


class SectionForm(forms.Form):
    body = forms.CharField(required=False, strip=False, widget=forms.Textarea)
    version = forms.IntegerField(min_value=0, widget=forms.HiddenInput)


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        error_messages={
            "required": _("Choose a file to upload."),
            "empty": _("The file is empty."),
        },
    )
    section = forms.ModelChoiceField(
        queryset=DossierSection.objects.none(), required=False, widget=forms.HiddenInput
    )

    def __init__(self, *args, nomination, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["section"].queryset = DossierSection.objects.filter(nomination=nomination)
        self.fields["file"].widget.attrs["accept"] = ACCEPT


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason (optional)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("The secretariat and your competent authority will read it."),
    )


class NomineeForm(forms.Form):
    """An individual's or a team's details (awards.nominees.nominee_save). The rules that
    depend on the kind (an individual's post, a team's members) are the service's,
    checked here with the same function so they are said beside the field."""

    name_zh = forms.CharField(label=_("Name (Chinese)"), max_length=200, required=False)
    name_en = forms.CharField(label=_("Name (English)"), max_length=200, required=False)
    post = forms.CharField(
        label=_("Post (rank or job title)"),
        max_length=200,
        required=False,
        help_text=_("Required for an individual officer, e.g. 高級入境事務主任."),
    )
    unit = forms.CharField(
        label=_("Unit (division or section)"),
        max_length=200,
        required=False,
        help_text=_("Optional, e.g. the control point or branch."),
    )
    public_consent = forms.BooleanField(
        label=_("The nominee agrees to be named on public pages (the results and the programme)"),
        required=False,
        help_text=_(
            "Without this, public pages say only “an officer of” or “a team of” your department."
        ),
    )

    def __init__(self, *args, kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        if kind == "team":
            del self.fields["post"]
            self.fields["name_zh"].label = _("Team name (Chinese)")
            self.fields["name_en"].label = _("Team name (English)")
        else:
            self.fields["name_zh"].label = _("Officer's name (Chinese)")
            self.fields["name_en"].label = _("Officer's name (English)")


class TeamMemberForm(forms.Form):
    name = forms.CharField(label=_("Member's name"), max_length=200, required=False)
    post = forms.CharField(label=_("Member's post"), max_length=200, required=False)


TeamMemberFormSet = forms.formset_factory(TeamMemberForm, extra=3, max_num=60, absolute_max=60)


class NomineeEraseForm(forms.Form):
    reason = forms.CharField(
        label=_("Whose request, and when"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={
            "required": _("Say whose request this is (e.g. the officer's letter of 3 May).")
        },
    )
