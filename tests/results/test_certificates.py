"""Certificates: template checks with line numbers, the PDF of one award (text extracted
with pdftotext, page size read with pdfinfo), the batch (one render, merged PDF + ZIP),
the batch job and its refusals, the template pages, one award's certificate for three
personas, and the public verification page (valid, revoked, malformed, unknown,
embargoed, rate limit)."""

from __future__ import annotations

import datetime
import io
import re
import subprocess
import tempfile
import zipfile

import pytest
from django.core.cache import cache
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone, translation

from agencies.enums import Role
from agencies.models import AuditEntry
from awards.results import certificates as certs
from awards.results import services
from awards.results.enums import JobKind
from awards.results.models import Award, CertificateTemplate
from tests.conftest import html, squash, table_rows, texts
from tests.factories import UserFactory
from tests.results.helpers import approved_version, compile_version, scored_cycle

BASE = "https://awards.example.test/"


def pdf_text(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdftotext", f.name, "-"], capture_output=True, text=True, check=True)
    return out.stdout


def pdf_info(pdf: bytes) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as f:
        f.write(pdf)
        f.flush()
        out = subprocess.run(["pdfinfo", f.name], capture_output=True, text=True, check=True)
    return {k.strip(): v.strip() for k, v in (ln.split(":", 1) for ln in out.stdout.splitlines())}


def read(field) -> bytes:
    with field.open("rb") as f:
        return f.read()


def awards_of(version):
    return list(
        Award.objects.filter(version=version)
        .select_related("agency", "category", "version__edition__scheme")
        .order_by("category__order", "order", "pk")
    )


@pytest.fixture(autouse=True)
def english(request):
    """Service messages are asserted in English (pages choose theirs by cookie)."""
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


# --- template_check -------------------------------------------------------------------------


def test_the_built_in_design_passes_the_check():
    assert certs.template_check(certs.default_html(), certs.default_css()) == []


def test_an_unclosed_if_is_reported_with_its_line():
    errors = certs.template_check("<div>\n<p>{% if level_zh %}{{ level_zh }}</p>\n</div>")
    assert errors == [
        "Line 2: Unclosed tag on line 2: 'if'. Looking for one of: elif, else, endif."
    ]


def test_an_unknown_tag_is_reported_with_its_line():
    errors = certs.template_check("<div>\n\n<p>{% bogus %}</p>\n</div>")
    assert errors == [
        "Line 3: the tag “{% bogus %}” is refused: a certificate template can use only "
        "the tags if, elif, else, endif, comment, endcomment."
    ]


def test_broken_html_is_reported_with_line_numbers():
    source = "\n".join(
        [
            '<div class="certificate">',  # 1
            "  <h1>得獎證書",  # 2: never closed before </div>
            "  <p>{{ agency_zh }}</p></span>",  # 3: closes nothing
            '  <br><img src="data:image/png;base64,AAAA"></br>',  # 4: void end tag
            "</div>",  # 5
            "<section>",  # 6: never closed
        ]
    )
    assert certs.template_check(source) == [
        "Line 3: </span> closes nothing: no <span> is open.",
        "Line 4: </br> is not needed: <br> has no end tag.",
        "Line 5: <h1> (opened on line 2) is not closed before </div>.",
        "Line 6: <section> is never closed.",
    ]


def test_self_closing_syntax_only_for_void_elements():
    assert certs.template_check('<p>a<br/><img src="data:," /></p>\n<div />') == [
        "Line 2: <div/> does not close itself in HTML: write <div></div>."
    ]


def test_django_tags_inside_html_do_not_confuse_the_html_check():
    source = (
        '<p class="{% if revoked %}gone{% endif %}">{{ award_zh }}'
        "{% comment %}<div>{% endcomment %}{# <span> #}</p>"
    )
    assert certs.template_check(source) == []


def test_a_whole_document_and_scripts_are_refused():
    errors = certs.template_check("<html><body><script>x()</script></body></html>")
    assert errors == [
        "Line 1: <html> is not allowed: write only the certificate's content (no <html>, "
        "<head>, <body> or scripts).",
        "Line 1: <body> is not allowed: write only the certificate's content (no <html>, "
        "<head>, <body> or scripts).",
        "Line 1: <script> is not allowed: write only the certificate's content (no <html>, "
        "<head>, <body> or scripts).",
    ]


def test_an_include_is_refused_with_its_line():
    errors = certs.template_check("<div>\n{% include 'base.html' %}\n</div>")
    assert errors == [
        "Line 2: the tag “{% include %}” is refused: a certificate template can use only "
        "the tags if, elif, else, endif, comment, endcomment."
    ]


def test_unbalanced_css_and_an_empty_template():
    assert certs.template_check("<p></p>", ".a { color: red;\n.b { }\n}}") == [
        "CSS line 3: “}” closes nothing.",
    ]
    assert certs.template_check("<p></p>", "/* { */\n.a {\n  content: '}';\n") == [
        "CSS line 2: “{” is never closed.",
    ]
    assert certs.template_check("  \n") == ["The HTML is empty."]


def test_dates_in_both_languages():
    day = datetime.date(2016, 5, 20)
    assert certs.date_zh(day) == "2016年5月20日"
    assert certs.date_roc(day) == "中華民國105年5月20日"
    assert certs.date_en(day) == "20 May 2016"


# --- one certificate -------------------------------------------------------------------------


@pytest.mark.django_db
def test_certificate_pdf_is_one_bilingual_a4_landscape_page():
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = awards_of(version)[0]
    pdf = certs.certificate_pdf(award, base_url=BASE)
    info = pdf_info(pdf)
    assert info["Pages"] == "1"
    assert info["Page size"] == "841.89 x 595.276 pts (A4)"  # landscape: wider than tall
    text = squash(pdf_text(pdf))
    assert award.agency.name_zh == "第1戶政事務所"
    for expected in (
        "第1戶政事務所",
        "Household Registration Office 1",
        "政府服務品質獎",
        "Government Service Quality Award",
        "特優",
        "Distinction",
        cycle.edition.name_zh,
        certs.date_zh(award.issued_on),
        certs.date_en(award.issued_on),
        award.serial,
        f"{BASE}verify/{award.serial}/",
    ):
        assert expected in text, expected
    assert "REVOKED" not in text


@pytest.mark.django_db
def test_a_revoked_award_s_certificate_is_stamped():
    cycle = scored_cycle()
    award = awards_of(approved_version(cycle))[0]
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質下降")
    award.refresh_from_db()
    text = squash(pdf_text(certs.certificate_pdf(award, base_url=BASE)))
    assert "已撤回 REVOKED" in text
    assert certs.date_en(award.revoked_on) in text


@pytest.mark.django_db
def test_the_scheme_s_active_template_is_used():
    cycle = scored_cycle()
    award = awards_of(approved_version(cycle))[0]
    CertificateTemplate.objects.create(
        scheme=cycle.edition.scheme,
        name="簡式",
        html="<h1>{{ agency_zh }}</h1><p>{{ signatory_en }} · {{ serial }}</p>",
        css="h1 { font-size: 20pt; }",
        signatory_en="The Premier",
        is_active=True,
    )
    text = squash(pdf_text(certs.certificate_pdf(award, base_url=BASE)))
    assert text == f"第1戶政事務所 The Premier · {award.serial}"


@pytest.mark.django_db
def test_an_award_without_a_serial_has_no_certificate():
    cycle = scored_cycle()
    award = awards_of(compile_version(cycle))[0]
    with pytest.raises(services.ResultsError) as exc:
        certs.certificate_pdf(award, base_url=BASE)
    assert exc.value.messages == ["This award has no certificate: its results are not approved."]


# --- the batch -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_batch_is_one_merged_pdf_and_a_zip_of_single_pdfs():
    cycle = scored_cycle(agencies=4, winners=3)
    awards = awards_of(approved_version(cycle))
    assert len(awards) == 3
    merged, archive = certs.certificates_batch(awards, None, BASE)
    assert pdf_info(merged)["Pages"] == "3"
    merged_text = pdf_text(merged)
    pages = merged_text.split("\f")
    for page, award in zip(pages, awards, strict=False):
        assert award.agency.name_zh in page and award.serial in page
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        names = z.namelist()
        assert names == [f"{a.agency.code}-{a.serial}.pdf" for a in awards]
        for award, name in zip(awards, names, strict=True):
            single = z.read(name)
            assert pdf_info(single)["Pages"] == "1"
            text = pdf_text(single)
            assert award.agency.name_zh in text and award.serial in text
            others = [a.serial for a in awards if a.pk != award.pk]
            assert not any(s in text for s in others)


@pytest.mark.django_db
def test_documents_laid_out_in_chunks_join_into_one():
    cycle = scored_cycle(agencies=4, winners=3)
    awards = awards_of(approved_version(cycle))
    design = certs.design_for(cycle.edition.scheme)
    progress = []
    document = certs.certificates_document(awards, design, BASE, beat=progress.append, chunk=2)
    assert progress == [43, 60]
    pages = pdf_text(document.write_pdf()).split("\f")[:-1]
    assert [[a.serial in page for a in awards] for page in pages] == [
        [True, False, False],
        [False, True, False],
        [False, False, True],
    ]
    with zipfile.ZipFile(io.BytesIO(certs.certificates_zip(document, awards))) as z:
        assert z.namelist() == [f"{a.agency.code}-{a.serial}.pdf" for a in awards]


@pytest.mark.django_db
def test_pages_are_split_by_anchor_when_a_certificate_overflows():
    cycle = scored_cycle(agencies=4, winners=2)
    awards = awards_of(approved_version(cycle))
    long = certs.Design(
        f"<div>{{% if serial == '{awards[0].serial}' %}}<p class='tall'>1</p>"
        "<p class='tall'>2</p>{% else %}<p>{{ agency_zh }}</p>{% endif %}</div>",
        ".tall { height: 150mm; margin: 0; }",
        "",
        "",
    )
    merged, archive = certs.certificates_batch(awards, long, BASE)
    assert pdf_info(merged)["Pages"] == "3"
    with zipfile.ZipFile(io.BytesIO(archive)) as z:
        counts = [pdf_info(z.read(n))["Pages"] for n in z.namelist()]
    assert counts == ["2", "1"]


# --- the job ---------------------------------------------------------------------------------


def run_certificates_job(cycle, version):
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_start(
            edition=cycle.edition,
            kind=JobKind.CERTIFICATES,
            actor=cycle.secretariat,
            version=version,
        )
    job.refresh_from_db()
    return job


@pytest.mark.django_db
def test_certificates_job_prints_every_unrevoked_award():
    cycle = scored_cycle(agencies=4, winners=3)
    version = approved_version(cycle)
    awards = awards_of(version)
    services.award_revoke(award=awards[1], actor=cycle.secretariat, reason="服務品質下降")
    job = run_certificates_job(cycle, version)
    assert (job.status, job.error, job.progress) == ("done", "", 100)
    assert job.result == {"certificates": 2, "skipped_revoked": 1, "template": "Built-in design"}
    merged = read(job.file)
    assert pdf_info(merged)["Pages"] == "2"
    text = pdf_text(merged)
    assert awards[0].serial in text and awards[2].serial in text
    assert awards[1].serial not in text
    with zipfile.ZipFile(io.BytesIO(read(job.archive))) as z:
        assert z.namelist() == [f"{a.agency.code}-{a.serial}.pdf" for a in (awards[0], awards[2])]
    assert job.file.name.endswith(
        f"certificates-{cycle.edition.scheme.code}-{cycle.edition.number}-v{version.number}.pdf"
    )
    assert AuditEntry.objects.filter(action="results.job.certificates.done").count() == 1


@pytest.mark.django_db
def test_certificates_job_uses_the_base_url_the_lead_stored():
    cycle = scored_cycle(agencies=3, winners=1)
    version = approved_version(cycle)
    with TestCase.captureOnCommitCallbacks(execute=True):
        job = services.job_start(
            edition=cycle.edition,
            kind=JobKind.CERTIFICATES,
            actor=cycle.secretariat,
            version=version,
        )
        job.params = {**job.params, "base_url": "https://gsqa.example.gov.tw/"}
        job.save(update_fields=["params"])
    job.refresh_from_db()
    serial = awards_of(version)[0].serial
    assert f"https://gsqa.example.gov.tw/verify/{serial}/" in squash(pdf_text(read(job.file)))
    assert job.params["base_url"] == "https://gsqa.example.gov.tw/"


@pytest.mark.django_db
def test_certificates_job_is_refused_for_results_not_approved():
    cycle = scored_cycle()
    version = compile_version(cycle)
    job = run_certificates_job(cycle, version)
    assert job.status == "failed"
    assert job.error == (
        f"Certificates are printed only from approved results; version {version.number} "
        "is not approved."
    )
    assert not job.file and not job.archive


@pytest.mark.django_db
def test_certificates_job_is_refused_for_a_broken_active_template():
    cycle = scored_cycle()
    version = approved_version(cycle)
    CertificateTemplate.objects.create(
        scheme=cycle.edition.scheme,
        name="壞掉的",
        html="<div>\n<p>{{ agency_zh }}\n</div>",
        is_active=True,
    )
    job = run_certificates_job(cycle, version)
    assert job.status == "failed"
    assert job.result["messages"] == [
        "The certificate template “壞掉的” has errors; nothing was issued.",
        "Line 3: <p> (opened on line 2) is not closed before </div>.",
    ]
    assert not job.file and not job.archive


# --- template services -------------------------------------------------------------------


@pytest.mark.django_db
def test_saving_a_broken_template_saves_nothing():
    cycle = scored_cycle()
    with pytest.raises(services.ResultsError) as exc:
        certs.certificate_template_save(
            scheme=cycle.edition.scheme,
            actor=cycle.secretariat,
            name="",
            html="<div>{% if level_zh %}</div>",
            css="",
        )
    assert exc.value.messages == [
        "Give the template a name.",
        "Line 1: Unclosed tag on line 1: 'if'. Looking for one of: elif, else, endif.",
    ]
    assert CertificateTemplate.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="results.certificate_template")


