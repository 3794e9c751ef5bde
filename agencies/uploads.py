"""What an uploaded file is, by its content, and whether it is safe to open.

Every place that accepts a file (dossier attachments, site-test evidence, the agency
import, the poll import) asks this module first:

- `detect(data)` names the type from the content (magic bytes; for ZIP-based files the
  package's own description of its main part), never from the name.
- Before anything opens a ZIP-based file (XLSX, DOCX, PPTX, ODF), `inspect_zip()` checks the
  central directory (entry count, declared uncompressed total, compression ratio, encrypted
  or unknown methods) and then decompresses every entry as a stream with hard caps, so a
  header that lies about sizes cannot make a parser read more than the limits. A ZIP inside
  the ZIP is refused, except an object embedded in an Office document (a chart's workbook
  inside a DOCX), which is inspected the same way and counts against the same limits.
- `check_upload()` (files we store) also requires the name's extension to agree with the
  content: a PDF named .docx is refused, nothing is stored. `check_import()` (files we only
  parse) refuses bombs and a misnamed CSV/XLSX, and leaves every other type to the
  importer's own, more specific messages.

Limits are settings (UPLOAD_ZIP_*), read on every call, with the defaults below.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from collections.abc import Collection
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

DEFAULT_ZIP_MAX_ENTRIES = 2000
DEFAULT_ZIP_MAX_UNCOMPRESSED_BYTES = 100 * 1024 * 1024
DEFAULT_ZIP_MAX_RATIO = 100
# An entry smaller than this is never refused for its ratio alone: 1,000 empty cells can
# compress 300:1 and harm nobody. Bigger entries, and the archive as a whole, are.
RATIO_FLOOR_BYTES = 1024 * 1024
MAX_NESTING = 1  # an embedded object may sit in a document, nothing deeper
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Kind:
    label: object  # lazy translated "a PDF document"
    extensions: tuple[str, ...]
    content_type: str


KINDS = {
    "pdf": Kind(gettext_lazy("a PDF document"), (".pdf",), "application/pdf"),
    "png": Kind(gettext_lazy("a PNG image"), (".png",), "image/png"),
    "jpg": Kind(gettext_lazy("a JPEG image"), (".jpg", ".jpeg"), "image/jpeg"),
    "gif": Kind(gettext_lazy("a GIF image"), (".gif",), "image/gif"),
    "docx": Kind(
        gettext_lazy("a Word document (.docx)"),
        (".docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": Kind(
        gettext_lazy("an Excel workbook (.xlsx)"),
        (".xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "pptx": Kind(
        gettext_lazy("a PowerPoint presentation (.pptx)"),
        (".pptx",),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ),
    "docm": Kind(
        gettext_lazy("a Word document with macros (.docm)"),
        (".docm",),
        "application/vnd.ms-word.document.macroEnabled.12",
    ),
    "xlsm": Kind(
        gettext_lazy("an Excel workbook with macros (.xlsm)"),
        (".xlsm",),
        "application/vnd.ms-excel.sheet.macroEnabled.12",
    ),
    "odt": Kind(
        gettext_lazy("an OpenDocument text (.odt)"),
        (".odt",),
        "application/vnd.oasis.opendocument.text",
    ),
    "ods": Kind(
        gettext_lazy("an OpenDocument spreadsheet (.ods)"),
        (".ods",),
        "application/vnd.oasis.opendocument.spreadsheet",
    ),
    "odp": Kind(
        gettext_lazy("an OpenDocument presentation (.odp)"),
        (".odp",),
        "application/vnd.oasis.opendocument.presentation",
    ),
    "doc": Kind(gettext_lazy("an old Word document (.doc)"), (".doc",), "application/msword"),
    "xls": Kind(
        gettext_lazy("an old Excel workbook (.xls)"), (".xls",), "application/vnd.ms-excel"
    ),
    "ppt": Kind(
        gettext_lazy("an old PowerPoint presentation (.ppt)"),
        (".ppt",),
        "application/vnd.ms-powerpoint",
    ),
    "ole": Kind(gettext_lazy("an old Microsoft Office file"), (".doc", ".xls", ".ppt", ".msg"), ""),
    "zip": Kind(gettext_lazy("a ZIP archive"), (".zip",), "application/zip"),
    "gzip": Kind(gettext_lazy("a GZIP archive"), (".gz", ".tgz"), "application/gzip"),
    "rar": Kind(gettext_lazy("a RAR archive"), (".rar",), "application/vnd.rar"),
    "7z": Kind(gettext_lazy("a 7-Zip archive"), (".7z",), "application/x-7z-compressed"),
    "text": Kind(gettext_lazy("a text (CSV) file"), (".csv", ".txt", ".tsv"), "text/csv"),
}

SIGNATURES = (
    (b"%PDF-", "pdf"),
    (b"\x89PNG\r\n\x1a\n", "png"),
    (b"\xff\xd8\xff", "jpg"),
    (b"GIF87a", "gif"),
    (b"GIF89a", "gif"),
    (b"\x1f\x8b", "gzip"),
    (b"Rar!\x1a\x07", "rar"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
)
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # an archive, or an empty one
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ARCHIVE_MAGIC = (b"PK\x03\x04", b"\x1f\x8b", b"Rar!", b"7z\xbc\xaf")
CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

OOXML_MAIN = (
    ("application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml", "docx"),
    ("application/vnd.ms-word.document.macroenabled.main+xml", "docm"),
    ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml", "xlsx"),
    ("application/vnd.ms-excel.sheet.macroenabled.main+xml", "xlsm"),
    (
        "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml",
        "pptx",
    ),
)
OOXML_PARTS = (
    ("word/document.xml", "docx"),
    ("xl/workbook.xml", "xlsx"),
    ("ppt/presentation.xml", "pptx"),
)
ODF_TYPES = {
    "application/vnd.oasis.opendocument.text": "odt",
    "application/vnd.oasis.opendocument.spreadsheet": "ods",
    "application/vnd.oasis.opendocument.presentation": "odp",
}
OLE_STREAMS = (  # directory entry names, UTF-16LE, of each legacy Office format's main stream
    ("WordDocument", "doc"),
    ("Workbook", "xls"),
    ("Book", "xls"),
    ("PowerPoint Document", "ppt"),
)


class UploadRefused(Exception):
    """The file is refused; `message` says why, translated, for the person uploading."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class ZipLimits:
    max_entries: int
    max_uncompressed: int
    max_ratio: int

    @classmethod
    def from_settings(cls) -> ZipLimits:
        return cls(
            max_entries=getattr(settings, "UPLOAD_ZIP_MAX_ENTRIES", DEFAULT_ZIP_MAX_ENTRIES),
            max_uncompressed=getattr(
                settings, "UPLOAD_ZIP_MAX_UNCOMPRESSED_BYTES", DEFAULT_ZIP_MAX_UNCOMPRESSED_BYTES
            ),
            max_ratio=getattr(settings, "UPLOAD_ZIP_MAX_RATIO", DEFAULT_ZIP_MAX_RATIO),
        )


