from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import uploads

IMPORT_ACCEPT = ",".join(
    [
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


class ErrorsInViewMixin:
    """After a refusal the first control with an error takes the focus when the page
    loads: the browser scrolls to it and a screen reader reads its errors, which Django
    names in its aria-describedby. Templates put the errors beside the control."""

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields and not self.fields[name].widget.is_hidden:
                self.fields[name].widget.attrs["autofocus"] = True
                break


class AgencyImportForm(ErrorsInViewMixin, forms.Form):
    file = forms.FileField(
        label=_("Agency list (CSV or XLSX)"),
        widget=forms.FileInput(attrs={"accept": IMPORT_ACCEPT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = gettext(
            "A CSV file saved as “CSV UTF-8”, or an Excel workbook (.xlsx), at most "
            "%(limit)s MB. Row 1 must be the header; only the first sheet of a workbook is read."
        ) % {"limit": settings.AGENCY_IMPORT_MAX_BYTES // 1024 // 1024}

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.AGENCY_IMPORT_MAX_BYTES:
            raise forms.ValidationError(
                _("The file is %(size)s MB; the limit is %(limit)s MB."),
                params={
                    "size": round(upload.size / 1024 / 1024, 1),
                    "limit": settings.AGENCY_IMPORT_MAX_BYTES // 1024 // 1024,
                },
            )
        # Cheap checks by content, before the file is stored for the background job: a zip
        # bomb, or a CSV named .xlsx (or the reverse), is refused here, beside the control.
        self.content = uploads.read_all(upload)
        try:
            uploads.check_import(self.content, upload.name)
        except uploads.UploadRefused as refused:
            raise forms.ValidationError(refused.message) from None
        return upload


class MailLanguageForm(ErrorsInViewMixin, forms.Form):
    """The language of the e-mail this site sends the signed-in person."""

    language = forms.ChoiceField(
        label=_("Language for e-mail"),
        choices=settings.LANGUAGES,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose the language of your e-mail.")},
    )
