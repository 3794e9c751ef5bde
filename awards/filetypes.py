"""The attachment types a dossier (and site-test evidence) accepts, by content. The
checks themselves are agencies.uploads; this names the accepted set and its words."""

from __future__ import annotations

from agencies import uploads

ACCEPTED = ("pdf", "jpg", "png", "docx", "xlsx")
LABELS = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "docx": "DOCX", "xlsx": "XLSX"}
CONTENT_TYPES = {kind: uploads.KINDS[kind].content_type for kind in ACCEPTED}


def detect(fileobj) -> str | None:
    """Return "pdf", "jpg", "png", "docx" or "xlsx", or None for anything else
    (an executable renamed .pdf, a text file, a ZIP that is not an Office document...).
    A ZIP bomb raises uploads.UploadRefused."""
    kind = uploads.detect(uploads.read_all(fileobj))
    return kind if kind in ACCEPTED else None


class CheckedUpload:
    """An upload that passed `check_upload`: its display name, its type by content, its
    size and SHA-256."""

    def __init__(self, upload, checked: uploads.CheckedFile):
        self.upload = upload
        self.name, self.kind, self.size, self.sha256 = (
            checked.name,
            checked.kind,
            checked.size,
            checked.sha256,
        )


def upload_name(upload) -> str:
    """The user's file name (possibly Chinese) without any path, for display."""
    return uploads.display_name(getattr(upload, "name", "") or "")


def check_upload(upload, *, max_mb: int) -> CheckedUpload | str:
    """One rule for every upload: an accepted type by content, safe to open, a name
    that agrees with the content, and at most `max_mb`. Returns the checked upload, or
    the translated message saying what is wrong."""
    from django.utils.translation import gettext as _

    try:
        checked = uploads.check_upload(
            upload,
            accept=ACCEPTED,
            max_bytes=max_mb * 1024 * 1024,
            not_accepted=_(
                "“%(name)s” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its "
                "content, not its name)."
            ),
        )
    except uploads.UploadRefused as refused:
        return refused.message
    return CheckedUpload(upload, checked)
