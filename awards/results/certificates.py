"""Certificates (得獎證書): one A4-landscape, bilingual PDF page per award, with a QR code
pointing to the public verification page of its serial.

A certificate's design is a CertificateTemplate (per scheme; the active one is used) or,
without one, the built-in design in templates/results/certificate_default.{html,css}.
A template's HTML is a Django template for the content of ONE certificate (no <html>,
<head> or <body>), rendered in a sandbox (certificate_sandbox) with the values in
CONTEXT_VARIABLES only, each plain text (the QR code as markup); its CSS is given to
WeasyPrint as a stylesheet of its own. Templates come from the secretariat only, and
every one is checked (template_check) before it is saved, used or printed. A saved
template that fails the sandbox check (one saved before the check existed, or changed
in the admin) is marked refused (refused_at) when it is next used or by the command
check_certificate_templates; certificates are then refused until it is corrected.

Printing many certificates lays every page out once, in chunks spread over the Celery
workers: each chunk of CHUNK certificates is laid out (documents of LAYOUT pages joined
with Document.copy, a heartbeat after each), written as one PDF, and cut with pypdf into
its awards' single PDFs; the last chunk done sends the task that merges the chunks' PDFs
(pypdf) into the batch's PDF and their single PDFs into its ZIP. Nothing is laid out
twice, no certificate is a document of its own, and a worker holds one chunk at a time.

Revoked awards: the batch job leaves them out (and says how many); a single revoked
certificate can still be downloaded by those who may see it, stamped 已撤回 / REVOKED
with the date, so that no valid-looking certificate of a revoked award is ever printed.
"""

from __future__ import annotations

import datetime
import io
import re
import zipfile
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import DatabaseError, transaction
from django.template import TemplateSyntaxError
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from workflow import jobs
from workflow.audit import audit_record
from workflow.models import Job
from workflow.site import site_url

from . import certificate_sandbox as sandbox
from .compilation import ResultsError
from .enums import VersionStatus
from .models import Award, CertificateTemplate

DEFAULT_DIR = Path(settings.BASE_DIR) / "templates" / "results"

# What every certificate document gets before the template's own CSS: the page size
# (a template may change the margins, not the paper) and one page per certificate.
BASE_CSS = """
@page { size: A4 landscape; margin: 8mm; }
html, body { margin: 0; padding: 0; }
body { font-family: "Noto Serif CJK TC", "Noto Sans CJK TC", serif; }
section.certificate-page { page-break-after: always; break-after: page; }
section.certificate-page:last-child { page-break-after: auto; break-after: auto; }
"""

# The values a template may use, in the order the editing page lists them.
CONTEXT_VARIABLES = [
    ("scheme_zh", gettext_lazy("Award scheme (Chinese)")),
    ("scheme_en", gettext_lazy("Award scheme (English)")),
    ("edition_zh", gettext_lazy("Edition (Chinese)")),
    ("edition_en", gettext_lazy("Edition (English)")),
    ("category_zh", gettext_lazy("Category (Chinese)")),
    ("category_en", gettext_lazy("Category (English)")),
    ("award_zh", gettext_lazy("Award (Chinese)")),
    ("award_en", gettext_lazy("Award (English)")),
    ("level_zh", gettext_lazy("Award level (Chinese), may be empty")),
    ("level_en", gettext_lazy("Award level (English), may be empty")),
    ("citation_zh", gettext_lazy("Citation (Chinese), may be empty")),
    ("citation_en", gettext_lazy("Citation (English), may be empty")),
    ("agency_zh", gettext_lazy("Agency (Chinese)")),
    ("agency_en", gettext_lazy("Agency (English)")),
    (
        "nominee_zh",
        gettext_lazy("The individual or team awarded (Chinese), empty for an agency's award"),
    ),
    ("nominee_en", gettext_lazy("The individual or team awarded (English), may be empty")),
    ("nominee_post", gettext_lazy("The individual's post, may be empty")),
    ("date_zh", gettext_lazy("Date of issue in Chinese, e.g. 2016年5月20日")),
    (
        "date_roc",
        gettext_lazy("Date of issue in the Republic of China calendar, e.g. 中華民國105年5月20日"),
    ),
    ("date_en", gettext_lazy("Date of issue in English, e.g. 20 May 2016")),
    ("signatory_zh", gettext_lazy("Signatory (Chinese)")),
    ("signatory_en", gettext_lazy("Signatory (English)")),
    ("serial", gettext_lazy("Serial number, e.g. 7K3M-Q9TB-X2WD-H4NP")),
    ("verify_url", gettext_lazy("Address of the public verification page of this certificate")),
    ("qr_svg", gettext_lazy("QR code of that address (SVG, style it with .qr svg)")),
    ("revoked", gettext_lazy("True if the award was revoked")),
    ("revoked_on_zh", gettext_lazy("Date of revocation in Chinese")),
    ("revoked_on_en", gettext_lazy("Date of revocation in English")),
]

MONTHS_EN = (
    "January February March April May June July August September October November December"
).split()

# The only names a template may use (certificate_sandbox refuses any other).
VARIABLE_NAMES = frozenset(name for name, _label in CONTEXT_VARIABLES)


@dataclass(frozen=True)
class Design:
    """What a certificate is drawn with: a saved template, or the built-in default."""

    html: str
    css: str
    signatory_zh: str
    signatory_en: str
    template: CertificateTemplate | None = None

    @property
    def name(self) -> str:
        return self.template.name if self.template else _("Built-in design")