@pytest.mark.django_db
def test_a_template_longer_than_one_page_is_refused():
    cycle = scored_cycle()
    with pytest.raises(services.ResultsError) as exc:
        certs.certificate_template_save(
            scheme=cycle.edition.scheme,
            actor=cycle.secretariat,
            name="長",
            html="<p class='tall'>{{ agency_zh }}</p><p class='tall'>{{ serial }}</p>",
            css=".tall { height: 150mm; }",
        )
    assert exc.value.messages == [
        "The certificate takes 2 pages: it must fit on one A4 landscape page. Shorten it "
        "or make its text smaller."
    ]
    assert CertificateTemplate.objects.count() == 0


@pytest.mark.django_db
def test_activating_keeps_one_template_in_use_per_scheme_and_is_audited():
    cycle = scored_cycle()
    scheme = cycle.edition.scheme
    first = certs.certificate_template_save(
        scheme=scheme, actor=cycle.secretariat, name="甲", html="<p>{{ agency_zh }}</p>", css=""
    )
    second = certs.certificate_template_save(
        scheme=scheme, actor=cycle.secretariat, name="乙", html="<p>{{ serial }}</p>", css=""
    )
    certs.certificate_template_activate(template=first, actor=cycle.secretariat)
    certs.certificate_template_activate(template=second, actor=cycle.secretariat)
    assert list(
        CertificateTemplate.objects.filter(scheme=scheme).values_list("name", "is_active")
    ) == [("乙", True), ("甲", False)]
    assert list(
        AuditEntry.objects.filter(action__startswith="results.certificate_template")
        .order_by("pk")
        .values_list("action", "object_repr")
    ) == [
        ("results.certificate_template.create", "甲"),
        ("results.certificate_template.create", "乙"),
        ("results.certificate_template.activate", "甲"),
        ("results.certificate_template.deactivate", "甲"),
        ("results.certificate_template.activate", "乙"),
    ]
    certs.certificate_template_use_default(scheme=scheme, actor=cycle.secretariat)
    assert not CertificateTemplate.objects.filter(is_active=True).exists()


