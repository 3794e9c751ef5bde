"""Certificates in a real browser: the secretariat writes a template with broken HTML and
is told where (nothing saved), fixes it, sees the preview and puts it in use; then
anyone verifies a certificate by typing its serial, and a random serial is not found."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from awards.results import certificates as certs
from awards.results import services
from awards.results.models import Award, CertificateTemplate
from tests.results.helpers import approved_version, scored_cycle

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_secretariat_fixes_a_broken_template_then_previews_and_uses_it(
    live_server, context, sign_in, shot, axe_violations
):
    cycle = scored_cycle()
    version = approved_version(cycle)
    scheme = cycle.edition.scheme
    first = Award.objects.filter(version=version).order_by("category__order", "order").first()
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.secretariat, f"/cycle/results/certificates/{scheme.pk}/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Certificate templates")
    expect(page.locator("#certificate-templates tbody tr")).to_have_count(1)
    assert axe_violations(page) == []
    page.get_by_role("link", name="New template").click()

    # Broken: the agency's paragraph is never closed.
    good = certs.default_html()
    broken = good.replace(
        '<p class="agency-zh" lang="zh-Hant">{{ agency_zh }}</p>',
        '<p class="agency-zh" lang="zh-Hant">{{ agency_zh }}',
    )
    assert broken != good
    page.get_by_label("Name", exact=True).fill("Executive Yuan 2016")
    page.get_by_label("Signatory (Chinese)").fill("行政院院長")
    page.get_by_label("Signatory (English)").fill("Premier of the Executive Yuan")
    page.get_by_label("HTML (a Django template of one certificate)").fill(broken)
    page.get_by_role("button", name="Save and preview").click()
    alert = page.locator("#template-errors[role=alert]")
    expect(alert.locator("h2")).to_have_text("The template has errors: nothing was saved")
    expect(alert.locator("li")).to_have_text(
        [re.compile(r"^Line \d+: <p> \(opened on line \d+\) is not closed before </div>\.$")]
    )
    expect(page.locator("iframe")).to_have_count(0)
    shot(page, "01-broken-template-en")
    assert axe_violations(page) == []
    assert CertificateTemplate.objects.count() == 0

    # Fixed: saved, previewed with the first approved award, then put in use.
    page.get_by_label("HTML (a Django template of one certificate)").fill(good)
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator(".messages")).to_contain_text(
        "The template “Executive Yuan 2016” is saved."
    )
    frame = page.frame_locator("#preview-html")
    expect(frame.locator(".agency-zh")).to_have_text(first.agency.name_zh)
    expect(frame.locator(".signatory-zh")).to_have_text("行政院院長")
    expect(frame.locator(".serial")).to_have_text(first.serial)
    expect(frame.locator("svg")).to_have_count(1)
    shot(page, "02-template-preview-en")
    assert axe_violations(page) == []
    pdf = page.request.get(live_server.url + page.locator("#preview-pdf").get_attribute("href"))
    assert pdf.headers["content-type"] == "application/pdf"
    page.get_by_role("button", name="Use this template").click()
    expect(page.locator(".messages")).to_contain_text("now use the template “Executive Yuan 2016”.")
    expect(page.locator("#certificate-templates tbody tr").first.locator("td").first).to_have_text(
        "In use"
    )
    shot(page, "03-template-in-use-en")
    assert CertificateTemplate.objects.get().is_active


def test_public_verification_by_serial(live_server, new_context, shot, axe_violations):
    cycle = scored_cycle()
    version = approved_version(cycle)
    award = Award.objects.filter(version=version).order_by("category__order", "order").first()
    page = new_context().new_page()
    page.context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page.goto(live_server.url + "/verify/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Verify a certificate")
    # The public navigation: winners, verification (this page), sign in.
    expect(page.locator("nav.site-nav a[aria-current=page]")).to_have_text("Verify a certificate")
    assert axe_violations(page) == []

    # Typed in lower case with spaces, as people do.
    page.get_by_label("Certificate serial number").fill(award.serial.lower().replace("-", " "))
    page.get_by_role("button", name="Verify").click()
    expect(page).to_have_url(f"{live_server.url}/verify/{award.serial}/")
    result = page.locator("#verify-result")
    expect(result.locator("h2")).to_have_text("Valid certificate")
    expect(result).to_contain_text(award.agency.name_zh)
    expect(result).to_contain_text("Government Service Quality Award · Distinction")
    shot(page, "03-verified-en")
    assert axe_violations(page) == []

    # A random serial: not found. A malformed one: told what a serial looks like.
    page.get_by_label("Certificate serial number").fill("7K3M-Q9TB-X2WD-H4NP")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-result h2")).to_have_text("No such certificate")
    shot(page, "04-not-found-en")
    page.get_by_label("Certificate serial number").fill("12345")
    page.get_by_role("button", name="Verify").click()
    expect(page.locator("#verify-error")).to_have_text(
        "This is not a certificate serial number: it has 16 letters and digits, "
        "e.g. 7K3M-Q9TB-X2WD-H4NP."
    )
    expect(page.get_by_label("Certificate serial number")).to_have_value("12345")
    shot(page, "05-malformed-en")

    # Revoked: said first, prominently, with the date and the reason.
    services.award_revoke(award=award, actor=cycle.secretariat, reason="Service quality lapsed.")
    page.goto(f"{live_server.url}/verify/{award.serial}/")
    alert = page.get_by_role("alert")
    expect(alert.locator("h2")).to_have_text("This award was revoked")
    expect(alert.locator("p")).to_have_text(
        f"Revoked on {Award.objects.get(pk=award.pk).revoked_on.isoformat()} because: "
        "Service quality lapsed."
    )
    shot(page, "06-revoked-en")
    assert axe_violations(page) == []


def test_a_template_reading_a_password_is_refused_and_an_old_one_is_shown_refused(
    live_server, context, sign_in, shot, axe_violations
):
    """Bad input (issue 11): a template that walks from a value to a user's password or
    uses {% debug %} is refused with the line, nothing saved; a template saved before the
    check is shown refused, with why, until it is corrected."""
    cycle = scored_cycle()
    scheme = cycle.edition.scheme
    old = CertificateTemplate.objects.create(
        scheme=scheme,
        name="Old design",
        html="<div>\n<p>{{ agency_zh }}</p>\n<p>{{ award.version.compiled_by.password }}</p>\n</div>",
        is_active=True,
    )
    call_command("check_certificate_templates", stdout=io.StringIO())
    context.add_cookies([{"name": "lang", "value": "en", "url": live_server.url}])
    page = sign_in(cycle.secretariat, f"/cycle/results/certificates/{scheme.pk}/")
    expect(page.locator("#certificate-templates tbody tr").first.locator("td").first).to_have_text(
        "In use Refused by the security check: no certificate is printed from it"
    )
    page.get_by_role("link", name="Old design", exact=True).click()
    refused = page.locator("#template-refused")
    expect(refused.locator("h2")).to_have_text("The security check refused this template")
    expect(refused.locator("li")).to_have_text(
        [
            "Line 3: “award.version.compiled_by.password” is refused: a certificate can use "
            "only the values listed under “Values a template can use”."
        ]
    )
    expect(page.locator("iframe")).to_have_count(0)
    shot(page, "07-old-template-refused-en")
    assert axe_violations(page) == []

    # Typed anew with {% debug %} as well: both refused, with the line, nothing saved.
    page.get_by_label("HTML (a Django template of one certificate)").fill(
        "<div>\n<p>{{ agency_zh }}</p>\n<p>{{ award.version.compiled_by.password }}{% debug %}</p>\n</div>"
    )
    page.get_by_role("button", name="Save and preview").click()
    alert = page.locator("#template-errors[role=alert]")
    expect(alert.locator("li")).to_have_text(
        [
            re.compile(r"^Line 3: “award\.version\.compiled_by\.password” is refused"),
            re.compile(r"^Line 3: the tag “\{% debug %\}” is refused"),
        ]
    )
    shot(page, "08-attack-refused-en")
    assert axe_violations(page) == []
    old.refresh_from_db()
    assert old.refused_at is not None and "{% debug %}" not in old.html

    # Corrected: saved, usable again, previewed.
    page.get_by_label("HTML (a Django template of one certificate)").fill(
        "<div>\n<p>{{ agency_zh }}</p>\n<p>{{ serial }}</p>\n</div>"
    )
    page.get_by_role("button", name="Save and preview").click()
    expect(page.locator(".messages")).to_contain_text("The template “Old design” is saved.")
    expect(page.locator("#template-refused")).to_have_count(0)
    expect(page.locator("iframe#preview-html")).to_have_count(1)
    old.refresh_from_db()
    assert old.refused_at is None
