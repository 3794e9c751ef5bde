from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

IMPORT_ACCEPT = ",".join(
    [
        ".csv",
        ".xlsx",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ]
)


class AgencyImportForm(forms.Form):
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
        return upload
