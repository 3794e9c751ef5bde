"""Views for agency editors: start, write, attach, preview, submit, withdraw."""

from django.http import Http404


def _todo(request, *args, **kwargs):
    raise Http404


nomination_list = nomination_start = dossier = section_save = attachment_upload = _todo
attachment_download = attachment_delete = dossier_preview = dossier_submit = _todo
submission_pdf = nomination_withdraw = _todo