@pytest.mark.django_db
def test_a_template_broken_behind_the_services_back_cannot_be_activated():
    cycle = scored_cycle()
    broken = CertificateTemplate.objects.create(
        scheme=cycle.edition.scheme, name="壞", html="<div>"
    )
    with pytest.raises(services.ResultsError) as exc:
        certs.certificate_template_activate(template=broken, actor=cycle.secretariat)
    assert exc.value.messages == [
        "This template has errors, so it cannot be used:",
        "Line 1: <div> is never closed.",
    ]
    broken.refresh_from_db()
    assert broken.is_active is False


# --- template pages ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_template_pages_are_the_secretariat_s(client):
    client.cookies["lang"] = "en"
    cycle = scored_cycle()
    scheme = cycle.edition.scheme
    urls = [
        reverse("results:certificate_schemes"),
        reverse("results:certificate_templates", args=[scheme.pk]),
        reverse("results:certificate_template_new", args=[scheme.pk]),
    ]
    client.force_login(cycle.approver)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[0])])
    client.force_login(editor)
    assert [client.get(u).status_code for u in urls] == [404, 404, 404]
    client.logout()
    assert client.get(urls[0]).status_code == 302
    client.cookies["lang"] = "en"  # logging out cleared the cookies
    client.force_login(cycle.secretariat)
    page = html(client.get(urls[1]))
    assert table_rows(page, "//table[@id='certificate-templates']") == [
        [
            "Built-in design",
            "In use",
            scheme.organiser or "—",
            "—",
            "Preview PDF of the built-in design",
        ]
    ]
    new = html(client.get(urls[2]))
    assert new.xpath("//textarea[@name='html']")[0].text.strip() == certs.default_html().strip()


