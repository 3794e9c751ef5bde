"""What a file is, by its content (magic bytes), never by its name."""

from __future__ import annotations

import io
import zipfile

LABELS = {"pdf": "PDF", "jpg": "JPEG", "png": "PNG", "docx": "DOCX", "xlsx": "XLSX"}
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "jpg": "image/jpeg",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def detect(fileobj) -> str | None:
    """Return "pdf", "jpg", "png", "docx" or "xlsx", or None for anything else
    (an executable renamed .pdf, a text file, a ZIP that is not an Office document...)."""
    fileobj.seek(0)
    head = fileobj.read(8)
    fileobj.seek(0)
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            data = fileobj.read()
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            fileobj.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


class CheckedUpload:
    """An upload that passed `check_upload`: its display name, its type by content, its
    size and SHA-256."""

    def __init__(self, upload, name: str, kind: str, sha256: str):
        self.upload, self.name, self.kind, self.sha256 = upload, name, kind, sha256
        self.size = upload.size


def upload_name(upload) -> str:
    """The user's file name (possibly Chinese) without any path, for display."""
    return (getattr(upload, "name", "") or "file").split("/")[-1].split("\\")[-1][:255]


def check_upload(upload, *, max_mb: int) -> CheckedUpload | str:
    """One rule for every upload: an accepted type by content and at most `max_mb`.
    Returns the checked upload, or the translated message saying what is wrong."""
    import hashlib

    from django.utils.translation import gettext as _

    name = upload_name(upload)
    kind = detect(upload)
    if kind is None:
        return _(
            "“%(name)s” is not a PDF, JPEG, PNG, DOCX or XLSX file (checked by its content, "
            "not its name)."
        ) % {"name": name}
    if upload.size > max_mb * 1024 * 1024:
        return _("“%(name)s” is %(size)s MB; each file may be at most %(limit)s MB.") % {
            "name": name,
            "size": round(upload.size / 1024 / 1024, 1),
            "limit": max_mb,
        }
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks() if hasattr(upload, "chunks") else [upload.read()]:
        digest.update(chunk)
    upload.seek(0)
    return CheckedUpload(upload, name, kind, digest.hexdigest())
