"""`makemessages` that also extracts `_l("…")`: the code imports gettext_lazy as `_l`
beside gettext as `_` (module-level labels), and xgettext knows only the standard
names, so those strings were silently left out of the catalogues."""

from django.core.management.commands import makemessages


class Command(makemessages.Command):
    xgettext_options = [*makemessages.Command.xgettext_options, "--keyword=_l"]