def _post_template(client, url, **over):
    data = {
        "name": "正式版",
        "signatory_zh": "行政院院長",
        "signatory_en": "Premier of the Executive Yuan",
        "html": certs.default_html(),
        "css": certs.default_css(),
        **over,
    }
    return client.post(url, data)


@pytest.mark.django_db
def test_broken_template_shows_errors_and_saves_nothing(client):
    client.cookies["lang"] = "en"
    cycle = scored_cycle()
    scheme = cycle.edition.scheme
    client.force_login(cycle.secretariat)
    url = reverse("results:certificate_template_new", args=[scheme.pk])
    response = _post_template(client, url, html="<div>\n  <p>{{ agency_zh }}\n</div>")
    assert response.status_code == 200
    page = html(response)
    assert texts(page, "//*[@id='template-errors'][@role='alert']//li") == [
        "Line 3: <p> (opened on line 2) is not closed before </div>."
    ]
    assert (
        page.xpath("//textarea[@name='html']")[0].text.removeprefix("\n")
        == "<div>\n  <p>{{ agency_zh }}\n</div>"
    )
    assert not page.xpath("//iframe")
    assert CertificateTemplate.objects.count() == 0


@pytest.mark.django_db
def test_saving_previewing_and_using_a_template(client):
    client.cookies["lang"] = "en"
    cycle = scored_cycle()
    scheme = cycle.edition.scheme
    version = approved_version(cycle)
    client.force_login(cycle.secretariat)
    response = _post_template(client, reverse("results:certificate_template_new", args=[scheme.pk]))
    template = CertificateTemplate.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("results:certificate_template", args=[template.pk])
    assert (template.name, template.signatory_zh, template.is_active) == (
        "正式版",
        "行政院院長",
        False,
    )
    page = html(client.get(response["Location"]))
    assert texts(page, "//ul[@class='messages']/li") == [
        "The template “正式版” is saved. Check its preview, then use it."
    ]
    frame = page.xpath("//iframe[@id='preview-html']")[0]
    first = awards_of(version)[0]
    assert texts(page, "//section[contains(@class,'cert-preview')]/p[1]") == [
        f"Filled in with the certificate of {first.agency.name_en} ({cycle.edition.name_en})."
    ]
    preview = client.get(frame.get("src"))
    assert preview.status_code == 200
    assert "sandbox" in preview["Content-Security-Policy"]
    assert preview["X-Frame-Options"] == "SAMEORIGIN"
    body = preview.content.decode()
    assert first.agency.name_zh in body and "行政院院長" in body and "<svg" in body
    pdf = client.get(page.xpath("//a[@id='preview-pdf']")[0].get("href"))
    assert pdf["Content-Type"] == "application/pdf"
    assert "行政院院長" in pdf_text(pdf.content)
    # Use it: it is now the one in use, and the list says so.
    client.post(reverse("results:certificate_template_activate", args=[template.pk]))
    template.refresh_from_db()
    assert template.is_active
    rows = table_rows(
        html(client.get(reverse("results:certificate_templates", args=[scheme.pk]))),
        "//table[@id='certificate-templates']",
    )
    assert [r[:3] for r in rows] == [
        ["正式版", "In use", "Premier of the Executive Yuan"],
        ["Built-in design", "Not in use", scheme.organiser or "—"],
    ]


