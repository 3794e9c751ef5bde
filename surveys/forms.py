from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agencies import uploads
from agencies.forms import ErrorsInViewMixin

from .enums import Disposition, ImportKind
from .importers import FIELD_LABELS, FIELDS, import_max_bytes


class ImportUploadForm(ErrorsInViewMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"), choices=ImportKind.choices, initial=ImportKind.RESPONSES
    )
    file = forms.FileField(
        label=_("File (CSV in UTF-8 or Big5, or XLSX)"),
        help_text=_("The first row names the columns; you match them to the poll's fields next."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = import_max_bytes()
        if upload.size > limit:
            raise forms.ValidationError(
                _(
                    "The file is %(size)s MB; the limit is %(limit)s MB. Split it into smaller files."
                ),
                params={
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": round(limit / 1024 / 1024, 1),
                },
            )
        if upload.size == 0:
            raise forms.ValidationError(_("The file is empty."))
        # By content, before anything is stored or parsed: a zip bomb, or a CSV named
        # .xlsx (or the reverse), is refused here, beside the control.
        try:
            uploads.check_import(getattr(upload, "file", upload), upload.name)
        except uploads.UploadRefused as refused:
            raise forms.ValidationError(refused.message) from None
        return upload


class ImportMappingForm(forms.Form):
    def __init__(self, *args, imp, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", _("— not in the file —"))] + [(h, h) for h in imp.headers]
        for name, required in FIELDS[imp.kind]:
            self.fields[name] = forms.ChoiceField(
                label=FIELD_LABELS[name],
                choices=choices,
                required=required,
                initial=imp.mapping.get(name, ""),
            )


class CallForm(forms.Form):
    disposition = forms.ChoiceField(
        label=_("Outcome of the call"), choices=Disposition.choices, widget=forms.RadioSelect
    )
    candidate = forms.ModelChoiceField(
        label=_("Vote"), queryset=None, required=False, empty_label=_("— no vote —")
    )
    suggestion = forms.CharField(
        label=_("Suggestion for improvement"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    callback_at = forms.DateTimeField(
        label=_("Call back at"),
        required=False,
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def __init__(self, *args, poll, **kwargs):
        self.poll = poll
        super().__init__(*args, **kwargs)
        self.fields["candidate"].queryset = poll.candidates.select_related("agency").order_by(
            "order", "agency__code"
        )
        self.fields["candidate"].label_from_instance = lambda c: (
            f"{c.order + 1:02d} · {c.agency.name}"
        )

    def clean_callback_at(self):
        value = self.cleaned_data.get("callback_at")
        if value is not None and timezone.is_naive(value):
            value = timezone.make_aware(value, self.poll.edition.tzinfo)
        return value

    def clean(self):
        data = super().clean()
        disposition = data.get("disposition")
        if disposition == Disposition.COMPLETE and not data.get("candidate"):
            self.add_error("candidate", _("A complete interview needs a vote."))
        if disposition and disposition != Disposition.COMPLETE and data.get("candidate"):
            self.add_error("candidate", _("Only a complete interview carries a vote."))
        if disposition == Disposition.CALLBACK:
            when = data.get("callback_at")
            if when is None:
                self.add_error("callback_at", _("A callback needs a time in the future."))
            elif when <= timezone.now():
                self.add_error("callback_at", _("A callback needs a time in the future."))
        return data
