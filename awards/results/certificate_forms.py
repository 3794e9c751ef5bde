"""Forms for certificate templates and the public verification page. They only parse
input; whether a template can be used is awards.results.certificates.template_check's."""

from django import forms
from django.utils.translation import gettext_lazy as _


class CertificateTemplateForm(forms.Form):
    name = forms.CharField(
        label=_("Name"),
        max_length=100,
        error_messages={"required": _("Give the template a name.")},
    )
    signatory_zh = forms.CharField(label=_("Signatory (Chinese)"), max_length=200, required=False)
    signatory_en = forms.CharField(label=_("Signatory (English)"), max_length=200, required=False)
    html = forms.CharField(
        label=_("HTML (a Django template of one certificate)"),
        strip=False,
        widget=forms.Textarea(attrs={"rows": 22, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "Only the certificate's content: no <html>, <head> or <body>. Close every "
            "element you open; write values as {{ agency_zh }} (see the list below)."
        ),
        error_messages={"required": _("The HTML is empty.")},
    )
    css = forms.CharField(
        label=_("CSS"),
        strip=False,
        required=False,
        widget=forms.Textarea(attrs={"rows": 14, "spellcheck": "false", "class": "code"}),
        help_text=_(
            "The page is A4 landscape. Images only as data: URIs; nothing else is fetched."
        ),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("html", "css"):
            self.fields[name].widget.attrs["aria-describedby"] = f"id_{name}_helptext"


class VerifyForm(forms.Form):
    serial = forms.CharField(
        label=_("Certificate serial number"),
        max_length=64,
        help_text=_("16 letters and digits, as printed under the QR code: XXXX-XXXX-XXXX-XXXX."),
        widget=forms.TextInput(
            attrs={
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
                "aria-describedby": "id_serial_helptext",
                "class": "serial-input",
            }
        ),
    )