@pytest.mark.django_db
def test_editing_a_template_to_broken_html_keeps_the_saved_one(client):
    client.cookies["lang"] = "en"
    cycle = scored_cycle()
    template = certs.certificate_template_save(
        scheme=cycle.edition.scheme,
        actor=cycle.secretariat,
        name="甲",
        html="<p>{{ agency_zh }}</p>",
        css="",
    )
    client.force_login(cycle.secretariat)
    url = reverse("results:certificate_template", args=[template.pk])
    page = html(_post_template(client, url, name="甲", html="<p>{{ agency_zh }}</span>"))
    assert texts(page, "//*[@id='template-errors']//li") == [
        "Line 1: </span> closes nothing: no <span> is open.",
        "Line 1: <p> is never closed.",
    ]
    template.refresh_from_db()
    assert template.html == "<p>{{ agency_zh }}</p>"


@pytest.mark.django_db
def test_preview_of_another_scheme_s_template_is_not_found(client):
    cycle = scored_cycle()
    other = scored_cycle()
    template = CertificateTemplate.objects.create(
        scheme=other.edition.scheme, name="他人", html="<p></p>"
    )
    client.force_login(cycle.secretariat)
    url = reverse("results:certificate_preview_pdf", args=[cycle.edition.scheme.pk])
    assert client.get(f"{url}?template={template.pk}").status_code == 404
    assert client.get(f"{url}?template=abc").status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("extra", [0, 6])
