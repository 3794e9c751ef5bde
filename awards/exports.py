"""PDF rendering of dossier snapshots. WeasyPrint loads lazily: web workers and tests
that render no PDF start fast."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation


def dossier_pdf(content: dict) -> bytes:
    """Render a submission's frozen content (see services._snapshot_content) to PDF.
    Chinese text uses Noto Sans CJK (Debian's fonts-noto-cjk), embedded in the PDF."""
    from weasyprint import HTML

    with translation.override("zh-hant"):
        html = render_to_string("awards/pdf/dossier.html", {"c": content})
    return HTML(string=html).write_pdf()