@dataclass(frozen=True)
class CheckedFile:
    """A file that passed `check_upload`: display name, type by content, size, SHA-256."""

    name: str
    kind: str
    size: int
    sha256: str


def label(kind: str | None) -> str:
    return str(KINDS[kind].label) if kind in KINDS else _("a file of unknown type")


def display_name(name: str) -> str:
    """The user's file name (possibly Chinese) without any path, for display."""
    return (name or "file").split("/")[-1].split("\\")[-1][:255] or "file"


def extension(name: str) -> str:
    base = display_name(name)
    return base[base.rfind(".") :].lower() if "." in base.lstrip(".") else ""


def read_all(fileobj) -> bytes:
    """The whole content of an upload (Django's UploadedFile or a file object), leaving it
    at the start for whoever reads it next."""
    fileobj.seek(0)
    if hasattr(fileobj, "chunks"):
        data = b"".join(fileobj.chunks())
    else:
        data = fileobj.read()
    fileobj.seek(0)
    return data


# --- ZIP archives --------------------------------------------------------------------


def _mb(size: int) -> str:
    """Megabytes as people write them: 100, 2.5, 0.1."""
    return f"{size / 1024 / 1024:.1f}".removesuffix(".0")


def _bomb(reason: str) -> UploadRefused:
    return UploadRefused(
        _(
            "This file was refused: %(reason)s It looks like a “zip bomb”, which would take "
            "the server down when opened. Save the document again from its program, or send "
            "a smaller one."
        )
        % {"reason": reason}
    )


def _damaged() -> UploadRefused:
    return UploadRefused(
        _(
            "This file is damaged or forged: the sizes in its table of contents do not match "
            "its content. Save it again from its program and upload the new copy."
        )
    )


class _Budget:
    """What is left of the limits while an archive and its embedded objects are read."""

    def __init__(self, limits: ZipLimits):
        self.limits = limits
        self.entries = 0
        self.uncompressed = 0