def test_template_list_has_a_constant_query_count(client, django_assert_num_queries, extra):
    client.cookies["lang"] = "en"
    cycle = scored_cycle(agencies=2, winners=1, levels=False)
    scheme = cycle.edition.scheme
    for i in range(extra):
        CertificateTemplate.objects.create(
            scheme=scheme, name=f"T{i}", html="<p></p>", updated_by=cycle.secretariat
        )
    client.force_login(cycle.secretariat)
    with django_assert_num_queries(5):
        response = client.get(reverse("results:certificate_templates", args=[scheme.pk]))
    assert len(html(response).xpath("//table[@id='certificate-templates']/tbody/tr")) == extra + 1
    with django_assert_num_queries(4):
        response = client.get(reverse("results:certificate_schemes"))
    assert table_rows(html(response), "//table[@id='certificate-schemes']") == [
        [scheme.name_en, "Built-in design", str(extra)]
    ]


# --- one award's certificate: three personas -------------------------------------------------


@pytest.mark.django_db
def test_award_certificate_for_secretariat_approver_agency_and_outsiders(client):
    cycle = scored_cycle()
    version = approved_version(cycle, published=False)
    award = awards_of(version)[0]
    url = reverse("results:award_certificate", args=[award.pk])
    own_editor = UserFactory(roles=[(Role.AGENCY_EDITOR, award.agency)])
    other_editor = UserFactory(roles=[(Role.AGENCY_EDITOR, cycle.agencies[-1])])

    client.force_login(cycle.secretariat)
    response = client.get(url)
    assert response["Content-Type"] == "application/pdf"
    assert award.serial in pdf_text(response.content)
    assert response["Content-Disposition"] == (
        f'inline; filename="certificate-{award.agency.code}-{award.serial}.pdf"'
    )
    client.force_login(cycle.approver)
    assert award.agency.name_zh in pdf_text(client.get(url).content)
    # The agency sees its certificate only once the results are published.
    client.force_login(own_editor)
    assert client.get(url).status_code == 404
    services.version_schedule_publication(
        version=version,
        actor=cycle.secretariat,
        publish_at=timezone.now() - datetime.timedelta(minutes=1),
    )
    assert award.agency.name_zh in pdf_text(client.get(url).content)
    client.force_login(other_editor)
    assert client.get(url).status_code == 404
    client.force_login(cycle.outsider)
    assert client.get(url).status_code == 404


