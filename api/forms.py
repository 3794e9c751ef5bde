from django import forms
from django.utils.translation import gettext_lazy as _

from .services import NAME_MAX


class TokenForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the token"),
        max_length=NAME_MAX,
        help_text=_("What will use it, e.g. “Agency intranet results page”."),
        error_messages={"required": _("Give the token a name, e.g. the system that will use it.")},
    )