def inspect_zip(data, *, limits: ZipLimits | None = None) -> set[str]:
    """Check a ZIP archive (bytes, or a seekable binary file read in place, so a large
    upload is never copied into memory) before anything parses it; return its entry names.

    Raises UploadRefused for too many entries, too much declared or actual uncompressed
    content, a compression ratio above the limit, an encrypted or unreadable entry, a
    header that lies about sizes (CRC or length mismatch) or an archive nested in it
    (except an Office document's embedded object, inspected against the same budget)."""
    budget = _Budget(limits or ZipLimits.from_settings())
    return _inspect(data, budget, depth=0)


def _inspect(data, budget: _Budget, *, depth: int) -> set[str]:
    limits = budget.limits
    try:
        archive = zipfile.ZipFile(data if hasattr(data, "read") else io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError):
        raise _damaged() from None
    with archive:
        infos = archive.infolist()
        # 1. The central directory, before any decompression.
        budget.entries += len(infos)
        if budget.entries > limits.max_entries:
            raise _bomb(
                _("it holds %(count)s files; at most %(limit)s are allowed.")
                % {"count": budget.entries, "limit": limits.max_entries}
            )
        declared = budget.uncompressed + sum(info.file_size for info in infos)
        if declared > limits.max_uncompressed:
            raise _bomb(
                _("it would unpack to %(size)s MB; at most %(limit)s MB are allowed.")
                % {"size": _mb(declared), "limit": _mb(limits.max_uncompressed)}
            )
        compressed = sum(info.compress_size for info in infos)
        for info in infos:
            _check_ratio(info.file_size, info.compress_size, limits)
        if declared - budget.uncompressed > RATIO_FLOOR_BYTES:
            _check_ratio(declared - budget.uncompressed, compressed, limits)
        for info in infos:
            if info.flag_bits & 0x1:
                raise UploadRefused(
                    _(
                        "This file is encrypted (password-protected). Remove the password and upload it again."
                    )
                )
        # 2. Every entry decompressed as a stream, counted, never trusting the header.
        names = set()
        for info in infos:
            names.add(info.filename)
            if info.is_dir():
                continue
            head, nested = _stream_entry(archive, info, budget, keep=_may_embed(info.filename))
            if head.startswith(ARCHIVE_MAGIC):
                if nested is None or depth >= MAX_NESTING:
                    raise _bomb(
                        _("it holds another archive (%(name)s) inside it.")
                        % {"name": display_name(info.filename)}
                    )
                _inspect(nested, budget, depth=depth + 1)
    return names


def _may_embed(name: str) -> bool:
    """Office documents keep embedded objects (the workbook behind a chart) here."""
    return "/embeddings/" in name or name.startswith("Object ")


def _check_ratio(size: int, compressed: int, limits: ZipLimits) -> None:
    if size > RATIO_FLOOR_BYTES and size > limits.max_ratio * max(compressed, 1):
        raise _bomb(
            _("its content is compressed more than %(ratio)s to 1.") % {"ratio": limits.max_ratio}
        )


def _stream_entry(archive, info, budget: _Budget, *, keep: bool):
    """Decompress one entry in chunks with hard caps. Returns (first bytes, the whole
    content if `keep` else None)."""
    limits = budget.limits
    cap = limits.max_uncompressed - budget.uncompressed
    read = 0
    head = b""
    kept = [] if keep else None
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                read += len(chunk)
                if len(head) < 8:
                    head += chunk[: 8 - len(head)]
                if read > info.file_size:
                    raise _damaged()  # more than its header says
                if read > cap:
                    raise _bomb(
                        _("it would unpack to more than %(limit)s MB.")
                        % {"limit": _mb(limits.max_uncompressed)}
                    )
                if read > RATIO_FLOOR_BYTES and read > limits.max_ratio * max(
                    info.compress_size, 1
                ):
                    raise _bomb(
                        _("its content is compressed more than %(ratio)s to 1.")
                        % {"ratio": limits.max_ratio}
                    )
                if kept is not None:
                    kept.append(chunk)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError):
        raise _damaged() from None
    except (NotImplementedError, RuntimeError):  # unknown compression method, encryption
        raise UploadRefused(
            _(
                "This file uses a compression method or encryption that cannot be checked. Save it again from its program."
            )
        ) from None
    if read != info.file_size:
        raise _damaged()
    budget.uncompressed += read
    return head, (b"".join(kept) if kept is not None else None)