@pytest.mark.django_db
def test_award_of_unapproved_results_has_no_certificate_page(client):
    cycle = scored_cycle()
    award = awards_of(compile_version(cycle))[0]
    client.force_login(cycle.secretariat)
    assert client.get(reverse("results:award_certificate", args=[award.pk])).status_code == 404


# --- public verification ------------------------------------------------------------------


def verify(client, serial):
    return client.get(reverse("results:verify_serial", args=[serial]))


@pytest.mark.django_db
def test_verify_a_valid_certificate(client):
    cycle = scored_cycle()
    award = awards_of(approved_version(cycle))[0]
    response = verify(client, award.serial)
    assert response.status_code == 200
    assert response["X-Robots-Tag"] == "noindex"
    page = html(response)
    assert page.xpath("//meta[@name='robots']/@content") == ["noindex"]
    client.cookies["lang"] = "en"
    page = html(verify(client, award.serial))
    assert texts(page, "//*[@id='verify-result']//h2") == ["Valid certificate"]
    assert not page.xpath("//*[@role='alert']")
    details = dict(
        zip(
            texts(page, "//dl[@id='verify-details']/dt"),
            texts(page, "//dl[@id='verify-details']/dd"),
            strict=True,
        )
    )
    assert details == {
        "Serial number": award.serial,
        "Agency": "第1戶政事務所Household Registration Office 1",  # two lines
        "Award": "Government Service Quality Award · Distinction",
        "Category": "First-line service agencies",
        "Edition": cycle.edition.name_en,
        "Award scheme": cycle.edition.scheme.name_en,
        "Issued on": award.issued_on.isoformat(),
    }


@pytest.mark.django_db
def test_verify_a_revoked_certificate(client):
    cycle = scored_cycle()
    award = awards_of(approved_version(cycle))[0]
    services.award_revoke(award=award, actor=cycle.secretariat, reason="服務品質下降")
    award.refresh_from_db()
    client.cookies["lang"] = "en"
    page = html(verify(client, award.serial))
    assert texts(page, "//*[@role='alert']") == [
        f"This award was revoked Revoked on {award.revoked_on.isoformat()} because: 服務品質下降"
    ]


@pytest.mark.django_db
def test_verify_a_malformed_serial(client):
    client.cookies["lang"] = "en"
    for response in (
        client.get(reverse("results:verify"), {"serial": "12345"}),
        verify(client, "not-a-serial"),
    ):
        assert response.status_code == 200
        page = html(response)
        assert texts(page, "//*[@id='verify-error'][@role='alert']") == [
            "This is not a certificate serial number: it has 16 letters and digits, "
            "e.g. 7K3M-Q9TB-X2WD-H4NP."
        ]
        assert page.xpath("//input[@name='serial']/@aria-invalid") == ["true"]
        assert not page.xpath("//*[@id='verify-result']")