def default_html() -> str:
    return (DEFAULT_DIR / "certificate_default.html").read_text(encoding="utf-8")


def default_css() -> str:
    return (DEFAULT_DIR / "certificate_default.css").read_text(encoding="utf-8")


def active_template(scheme) -> CertificateTemplate | None:
    return CertificateTemplate.objects.filter(scheme=scheme, is_active=True).first()


def design_for(scheme, template: CertificateTemplate | None = None) -> Design:
    """The given template, else the scheme's active one, else the built-in design
    (signed by the scheme's organiser)."""
    template = template or active_template(scheme)
    if template is not None:
        return Design(
            template.html, template.css, template.signatory_zh, template.signatory_en, template
        )
    return default_design(scheme)


def default_design(scheme) -> Design:
    return Design(default_html(), default_css(), scheme.organiser_zh, scheme.organiser_en)


# --- dates and the QR code ------------------------------------------------------------


def date_zh(day: datetime.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def date_roc(day: datetime.date) -> str:
    return f"中華民國{day.year - 1911}年{day.month}月{day.day}日"


def date_en(day: datetime.date) -> str:
    return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"


def verify_url(serial: str, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("results:verify_serial", args=[serial])


def qr_svg(url: str) -> str:
    import segno

    svg = segno.make(url, error="m").svg_inline(
        scale=1, border=0, omitsize=True, dark="#000", svgclass="qr-code", lineclass=None
    )
    return mark_safe(svg)  # noqa: S308 - segno's own markup; the URL is ours


# --- rendering context ------------------------------------------------------------------

SAMPLE_SERIAL = "7K3M-Q9TB-X2WD-H4NP"


def plain_values(values: dict) -> dict:
    """The values as a template gets them: text (markup stays markup), True/False kept,
    None as empty text. Only the documented names."""
    plain = {}
    for name in VARIABLE_NAMES:
        value = values.get(name)
        if isinstance(value, bool | str):
            plain[name] = value
        else:
            plain[name] = "" if value is None else str(value)
    return plain


def frozen_names(award: Award) -> dict:
    """The category's and the agency's names as the award's version froze them (its
    snapshot), so a certificate never shows a name changed after compiling; the live
    names only for an award the snapshot does not list."""
    names = {
        "category_zh": award.category.name_zh,
        "category_en": award.category.name_en,
        "agency_zh": award.agency.name_zh,
        "agency_en": award.agency.name_en,
    }
    data = award.version.data if isinstance(award.version.data, dict) else {}
    for category in data.get("categories") or []:
        if category.get("id") != award.category_id:
            continue
        names.update(category_zh=category["name_zh"], category_en=category["name_en"])
        for row in category.get("rows") or []:
            if row.get("agency_id") == award.agency_id and (
                award.nomination_id is None or row.get("nomination_id") == award.nomination_id
            ):
                names.update(agency_zh=row["agency_zh"], agency_en=row["agency_en"])
                break
    return names


def nominee_names(award: Award) -> dict:
    """The individual or team the award names (read live, not from the snapshot: personal
    data stays only in awards.Nominee, so that an erasure leaves no copy). Load the award
    with select_related("nomination__nominee")."""
    nominee = getattr(award.nomination, "nominee", None) if award.nomination_id else None
    if nominee is None or nominee.erased_at is not None:
        # Erased on request: a certificate printed later names the department only.
        return {"nominee_zh": "", "nominee_en": "", "nominee_post": ""}
    return {
        "nominee_zh": nominee.name_zh,
        "nominee_en": nominee.name_en,
        "nominee_post": nominee.post,
    }


def certificate_context(award: Award, design: Design, base_url: str) -> dict:
    """The documented values (CONTEXT_VARIABLES) for one award, as plain text: no model
    instance reaches a template. Names come from the version's snapshot (frozen_names)."""
    edition = award.version.edition
    scheme = edition.scheme
    issued = award.issued_on or timezone.localdate()
    url = verify_url(award.serial or SAMPLE_SERIAL, base_url)
    return plain_values(
        {
            "scheme_zh": scheme.name_zh,
            "scheme_en": scheme.name_en,
            "edition_zh": edition.name_zh,
            "edition_en": edition.name_en,
            **frozen_names(award),
            **nominee_names(award),
            "award_zh": award.name_zh,
            "award_en": award.name_en,
            "level_zh": award.level_zh,
            "level_en": award.level_en,
            "citation_zh": award.citation_zh,
            "citation_en": award.citation_en,
            "date_zh": date_zh(issued),
            "date_roc": date_roc(issued),
            "date_en": date_en(issued),
            "signatory_zh": design.signatory_zh,
            "signatory_en": design.signatory_en,
            "serial": award.serial or SAMPLE_SERIAL,
            "verify_url": url,
            "qr_svg": qr_svg(url),
            "revoked": award.revoked_on is not None,
            "revoked_on_zh": date_zh(award.revoked_on) if award.revoked_on else "",
            "revoked_on_en": date_en(award.revoked_on) if award.revoked_on else "",
        }
    )


def sample_context(design: Design, base_url: str = "https://example.org/", **over) -> dict:
    """Invented values, for checking and previewing a template without any award."""
    day = datetime.date(2016, 5, 20)
    url = verify_url(SAMPLE_SERIAL, base_url)
    values = {
        "scheme_zh": "政府服務品質獎",
        "scheme_en": "Government Service Quality Award",
        "edition_zh": "第八屆政府服務品質獎",
        "edition_en": "8th Government Service Quality Award",
        "category_zh": "第一線服務機關",
        "category_en": "First-line service agencies",
        "award_zh": "第一線服務機關",
        "award_en": "First-line service agencies",
        "level_zh": "特優",
        "level_en": "Distinction",
        "citation_zh": "",
        "citation_en": "",
        "agency_zh": "臺北市中山區戶政事務所",
        "agency_en": "Zhongshan District Household Registration Office, Taipei City",
        "nominee_zh": "",
        "nominee_en": "",
        "nominee_post": "",
        "date_zh": date_zh(day),
        "date_roc": date_roc(day),
        "date_en": date_en(day),
        "signatory_zh": design.signatory_zh or "國家發展委員會",
        "signatory_en": design.signatory_en or "National Development Council",
        "serial": SAMPLE_SERIAL,
        "verify_url": url,
        "qr_svg": qr_svg(url),
        "revoked": False,
        "revoked_on_zh": "",
        "revoked_on_en": "",
    }
    values.update(over)
    return plain_values(values)


# --- checking a template ------------------------------------------------------------------

VOID_ELEMENTS = frozenset("area base br col embed hr img input link meta source track wbr".split())
FORBIDDEN_ELEMENTS = frozenset({"html", "head", "body", "script", "iframe", "object"})

_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.S)
_DJANGO_TAGS = re.compile(r"{#.*?#}|{%.*?%}|{{.*?}}", re.S)


def _blank(match) -> str:
    """A Django tag replaced by spaces (keeping its newlines), so line numbers stay."""
    return re.sub(r"[^\n]", " ", match.group(0))


class _TagChecker(HTMLParser):
    """Unbalanced, mismatched and unclosed elements, each with its line."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, int]] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        if tag in FORBIDDEN_ELEMENTS:
            self.errors.append(
                _(
                    "Line %(line)d: <%(tag)s> is not allowed: write only the certificate's "
                    "content (no <html>, <head>, <body> or scripts)."
                )
                % {"line": line, "tag": tag}
            )
        if tag not in VOID_ELEMENTS:
            self.stack.append((tag, line))

    def handle_startendtag(self, tag, attrs):
        if tag in VOID_ELEMENTS:
            return
        # HTML has no self-closing elements: <div/> opens a div that is never closed.
        self.errors.append(
            _("Line %(line)d: <%(tag)s/> does not close itself in HTML: write <%(tag)s></%(tag)s>.")
            % {"line": self.getpos()[0], "tag": tag}
        )
        if tag in FORBIDDEN_ELEMENTS:
            self.handle_starttag(tag, attrs)
            self.stack.pop()

    def handle_endtag(self, tag):
        line = self.getpos()[0]
        if tag in VOID_ELEMENTS:
            self.errors.append(
                _("Line %(line)d: </%(tag)s> is not needed: <%(tag)s> has no end tag.")
                % {"line": line, "tag": tag}
            )
            return
        open_tags = [name for name, _line in self.stack]
        if tag not in open_tags:
            self.errors.append(
                _("Line %(line)d: </%(tag)s> closes nothing: no <%(tag)s> is open.")
                % {"line": line, "tag": tag}
            )
            return
        # Everything opened after the matching start tag is left unclosed.
        while self.stack:
            name, opened = self.stack.pop()
            if name == tag:
                break
            self.errors.append(
                _(
                    "Line %(line)d: <%(tag)s> (opened on line %(opened)d) is not closed "
                    "before </%(end)s>."
                )
                % {"line": line, "tag": name, "opened": opened, "end": tag}
            )

    def close(self):
        super().close()
        for name, opened in self.stack:
            self.errors.append(
                _("Line %(line)d: <%(tag)s> is never closed.") % {"line": opened, "tag": name}
            )
        self.stack = []


def html_errors(html: str) -> list[str]:
    """Broken HTML in a template's source, with line numbers; Django tags are ignored."""
    source = _COMMENT_BLOCK.sub(_blank, html)
    source = _DJANGO_TAGS.sub(_blank, source)
    checker = _TagChecker()
    checker.feed(source)
    checker.close()
    return checker.errors


def css_errors(css: str) -> list[str]:
    """Unbalanced braces in the CSS (outside comments and strings), with line numbers."""
    errors, depth, line, i = [], [], 1, 0
    while i < len(css):
        ch = css[i]
        if css.startswith("/*", i):
            end = css.find("*/", i + 2)
            end = len(css) if end < 0 else end + 2
            line += css.count("\n", i, end)
            i = end
            continue
        if ch in "\"'":
            end = i + 1
            while end < len(css) and css[end] not in (ch, "\n"):
                end += 2 if css[end] == "\\" else 1
            i = end + 1
            continue
        if ch == "\n":
            line += 1
        elif ch == "{":
            depth.append(line)
        elif ch == "}":
            if depth:
                depth.pop()
            else:
                errors.append(_("CSS line %(line)d: “}” closes nothing.") % {"line": line})
        i += 1
    for opened in depth:
        errors.append(_("CSS line %(line)d: “{” is never closed.") % {"line": opened})
    return errors


def _line_of(exc) -> int | None:
    info = getattr(exc, "template_debug", None)
    return info["line"] if info else None


def _compile(html: str):
    return sandbox.compile_template(html)


def sandbox_errors(html: str) -> list[str]:
    """Tags, names and attribute chains the template may not use, each with its line."""
    return sandbox.errors(html or "", VARIABLE_NAMES)


def _compile_errors(html: str):
    """(compiled template or None, its syntax error with the line, if any)."""
    try:
        return _compile(html), []
    except TemplateSyntaxError as exc:
        line = _line_of(exc)
        return None, [
            _("Line %(line)d: %(error)s") % {"line": line, "error": exc}
            if line
            else _("Template error: %(error)s") % {"error": exc}
        ]


def render(compiled, values: dict) -> str:
    """A compiled template filled in with one certificate's values (plain text only)."""
    return sandbox.render(compiled, plain_values(values))


def template_check(html: str, css: str = "") -> list[str]:
    """Everything wrong with a template, each message with its line: a tag, name or
    attribute chain the sandbox refuses, template syntax (e.g. an {% if %} never
    closed), broken HTML, unbalanced CSS, and errors when rendering it with sample
    values. An empty list: the template can be used."""
    if not (html or "").strip():
        return [_("The HTML is empty.")]
    refusals = sandbox.check(html, VARIABLE_NAMES)
    errors = [message for _kind, message in refusals]
    compiled = None
    if not any(kind == "tag" for kind, _message in refusals):
        # (A refused tag is not compiled: Django's English message would repeat it.)
        compiled, syntax = _compile_errors(html)
        errors += syntax
    if refusals:
        compiled = None  # never rendered, not even with sample values
    errors += html_errors(html)
    errors += css_errors(css or "")
    if compiled is not None:
        design = Design(html, css, "", "")
        try:
            render(compiled, sample_context(design))
        except Exception as exc:  # noqa: BLE001 - any error in the secretariat's template
            line = _line_of(exc)
            errors.append(
                _("Line %(line)d: error while rendering: %(error)s") % {"line": line, "error": exc}
                if line
                else _("Error while rendering: %(error)s") % {"error": exc}
            )
    return errors


def _checked(design: Design):
    """The design's template compiled, or ResultsError: a saved template marked refused,
    or any error of template_check. A saved template that the sandbox refuses (saved
    before the check, or changed in the admin) is marked refused here, at first use."""
    saved = design.template
    if saved is not None and saved.pk and saved.refused_at is None:
        unsafe = sandbox_errors(design.html)
        if unsafe:
            saved = certificate_template_refuse(template=saved, errors=unsafe)
    if saved is not None and saved.refused_at is not None:
        raise ResultsError(
            _(
                "The certificate template “%(name)s” was refused by the security check: it "
                "uses values or tags a certificate may not use. No certificate of this "
                "scheme is printed until the secretariat corrects it or goes back to the "
                "built-in design."
            )
            % {"name": saved.name},
            *template_refusal(saved),
        )
    errors = template_check(design.html, design.css)
    if errors:
        raise ResultsError(
            _("The certificate template “%(name)s” has errors; nothing was issued.")
            % {"name": design.name},
            *errors,
        )
    return _compile(design.html)


# --- rendering --------------------------------------------------------------------------


def _url_fetcher():
    """Certificates may embed data: URIs (e.g. a logo), never fetch anything else."""
    from weasyprint.urls import URLFetcher

    return URLFetcher(allowed_protocols={"data"}, allow_redirects=False)


def document_html(fragments: list[tuple[str, str]]) -> str:
    """One HTML document of certificates: (anchor id, rendered template) each a page."""
    body = "".join(
        f'<section class="certificate-page" id="{escape(anchor)}">{content}</section>'
        for anchor, content in fragments
    )
    return (
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8">'
        "<title>Certificates</title></head>"
        f"<body>{body}</body></html>"
    )


def render_document(html: str, css: str):
    """Lay the document out once (WeasyPrint), with the base and the template's CSS."""
    from weasyprint import CSS, HTML

    fetcher = _url_fetcher()
    return HTML(string=html, url_fetcher=fetcher).render(
        stylesheets=[CSS(string=BASE_CSS), CSS(string=css or "", url_fetcher=fetcher)]
    )


def pages_by_anchor(document, anchors: list[str]) -> list[list]:
    """Each certificate's pages (one, unless a template overflows), found by the anchor
    that starts it, in the order of `anchors`."""
    starts = {}
    for index, page in enumerate(document.pages):
        for name in page.anchors:
            starts.setdefault(name, index)
    bounds = [starts[a] for a in anchors] + [len(document.pages)]
    return [document.pages[bounds[i] : bounds[i + 1]] for i in range(len(anchors))]


def _anchor(award: Award) -> str:
    return f"certificate-{award.pk}"


# Certificates laid out per WeasyPrint document. Layout costs the same per page however
# the pages are grouped (see bench/certificates.py); documents of 50 let the batch job
# report progress (and send heartbeats) while a large edition is laid out, and their
# pages are then joined into one document (fonts shared) with Document.copy.
CHUNK = 50


def certificates_document(
    awards, design: Design, base_url: str, beat=None, chunk=CHUNK, count=None
):
    """All the awards' certificates as one WeasyPrint document, a page (at least) each.
    `beat(percent)` (10–60) or `count(certificates)` after each document of `chunk`."""
    compiled = _checked(design)
    documents = []
    for start in range(0, len(awards), chunk):
        fragments = [
            (_anchor(a), render(compiled, certificate_context(a, design, base_url)))
            for a in awards[start : start + chunk]
        ]
        documents.append(render_document(document_html(fragments), design.css))
        if beat:
            beat(10 + 50 * min(start + chunk, len(awards)) // len(awards))
        if count:
            count(min(start + chunk, len(awards)))
    if len(documents) == 1:
        return documents[0]
    return documents[0].copy([page for d in documents for page in d.pages])


def certificate_pdf(
    award: Award, template: CertificateTemplate | None = None, *, base_url
) -> bytes:
    """One award's certificate (the scheme's active template unless one is given)."""
    if not award.serial:
        raise ResultsError(_("This award has no certificate: its results are not approved."))
    design = design_for(award.version.edition.scheme, template)
    return certificates_document([award], design, base_url).write_pdf()


def zip_name(award: Award) -> str:
    code = re.sub(r"[^A-Za-z0-9_.-]", "_", award.agency.code or "")
    return f"{code}-{award.serial}.pdf" if code else f"{award.serial}.pdf"


def _cut(pdf: bytes, groups: list[list[int]]):
    """Single PDFs cut from a rendered PDF with pypdf: one per group of page numbers,
    sharing the rendered fonts (nothing is laid out or subset again)."""
    from pypdf import PdfReader, PdfWriter

    reader = PdfReader(io.BytesIO(pdf))
    for group in groups:
        writer = PdfWriter()
        for number in group:
            writer.add_page(reader.pages[number])
        out = io.BytesIO()
        writer.write(out)
        yield out.getvalue()


def _page_groups(document, anchors: list[str]) -> list[list[int]]:
    """The page numbers of each certificate (pages_by_anchor, as numbers)."""
    numbers = {id(page): i for i, page in enumerate(document.pages)}
    return [[numbers[id(p)] for p in pages] for pages in pages_by_anchor(document, anchors)]


# Single PDFs are stored in the ZIP, not deflated: pypdf writes their streams compressed
# already, and deflating them again gains little for time spent in the one merging task.
ZIP_MEMBER = zipfile.ZIP_STORED


def certificates_zip(document, awards, beat=None) -> bytes:
    """A ZIP of one PDF per award, cut with pypdf from the laid-out document's PDF."""
    buffer = io.BytesIO()
    groups = _page_groups(document, [_anchor(a) for a in awards])
    singles = _cut(document.write_pdf(), groups)
    with zipfile.ZipFile(buffer, "w", ZIP_MEMBER) as archive:
        for i, (award, single) in enumerate(zip(awards, singles, strict=True), start=1):
            archive.writestr(zip_name(award), single)
            if beat and i % 10 == 0:
                beat(75 + 20 * i // len(awards))
    return buffer.getvalue()


# --- a batch in chunks ---------------------------------------------------------------------
#
# A batch is cut into chunks of CHUNK certificates. Each chunk is laid out on its own (in
# documents of LAYOUT certificates, a heartbeat after each), written as one PDF, and cut
# with pypdf into the single PDFs of its awards (a ZIP of the chunk). The chunks are then
# joined: their PDFs merged with pypdf into the batch's PDF, their ZIPs' members copied
# into the batch's ZIP. In the job, each chunk is a Celery task of its own (any worker
# takes it, workflow.jobs.part_claim) and the last chunk done sends the merging task; in
# certificates_batch the same steps run one after the other. A worker holds one chunk's
# pages at a time (files are written at once), so its memory does not grow with the batch.

LAYOUT = 10


def chunk_render(awards, design: Design, base_url: str, beat=None) -> tuple[bytes, bytes, int]:
    """(PDF of the chunk, ZIP of its single PDFs, pages) for a few awards; `beat(n)` is
    called with the number of certificates laid out so far."""
    document = certificates_document(awards, design, base_url, chunk=LAYOUT, count=beat)
    pdf = document.write_pdf()
    groups = _page_groups(document, [_anchor(a) for a in awards])
    pages = len(document.pages)
    del document
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", ZIP_MEMBER) as archive:
        for award, single in zip(awards, _cut(pdf, groups), strict=True):
            archive.writestr(zip_name(award), single)
    if beat:
        beat(len(awards))
    return pdf, buffer.getvalue(), pages


def chunks_merge(pdfs, zips, pdf_out, zip_out, beat=None) -> int:
    """Join chunk PDFs (files or bytes, in order) into one PDF written to `pdf_out`, and
    the chunks' ZIPs into one ZIP written to `zip_out`. Returns the number of pages."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for i, pdf in enumerate(pdfs, start=1):
        writer.append(io.BytesIO(pdf) if isinstance(pdf, bytes) else pdf)
        if beat:
            beat(i)
    writer.write(pdf_out)
    pages = len(writer.pages)
    del writer
    with zipfile.ZipFile(zip_out, "w", ZIP_MEMBER) as archive:
        for part in zips:
            with zipfile.ZipFile(io.BytesIO(part) if isinstance(part, bytes) else part) as z:
                for info in z.infolist():
                    archive.writestr(info.filename, z.read(info))
    return pages


def _design_of(awards, template) -> Design:
    return (
        template
        if isinstance(template, Design)
        else design_for(awards[0].version.edition.scheme, template)
    )


def certificates_batch(awards, template, base_url, beat=None, chunk=CHUNK) -> tuple[bytes, bytes]:
    """(the merged PDF, a ZIP of one PDF per award), chunk by chunk in this process, as
    the job does it across workers. `template` is a CertificateTemplate, a Design or
    None (the scheme's active one)."""
    awards = list(awards)
    if not awards:
        raise ResultsError(_("There is no award to print a certificate for."))
    design = _design_of(awards, template)
    _checked(design)
    pdfs, zips = [], []
    for start in range(0, len(awards), chunk):
        pdf, archive, _pages = chunk_render(awards[start : start + chunk], design, base_url)
        pdfs.append(pdf)
        zips.append(archive)
        if beat:
            beat(10 + 65 * min(start + chunk, len(awards)) // len(awards))
    merged, archive = io.BytesIO(), io.BytesIO()
    chunks_merge(pdfs, zips, merged, archive)
    return merged.getvalue(), archive.getvalue()


# --- the batch job ------------------------------------------------------------------------


def _job_context(job: Job):
    from .services import job_version

    version = job_version(job)
    if version is None or version.status != VersionStatus.APPROVED:
        raise ResultsError(
            _("Certificates are printed only from approved results; version %(n)s is not approved.")
            % {"n": version.number if version else "—"}
        )
    return version


def chunk_size() -> int:
    """Certificates per chunk of the batch job (settings.RESULTS_CERTIFICATES_CHUNK)."""
    return max(1, int(getattr(settings, "RESULTS_CERTIFICATES_CHUNK", CHUNK)))


def certificates_plan(job: Job) -> list[list[int]]:
    """Check the job (approved results, a usable template) and cut its awards (revoked
    ones left out) into chunks: the job's parts (workflow.jobs.parts_plan). Returns
    each chunk's award ids, in the certificates' order."""
    from .selectors import awards_of

    version = _job_context(job)
    design = design_for(version.edition.scheme)
    _checked(design)
    all_awards = list(awards_of(version).values_list("pk", "serial", "revoked_on"))
    awards = [pk for pk, serial, revoked_on in all_awards if serial and revoked_on is None]
    if not awards:
        raise ResultsError(_("There is no award to print a certificate for."))
    size = chunk_size()
    chunks = [awards[i : i + size] for i in range(0, len(awards), size)]
    jobs.parts_plan(
        job,
        len(chunks),
        len(awards),
        data={
            "certificates": len(awards),
            "skipped_revoked": len(all_awards) - len(awards),
            "template": str(design.name),
            "template_id": design.template.pk if design.template else None,
        },
    )
    return chunks


def certificates_execute(job: Job, beat):
    """The batch job: every certificate of an approved version, revoked awards left out,
    as one PDF (job.file) and a ZIP of single ones (job.archive). Refused (nothing
    issued) for a version that is not approved or a broken template. The chunks are
    sent to the workers (results.certificates_chunk); the last one done sends the
    merging task (results.certificates_merge), which finishes the job."""
    from .tasks import certificates_chunk

    beat(5)
    for index, award_ids in enumerate(certificates_plan(job)):
        certificates_chunk.delay(job_id=job.pk, index=index, award_ids=award_ids)
    return jobs.CONTINUES


def _part_storage():
    from django.core.files.storage import default_storage

    return default_storage


def _part_name(job: Job, index: int, ext: str) -> str:
    return f"jobs/{job.kind}/parts/{job.pk}/{index:05d}.{ext}"


def _job_failing(job_id: int, exc: BaseException) -> None:
    """A chunk or the merge failed: the job fails with the reason (nothing is issued)."""
    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != "running":
        return
    found = getattr(exc, "messages", None) or [str(exc)]
    with translation.override(job.language or settings.LANGUAGE_CODE):
        jobs.fail(job, messages=[str(m) for m in found])


def certificates_chunk_run(*, job_id: int, index: int, award_ids: list[int], beat=None) -> str:
    """One chunk of the batch job, in whichever worker took its task: lay out its
    certificates, store its PDF and the ZIP of its single PDFs, and count them in the
    job's progress. Done once even if its task is delivered twice; a heartbeat after
    every few certificates keeps the job alive however long the chunk takes. `beat`
    (tests) is called before each heartbeat."""
    if not jobs.part_claim(job_id, index):
        return "taken"
    job = Job.objects.get(pk=job_id)
    try:
        with translation.override(job.language or settings.LANGUAGE_CODE):
            version = _job_context(job)
            data = jobs.parts_of(job)["data"]
            template = (
                CertificateTemplate.objects.filter(pk=data["template_id"]).first()
                if data.get("template_id")
                else None
            )
            design = design_for(version.edition.scheme, template)
            order = {pk: i for i, pk in enumerate(award_ids)}
            awards = sorted(
                Award.objects.filter(pk__in=award_ids).select_related(
                    "agency", "category", "version__edition__scheme", "nomination__nominee"
                ),
                key=lambda a: order[a.pk],
            )
            base_url = (job.params or {}).get("base_url") or (site_url() + "/")

            def report(done: int) -> None:
                if beat:
                    beat(done)
                if not jobs.part_beat(job_id, index, done):
                    raise _Stopped

            pdf, archive, pages = chunk_render(awards, design, base_url, beat=report)
    except _Stopped:
        return "stopped"
    except ResultsError as exc:
        _job_failing(job_id, exc)
        return "failed"
    except (ValueError, OSError, DatabaseError) as exc:
        _job_failing(job_id, exc)  # then raised again, for the worker's log
        raise
    storage = _part_storage()
    names = {
        "pdf": storage.save(_part_name(job, index, "pdf"), ContentFile(pdf)),
        "zip": storage.save(_part_name(job, index, "zip"), ContentFile(archive)),
    }
    last = jobs.part_done(job_id, index, len(awards), {**names, "pages": pages})
    if last is None:  # the job stopped meanwhile: nothing of this chunk is kept
        for name in names.values():
            storage.delete(name)
        return "stopped"
    if last:
        from .tasks import certificates_merge

        certificates_merge.delay(job_id=job_id)
    return "done"


class _Stopped(Exception):
    """The job stopped running (marked stale, failed) while a chunk was laid out."""


def certificates_merge_run(*, job_id: int) -> str:
    """The batch job's last step: the chunks' PDFs merged into the job's PDF, their
    single PDFs into its ZIP; the chunks' files deleted; the job finished."""
    try:
        return _merge(job_id)
    except ResultsError as exc:
        _job_failing(job_id, exc)
        return "failed"
    except (ValueError, OSError, DatabaseError) as exc:
        _job_failing(job_id, exc)  # then raised again, for the worker's log
        raise


def _merge(job_id: int) -> str:
    import tempfile

    from django.core.files import File

    job = Job.objects.filter(pk=job_id).first()
    if job is None or job.status != "running" or not jobs.parts_of(job):
        return "stopped"
    plan = jobs.parts_of(job)
    parts = jobs.parts_done(job)
    if len(parts) != plan["total"]:
        return "waiting"
    storage = _part_storage()
    version = _job_context(job)
    edition = version.edition
    stem = f"certificates-{edition.scheme.code}-{edition.number}-v{version.number}"

    def beat(i: int) -> None:
        jobs.beat(job_id, plan["high"] + (99 - plan["high"]) * i // len(parts))

    with tempfile.TemporaryFile() as pdf_out, tempfile.TemporaryFile() as zip_out:
        opened = []
        try:
            pdfs = [storage.open(p["pdf"], "rb") for p in parts]
            zips = [storage.open(p["zip"], "rb") for p in parts]
            opened = pdfs + zips
            chunks_merge(pdfs, zips, pdf_out, zip_out, beat=beat)
        finally:
            for f in opened:
                f.close()
        pdf_out.seek(0)
        zip_out.seek(0)
        job.file.save(f"{stem}.pdf", File(pdf_out), save=False)
        job.archive.save(f"{stem}.zip", File(zip_out), save=False)
    data = plan["data"]
    jobs.finish(
        job,
        {
            "certificates": data["certificates"],
            "skipped_revoked": data["skipped_revoked"],
            "template": data["template"],
        },
    )
    for part in parts:
        storage.delete(part["pdf"])
        storage.delete(part["zip"])
    return "done"


# --- the secretariat's templates (writes) ---------------------------------------------------


def preview_award(scheme) -> Award | None:
    """The first award of the scheme's latest approved results, for previews."""
    return (
        Award.objects.filter(
            version__edition__scheme=scheme,
            version__status=VersionStatus.APPROVED,
            serial__isnull=False,
        )
        .select_related("agency", "category", "version__edition__scheme", "nomination__nominee")
        .order_by("-version__edition__number", "category__order", "order", "pk")
        .first()
    )


def _preview_content(design: Design, scheme, base_url: str) -> str:
    compiled = _checked(design)
    award = preview_award(scheme)
    if award is not None:
        context = certificate_context(award, design, base_url)
    else:
        context = sample_context(
            design,
            base_url,
            scheme_zh=scheme.name_zh,
            scheme_en=scheme.name_en,
            signatory_zh=design.signatory_zh,
            signatory_en=design.signatory_en,
        )
    return render(compiled, context)


def preview_pdf(design: Design, scheme, base_url: str) -> tuple[bytes, int]:
    """(PDF, number of pages) of the design filled in with the scheme's first approved
    award, or with sample values. Raises ResultsError with the template's errors."""
    content = _preview_content(design, scheme, base_url)
    document = render_document(document_html([("certificate-preview", content)]), design.css)
    return document.write_pdf(), len(document.pages)


def preview_html(design: Design, scheme, base_url: str) -> str:
    """The same preview as a web page (a screen approximation of the PDF)."""
    content = _preview_content(design, scheme, base_url)
    css = (BASE_CSS + "\n" + (design.css or "") + "\n" + SCREEN_CSS).replace("</", "<\\/")
    return (
        '<!DOCTYPE html><html lang="zh-Hant"><head><meta charset="utf-8">'
        f"<title>{escape(design.name)}</title><style>{css}</style></head>"
        f'<body><section class="certificate-page">{content}</section></body></html>'
    )


# On screen there are no pages: show the certificate as a sheet of A4 landscape paper,
# zoomed out to fit the frame it is shown in.
SCREEN_CSS = """
@media screen {
  html { background: #8a94a3; }
  body { padding: 16px; }
  section.certificate-page { width: 297mm; height: 210mm; padding: 8mm; margin: 0 auto;
    background: #fff; box-sizing: border-box; box-shadow: 0 2px 10px rgba(0,0,0,.35);
    overflow: hidden; }
}
""" + "".join(
    f"@media screen and (max-width: {w}px) {{ body {{ zoom: {z}; }} }}\n"
    for w, z in ((1160, 0.9), (1045, 0.8), (930, 0.7), (815, 0.6), (700, 0.5), (585, 0.4))
)


def _one_page(design: Design, scheme, base_url: str) -> None:
    _pdf, pages = preview_pdf(design, scheme, base_url)
    if pages != 1:
        raise ResultsError(
            _(
                "The certificate takes %(pages)d pages: it must fit on one A4 landscape "
                "page. Shorten it or make its text smaller."
            )
            % {"pages": pages}
        )


def template_refusal(template: CertificateTemplate) -> list[str]:
    """Why a refused template cannot be used, each reason with its line, in the reader's
    language (read again from its HTML). Empty for a template that is not refused."""
    if template.refused_at is None:
        return []
    return sandbox_errors(template.html) or [
        _("Save it again to have it checked with the current rules.")
    ]


@transaction.atomic
def certificate_template_refuse(
    *, template: CertificateTemplate, errors: list[str], actor=None
) -> CertificateTemplate:
    """Mark a saved template refused by the sandbox check (`errors`, its reasons). It
    stays the scheme's template in use, if it was, so that certificates are refused
    rather than silently printed with another design. Nothing happens twice."""
    template = (
        CertificateTemplate.objects.select_for_update().select_related("scheme").get(pk=template.pk)
    )
    if template.refused_at is None:
        template.refused_at = timezone.now()
        template.save(update_fields=["refused_at"])
        audit_record(
            actor=actor,
            action="results.certificate_template.refuse",
            obj=template,
            from_state="usable",
            to_state="refused",
            reason=str(errors[0])[:500] if errors else "",
            data={
                "scheme": template.scheme.code,
                "active": template.is_active,
                "errors": [str(e) for e in errors],
            },
        )
    return template


def certificate_templates_recheck(*, actor=None) -> list[tuple[CertificateTemplate, list[str]]]:
    """Check every saved template that is not yet refused with the sandbox check and mark
    those that fail it refused: (template, reasons) of each one marked now."""
    refused = []
    for template in CertificateTemplate.objects.filter(refused_at__isnull=True).order_by("pk"):
        errors = sandbox_errors(template.html)
        if errors:
            refused.append((certificate_template_refuse(template=template, errors=errors), errors))
    return refused


def _unrefuse(template: CertificateTemplate, actor) -> None:
    """A refused template that now passes every check is usable again (the caller saves)."""
    audit_record(
        actor=actor,
        action="results.certificate_template.unrefuse",
        obj=template,
        from_state="refused",
        to_state="usable",
    )
    template.refused_at = None


def _clean(value: str) -> str:
    return (value or "").replace("\r\n", "\n").strip()


@transaction.atomic
def certificate_template_save(
    *,
    scheme,
    actor,
    name: str,
    html: str,
    css: str,
    signatory_zh: str = "",
    signatory_en: str = "",
    template: CertificateTemplate | None = None,
    base_url: str = "https://example.org/",
) -> CertificateTemplate:
    """Create or change a template. Refused, with every error, unless it passes
    template_check and fits on one page; nothing is saved then."""
    name = (name or "").strip()
    html, css = _clean(html), _clean(css)
    errors = [] if name else [_("Give the template a name.")]
    errors += template_check(html, css)
    if errors:
        raise ResultsError(*errors)
    design = Design(html, css, (signatory_zh or "").strip(), (signatory_en or "").strip())
    _one_page(design, scheme, base_url)
    created = template is None
    if created:
        template = CertificateTemplate(scheme=scheme)
    else:
        template = CertificateTemplate.objects.select_for_update().get(pk=template.pk)
    template.name = name
    template.html = html
    template.css = css
    template.signatory_zh = design.signatory_zh
    template.signatory_en = design.signatory_en
    template.updated_at = timezone.now()
    template.updated_by = actor
    if template.refused_at is not None:
        _unrefuse(template, actor)
    template.save()
    audit_record(
        actor=actor,
        action="results.certificate_template.create"
        if created
        else "results.certificate_template.change",
        obj=template,
        data={"scheme": scheme.code, "active": template.is_active},
    )
    return template


@transaction.atomic
def certificate_template_activate(
    *, template: CertificateTemplate, actor, base_url: str = "https://example.org/"
) -> CertificateTemplate:
    """Use this template for the scheme's certificates from now on (one in use per
    scheme). Checked again first: a broken template is never put in use."""
    template = (
        CertificateTemplate.objects.select_for_update().select_related("scheme").get(pk=template.pk)
    )
    errors = template_check(template.html, template.css)
    if errors:
        raise ResultsError(
            _("This template has errors, so it cannot be used:"),
            *errors,
        )
    if template.refused_at is not None:
        _unrefuse(template, actor)
        template.save(update_fields=["refused_at"])
    _one_page(design_for(template.scheme, template), template.scheme, base_url)
    previous = (
        CertificateTemplate.objects.select_for_update()
        .filter(scheme_id=template.scheme_id, is_active=True)
        .exclude(pk=template.pk)
        .first()
    )
    if previous is not None:
        previous.is_active = False
        previous.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="results.certificate_template.deactivate",
            obj=previous,
            from_state="active",
            to_state="inactive",
        )
    if not template.is_active:
        template.is_active = True
        template.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="results.certificate_template.activate",
            obj=template,
            from_state="inactive",
            to_state="active",
        )
    return template


@transaction.atomic
def certificate_template_use_default(*, scheme, actor) -> None:
    """Go back to the built-in design: no template of the scheme is in use."""
    for template in CertificateTemplate.objects.select_for_update().filter(
        scheme=scheme, is_active=True
    ):
        template.is_active = False
        template.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="results.certificate_template.deactivate",
            obj=template,
            from_state="active",
            to_state="inactive",
        )