def _zip_kind(data) -> str:
    """The type of a ZIP archive (bytes or a seekable binary file) that passed `inspect_zip`."""
    with zipfile.ZipFile(data if hasattr(data, "read") else io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        if "[Content_Types].xml" in names:
            types = archive.read("[Content_Types].xml").decode("utf-8", "replace").lower()
            for content_type, kind in OOXML_MAIN:
                if content_type in types:
                    return kind
            for part, kind in OOXML_PARTS:
                if part in names:
                    return kind
            return "zip"
        if "mimetype" in names:
            mimetype = archive.read("mimetype")[:100].decode("ascii", "replace").strip()
            return ODF_TYPES.get(mimetype, "zip")
    return "zip"


# --- Detection -----------------------------------------------------------------------


def _ole_kind(data: bytes) -> str:
    for name, kind in OLE_STREAMS:
        if (name + "\x00").encode("utf-16-le") in data:
            return kind
    return "ole"


def _is_text(data: bytes) -> bool:
    body = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    if not body.strip() or b"\x00" in body:
        return False
    for codec in ("utf-8", "cp950", "big5hkscs"):
        try:
            body.decode(codec)
        except UnicodeDecodeError:
            continue
        return len(CONTROL.findall(body)) <= max(3, len(body) // 100)
    return False


def detect(data: bytes, *, limits: ZipLimits | None = None) -> str | None:
    """The type of a file by its content: a key of KINDS, or None (unknown binary, empty).
    A ZIP-based file is inspected first: a bomb raises UploadRefused."""
    if hasattr(data, "read"):
        return detect_file(data, limits=limits)
    if data.startswith(ZIP_MAGIC):
        inspect_zip(data, limits=limits)
        return _zip_kind(data)
    if data.startswith(OLE2):
        return _ole_kind(data)
    for signature, kind in SIGNATURES:
        if data.startswith(signature):
            return kind
    return "text" if _is_text(data) else None


TEXT_PREFIX = 64 * 1024  # bytes of a large text upload judged for being text


def detect_file(fileobj, *, limits: ZipLimits | None = None) -> str | None:
    """`detect` for an upload too large to read at once: a ZIP is inspected in place, any
    other file is judged by its first TEXT_PREFIX bytes (cut at the last line break, so a
    character split at the end does not make text look binary)."""
    fileobj.seek(0)
    head = fileobj.read(TEXT_PREFIX + 1)
    fileobj.seek(0)
    try:
        if head.startswith(ZIP_MAGIC):
            inspect_zip(fileobj, limits=limits)
            return _zip_kind(fileobj)
    finally:
        fileobj.seek(0)
    if len(head) > TEXT_PREFIX:
        cut = head.rfind(b"\n", 0, TEXT_PREFIX)
        head = head[: cut + 1] if cut > 0 else head[:TEXT_PREFIX]
    return detect(head, limits=limits)


def mismatch_message(name: str, kind: str) -> str:
    expected = " ".join(KINDS[kind].extensions)
    ext = extension(name)
    if not ext:
        return _(
            "“%(name)s” is %(kind)s but its name has no extension. Rename it to end in "
            "%(expected)s, or choose the right file."
        ) % {"name": display_name(name), "kind": label(kind), "expected": expected}
    return _(
        "“%(name)s” is %(kind)s but its name ends in %(extension)s. Rename it or choose the "
        "right file."
    ) % {"name": display_name(name), "kind": label(kind), "extension": ext}


def check_upload(
    upload, *, accept: Collection[str], max_bytes: int, not_accepted: str
) -> CheckedFile:
    """The one rule for files we store and others download: at most `max_bytes`, a type
    in `accept` by content, safe to open, and a name whose extension agrees with the
    content (refused otherwise: nothing is stored under a misleading name). Raises
    UploadRefused with the translated reason. `not_accepted` is the caller's message for a
    type it does not take, with %(name)s for the file name."""
    name = display_name(getattr(upload, "name", "") or "")
    if upload.size > max_bytes:
        raise UploadRefused(
            _("“%(name)s” is %(size)s MB; each file may be at most %(limit)s MB.")
            % {
                "name": name,
                "size": round(upload.size / 1024 / 1024, 1),
                "limit": _mb(max_bytes),
            }
        )
    data = read_all(upload)
    kind = detect(data)
    if kind not in accept:
        raise UploadRefused(not_accepted % {"name": name})
    if extension(name) not in KINDS[kind].extensions:
        raise UploadRefused(mismatch_message(name, kind))
    return CheckedFile(name, kind, len(data), hashlib.sha256(data).hexdigest())


def check_import(
    data: bytes, name: str, *, importable: Collection[str] = ("text", "xlsx")
) -> str | None:
    """For a file we parse and do not serve: refuse a ZIP bomb, and a CSV or XLSX whose
    name says the other. Returns the detected kind; any other type is the importer's to
    explain (it has more specific words for a PNG or an old .xls)."""
    kind = detect(data)
    if kind in importable and extension(name) not in KINDS[kind].extensions:
        named = next((k for k in importable if extension(name) in KINDS[k].extensions), None)
        if named is not None:
            raise UploadRefused(mismatch_message(name, kind))
    return kind
