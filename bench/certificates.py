"""200 certificates: the batch job's PDFs beside one plain 200-page WeasyPrint render.

`python -m bench.certificates [--awards N] [--naive K]`. Builds a throwaway database (as
bench/standings.py does), with one approved result version of N awards (serials issued,
N agencies), then times, with the built-in certificate design:

  (a) batch, merged PDF   awards.results.certificates: template rendering, QR codes, the
                          layout (in documents of CHUNK pages joined with
                          Document.copy) and the merged PDF (document.write_pdf());
  (b) reference           the same HTML pages as ONE document, HTML(...).write_pdf();
  (c) batch, ZIP          one PDF per award from the laid-out pages (Document.copy([page]));
  (d) naive estimate      K certificates each rendered as a document of its own, × N/K:
                          what printing N separate documents would cost.

Target: (a) / (b) ≤ 1.5. Figures only; correctness is tested in
tests/results/test_certificates.py."""

from __future__ import annotations

import argparse
import datetime
import io
import os
import shutil
import sys
import tempfile
import time
import zipfile

BASE = "https://awards.example.gov.tw/"


def build(n: int):
    from django.utils import timezone

    from agencies.models import Agency
    from agencies.services import agency_create
    from awards.enums import CategoryKind
    from awards.models import AwardScheme, Category, Edition
    from awards.results.enums import VersionStatus
    from awards.results.models import Award, ResultVersion
    from awards.results.services import serial_new

    scheme = AwardScheme.objects.create(
        code="bench",
        name_zh="政府服務品質獎",
        name_en="Government Service Quality Award",
        organiser_zh="國家發展委員會",
        organiser_en="National Development Council",
    )
    edition = Edition.objects.create(
        scheme=scheme,
        number=8,
        name_zh="第八屆政府服務品質獎",
        name_en="8th Government Service Quality Award",
    )
    category = Category.objects.create(
        edition=edition,
        code="c1",
        kind=CategoryKind.FIRST_LINE,
        name_zh="第一線服務機關",
        name_en="First-line service agencies",
    )
    authority = agency_create(code="CA00", name_zh="主管機關", is_competent_authority=True)
    agencies = Agency.objects.bulk_create(
        Agency(
            code=f"AG{i:05d}",
            name_zh=f"臺北市第{i + 1}戶政事務所",
            name_en=f"Household Registration Office {i + 1}, Taipei City",
            parent=authority,
            depth=1,
            path=f"{authority.path}{i:010d}/",
        )
        for i in range(n)
    )
    now = timezone.now()
    version = ResultVersion.objects.create(
        edition=edition,
        number=1,
        status=VersionStatus.APPROVED,
        checksum="0" * 64,
        decided_at=now,
        publish_at=now,
    )
    levels = [("特優", "Distinction"), ("優等", "Merit")]
    Award.objects.bulk_create(
        Award(
            version=version,
            category=category,
            agency=a,
            order=i + 1,
            rank=i + 1,
            name_zh="政府服務品質獎",
            name_en="Government Service Quality Award",
            level_zh=levels[i % 2][0],
            level_en=levels[i % 2][1],
            serial=serial_new(),
            issued_on=datetime.date(2016, 5, 20),
        )
        for i, a in enumerate(agencies)
    )
    return version


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=200)
    parser.add_argument("--naive", type=int, default=3)
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings_test")
    import django

    django.setup()
    from django.db import connection

    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="award-bench-")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = os.path.join(
            folder, "bench.sqlite3"
        )
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        from weasyprint import CSS, HTML

        from awards.results import certificates as certs
        from awards.results.selectors import awards_of

        version = build(args.awards)
        awards = list(awards_of(version).select_related("version__edition__scheme"))
        design = certs.design_for(version.edition.scheme)
        # Warm up: fonts are loaded and cached by the first render in a process.
        certs.certificate_pdf(awards[0], base_url=BASE)

        # (a) the batch's merged PDF, as the job makes it.
        started = time.perf_counter()
        document = certs.certificates_document(awards, design, BASE)
        merged = document.write_pdf()
        t_a = time.perf_counter() - started

        # (c) the ZIP of single PDFs, from the same laid-out pages.
        started = time.perf_counter()
        archive = certs.certificates_zip(document, awards)
        t_c = time.perf_counter() - started

        # (b) the reference: the same HTML pages as one document, one plain render.
        compiled = certs._compile(design.html)
        html = certs.document_html(
            [
                (
                    f"certificate-{a.pk}",
                    certs.render(compiled, certs.certificate_context(a, design, BASE)),
                )
                for a in awards
            ]
        )
        started = time.perf_counter()
        reference = HTML(string=html).write_pdf(
            stylesheets=[CSS(string=certs.BASE_CSS), CSS(string=design.css)]
        )
        t_b = time.perf_counter() - started

        # (d) the naive way, estimated from K separate documents.
        started = time.perf_counter()
        for award in awards[: args.naive]:
            certs.certificate_pdf(award, base_url=BASE)
        t_d = (time.perf_counter() - started) * len(awards) / args.naive

        with zipfile.ZipFile(io.BytesIO(archive)) as z:
            n_files = len(z.namelist())
        assert len(document.pages) == len(awards) == n_files, (len(document.pages), n_files)
        n = len(awards)
        print(f"certificates, {n} awards, built-in design ({connection.vendor}), one run each:")
        print(
            f"  (a) batch, merged PDF          {t_a:7.2f} s   {n} pages, "
            f"{len(merged) / 1e6:5.1f} MB, layout in documents of {certs.CHUNK}"
        )
        print(
            f"  (b) one {n}-page render        {t_b:7.2f} s   {len(reference) / 1e6:5.1f} MB "
            "(reference)"
        )
        print(f"      ratio (a) / (b)            {t_a / t_b:7.2f} ×   (target ≤ 1.5)")
        print(
            f"  (c) batch, ZIP of single PDFs  {t_c:7.2f} s   {n_files} files, "
            f"{len(archive) / 1e6:5.1f} MB ({t_c / n * 1000:.0f} ms a file)"
        )
        print(f"      job total (a) + (c)        {t_a + t_c:7.2f} s")
        print(
            f"  (d) {n} separate documents    ~{t_d:7.2f} s   estimated from {args.naive} "
            f"(×{t_d / t_b:.1f} the reference)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