@pytest.mark.django_db
def test_typed_serials_go_to_the_canonical_page(client):
    response = client.get(reverse("results:verify"), {"serial": " 7k3m q9tb x2wd h4np "})
    assert response.status_code == 302
    assert response["Location"] == "/verify/7K3M-Q9TB-X2WD-H4NP/"
    response = verify(client, "7k3m-q9tb-x2wd-h4np")
    assert response["Location"] == "/verify/7K3M-Q9TB-X2WD-H4NP/"
    page = html(client.get(reverse("results:verify")))
    assert page.xpath("//input[@name='serial']/@aria-describedby") == ["id_serial_helptext"]


def _result_shape(response, serial):
    """The page with the serial and the (per-response) CSRF token blanked out."""
    body = re.sub(re.escape(serial), "SERIAL", response.content.decode())
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "TOKEN", body)


@pytest.mark.django_db
def test_unknown_and_embargoed_serials_answer_alike(client):
    cycle = scored_cycle()
    award = awards_of(approved_version(cycle, published=False))[0]
    client.cookies["lang"] = "en"
    unknown = verify(client, "7K3M-Q9TB-X2WD-H4NP")
    embargoed = verify(client, award.serial)
    assert (unknown.status_code, embargoed.status_code) == (404, 404)
    assert texts(html(unknown), "//*[@id='verify-result']") == [
        "No such certificate No certificate has the serial number 7K3M-Q9TB-X2WD-H4NP. "
        "Check that it was typed as printed."
    ]
    assert _result_shape(unknown, "7K3M-Q9TB-X2WD-H4NP") == _result_shape(embargoed, award.serial)


@pytest.mark.django_db
def test_verification_is_rate_limited_per_address(client, settings):
    settings.RESULTS_VERIFY_PER_MINUTE = 3
    client.cookies["lang"] = "en"
    codes = [verify(client, "7K3M-Q9TB-X2WD-H4NP").status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
    response = verify(client, "7K3M-Q9TB-X2WD-H4NP")
    assert response["Retry-After"] == "60"
    assert texts(html(response), "//*[@id='verify-error']") == [
        "Too many lookups from your address. Wait a minute, then try again."
    ]
    other = client.get(
        reverse("results:verify_serial", args=["7K3M-Q9TB-X2WD-H4NP"]),
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 404


@pytest.mark.django_db
def test_the_default_limit_is_thirty_lookups_a_minute(client):
    codes = [verify(client, "7K3M-Q9TB-X2WD-H4NP").status_code for _ in range(31)]
    assert codes == [404] * 30 + [429]


@pytest.mark.django_db
def test_verify_a_certificate_whose_award_is_not_in_the_results_approved_again(client):
    cycle = scored_cycle(winners=2)
    first = approved_version(cycle)
    dropped = awards_of(first)[1]
    cycle.rule.winners = 1
    cycle.rule.save(update_fields=["winners"])
    second = approved_version(cycle)
    assert [a.agency_id for a in awards_of(second)] == [awards_of(first)[0].agency_id]
    client.cookies["lang"] = "en"
    response = verify(client, dropped.serial)
    assert response.status_code == 200
    since = timezone.localtime(second.publish_at, cycle.edition.tzinfo).date()
    assert texts(html(response), "//*[@role='alert']") == [
        f"This certificate is no longer valid No longer valid since {since:%Y-%m-%d}: the "
        "results of this edition were approved again, and this award is not in them."
    ]


@pytest.mark.django_db
def test_certificates_fetch_nothing_from_outside(caplog):
    cycle = scored_cycle(agencies=3, winners=1)
    award = awards_of(approved_version(cycle))[0]
    design = certs.Design(
        '<p>{{ agency_zh }}<img src="http://169.254.169.254/latest/meta-data" alt=""></p>',
        "p { background: url(file:///etc/passwd); }",
        "",
        "",
    )
    document = certs.certificates_document([award], design, BASE)
    assert squash(pdf_text(document.write_pdf())) == award.agency.name_zh
    refused = [r.getMessage() for r in caplog.records if "disallowed protocol" in r.getMessage()]
    assert len(refused) == 2, [r.getMessage() for r in caplog.records]
