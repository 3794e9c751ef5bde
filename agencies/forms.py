from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class AgencyImportForm(forms.Form):
    file = forms.FileField(
        label=_("Agency list (CSV or XLSX)"),
        help_text=_(
            "Columns: code, name_zh, name_en, agency_type, parent_code, "
            "is_competent_authority, is_active. The first row is the header."
        ),
    )

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
