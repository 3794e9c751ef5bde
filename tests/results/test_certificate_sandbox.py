"""The certificate sandbox (issue 11): a template sees the documented values as plain
text only. The attack templates of the audit are refused by the check with their name and
line; rendered directly in the sandbox (the check bypassed) they print no password hash,
no session hash, no staff e-mail address, no secret key and no model repr. A template
saved before the check is refused at its next use (and by check_certificate_templates),
audited, shown on its page, and usable again once corrected. The built-in design and a
good custom template render exactly as Django's full engine renders them."""

from __future__ import annotations

import io
import re

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.template import Context, Engine, TemplateSyntaxError, VariableDoesNotExist
from django.urls import reverse
from django.utils import translation

from agencies.enums import Role
from agencies.models import AuditEntry
from awards.results import certificate_sandbox as sandbox
from awards.results import certificates as certs
from awards.results.compilation import ResultsError
from awards.results.models import Award, CertificateTemplate
from tests.conftest import html, texts
from tests.factories import UserFactory
from tests.results.helpers import approved_version, scored_cycle
from tests.results.test_certificates import BASE, pdf_text, run_certificates_job

TAGS = "if, elif, else, endif, comment, endcomment"
FILTERS = "default, upper, lower, linebreaksbr"
NAMES = [name for name, _label in certs.CONTEXT_VARIABLES]

PANEL_PASSWORD = "award.version.edition.panels.all.0.members.all.0.user.password"
REVIEWER_PASSWORD = "award.nomination.assignments.all.0.reviewer.password"


def unknown(line, name):
    return (
        f"Line {line}: “{name}” is refused: a certificate can use only the values listed "
        "under “Values a template can use”."
    )


def chain(line, name, value):
    return (
        f"Line {line}: “{name}” is refused: write the value “{value}” as it is, with "
        "nothing after a dot."
    )


def tag(line, name):
    return (
        f"Line {line}: the tag “{{% {name} %}}” is refused: a certificate template can use "
        f"only the tags {TAGS}."
    )


# (the attack, on line 2 of a template, and every refusal the check gives for it)
ATTACKS = [
    (
        "{{ award.version.compiled_by.password }}",
        [unknown(2, "award.version.compiled_by.password")],
    ),
    (f"{{{{ {PANEL_PASSWORD} }}}}", [unknown(2, PANEL_PASSWORD)]),
    (f"{{{{ {REVIEWER_PASSWORD} }}}}", [unknown(2, REVIEWER_PASSWORD)]),
    ("{{ user.get_session_auth_hash }}", [unknown(2, "user.get_session_auth_hash")]),
    (
        "{{ award.version.compiled_by.get_session_auth_hash }}",
        [unknown(2, "award.version.compiled_by.get_session_auth_hash")],
    ),
    ("{{ award.version.approved_by.email }}", [unknown(2, "award.version.approved_by.email")]),
    ("{{ award }}", [unknown(2, "award")]),
    ("{{ award.version }}", [unknown(2, "award.version")]),
    ("{% load static %}", [tag(2, "load")]),
    ("{% load i18n %}", [tag(2, "load")]),
    ('{% include "base.html" %}', [tag(2, "include")]),
    ('{% extends "base.html" %}', [tag(2, "extends")]),
    ('{% ssi "/etc/passwd" %}', [tag(2, "ssi")]),
    ("{% debug %}", [tag(2, "debug")]),
    ("{% csrf_token %}", [tag(2, "csrf_token")]),
    ('{% url "admin:index" %}', [tag(2, "url")]),
    ("{% now 'Y' %}", [tag(2, "now")]),
    (
        "{% for m in award.version.edition.panels.all %}{{ m }}{% endfor %}",
        [
            tag(2, "for"),
            unknown(2, "m"),
            tag(2, "endfor"),
        ],
    ),
    ("{{ settings }}", [unknown(2, "settings")]),
    ("{{ settings.SECRET_KEY }}", [unknown(2, "settings.SECRET_KEY")]),
    ("{{ request }}", [unknown(2, "request")]),
    ("{{ request.user.password }}", [unknown(2, "request.user.password")]),
    ("{{ perms }}{{ csrf_token }}", [unknown(2, "perms"), unknown(2, "csrf_token")]),
    (
        "{% if award.version.compiled_by.password %}x{% endif %}",
        [unknown(2, "award.version.compiled_by.password")],
    ),
    (
        "{% if serial %}{% elif award.version.compiled_by.email == 'a' %}x{% endif %}",
        [unknown(2, "award.version.compiled_by.email")],
    ),
    ("{{ serial|default:award.version.compiled_by }}", [unknown(2, "award.version.compiled_by")]),
    (
        "{{ agency_zh|safe }}",
        [
            f"Line 2: the filter “safe” is refused: a certificate can use only the filters "
            f"{FILTERS}."
        ],
    ),
    (
        "{{ agency_zh|stringformat:'r' }}",
        [
            f"Line 2: the filter “stringformat” is refused: a certificate can use only the "
            f"filters {FILTERS}."
        ],
    ),
]


def attack_html(attack: str) -> str:
    return f'<div class="certificate">\n<p>{attack}</p>\n<p>{{{{ serial }}}}</p>\n</div>'


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.mark.parametrize(("attack", "refusals"), ATTACKS, ids=[a for a, _r in ATTACKS])
def test_the_check_refuses_each_attack_with_its_name_and_line(attack, refusals):
    assert certs.template_check(attack_html(attack)) == refusals


@pytest.mark.parametrize("name", NAMES)
def test_an_attribute_chain_on_every_documented_value_is_refused(name):
    source = f"<div>\n<p>{{{{ {name} }}}}</p>\n<p>{{{{ {name}.upper }}}}</p>\n</div>"
    assert certs.template_check(source) == [chain(3, f"{name}.upper", name)]
    condition = f"<div>\n{{% if {name} or {name}.strip %}}x{{% endif %}}\n</div>"
    assert certs.template_check(condition) == [chain(2, f"{name}.strip", name)]
    in_filter = f"<p>{{{{ serial|default:{name}.title }}}}</p>"
    assert certs.template_check(in_filter) == [chain(1, f"{name}.title", name)]


def test_an_attribute_with_an_underscore_is_django_s_own_refusal():
    assert certs.template_check("<p>\n{{ serial.__class__ }}</p>") == [
        "Line 2: Variables and attributes may not begin with underscores: 'serial.__class__'"
    ]


def test_a_comment_is_not_read_and_a_good_template_passes():
    source = (
        "<div>{% comment %}{% load static %}{{ award.version }}{% endcomment %}"
        "{# {{ settings }} #}<p>{{ agency_en|upper }}</p>"
        "{% if level_zh %}<p>{{ level_zh }}</p>{% elif revoked %}<p>x</p>{% else %}"
        "<p>{{ citation_zh|default:'—'|linebreaksbr }}</p>{% endif %}</div>"
    )
    assert certs.template_check(source) == []


def test_the_documented_names_are_the_only_ones_the_page_lists():
    assert certs.VARIABLE_NAMES == frozenset(NAMES)
    assert len(NAMES) == 28


# --- the sandbox without the check --------------------------------------------------------------


def _secrets(cycle) -> list[str]:
    """What must never appear in a certificate: every user's password hash and session
    hash, the staff's e-mail addresses, the secret key."""
    users = list(get_user_model().objects.all())
    assert len(users) >= 6
    secrets = [u.password for u in users] + [u.get_session_auth_hash() for u in users]
    staff = [cycle.secretariat, cycle.approver, *cycle.reviewers]
    return [*secrets, *(u.email for u in staff), settings.SECRET_KEY]


def _award(cycle) -> Award:
    version = approved_version(cycle)
    return (
        Award.objects.filter(version=version)
        .select_related("agency", "category", "version__edition__scheme")
        .order_by("category__order", "order", "pk")
        .first()
    )


def _assert_clean(output: str, secrets: list[str]):
    for secret in secrets:
        assert secret not in output
    assert not re.search(r"md5\$|pbkdf2_sha256\$|argon2|bcrypt", output)
    assert " object at 0x" not in output
    assert not re.search(r"<(Award|User|ResultVersion|Panel|PanelMember|Agency|QuerySet)\b", output)
    assert "@example.test" not in output


@pytest.mark.django_db
def test_the_attacks_were_real_before_the_sandbox():
    """Rendered as before (Django's full engine, `award` in the context) the audit's
    chains print the hashes: the attack templates are the real thing."""
    cycle = scored_cycle()
    award = _award(cycle)
    full = Engine(debug=True, loaders=[], libraries={})
    for attack, owner in [
        ("{{ award.version.compiled_by.password }}", cycle.secretariat),
        (f"{{{{ {PANEL_PASSWORD} }}}}", None),
        (f"{{{{ {REVIEWER_PASSWORD} }}}}", None),
    ]:
        out = full.from_string(attack).render(Context({"award": award}))
        assert out.startswith("md5$")
        if owner is not None:
            owner.refresh_from_db()
            assert out == owner.password


@pytest.mark.django_db
def test_rendered_in_the_sandbox_without_the_check_no_attack_shows_a_secret():
    cycle = scored_cycle()
    award = _award(cycle)
    secrets = _secrets(cycle)
    design = certs.default_design(award.version.edition.scheme)
    values = certs.certificate_context(award, design, BASE)
    for attack, _refusals in ATTACKS:
        source = attack_html(attack)
        try:
            compiled = sandbox.compile_template(source)
        except TemplateSyntaxError as exc:
            # Tags and filters outside the sandbox's library do not even compile.
            assert re.search(r"Invalid (block tag|filter)", str(exc)), attack
            continue
        try:
            output = certs.render(compiled, values)
        except VariableDoesNotExist as exc:
            # A filter's argument that is not a value: no output at all (and the
            # error names plain values only).
            _assert_clean(str(exc), secrets)
            continue
        _assert_clean(output, secrets)
        assert award.serial in output


@pytest.mark.django_db
def test_the_context_is_plain_text_only():
    cycle = scored_cycle()
    award = _award(cycle)
    values = certs.certificate_context(
        award, certs.default_design(award.version.edition.scheme), BASE
    )
    assert set(values) == set(NAMES)
    assert {type(v) for k, v in values.items() if k != "revoked"} <= {str, type(values["qr_svg"])}
    assert values["revoked"] is False
    assert values["qr_svg"].startswith("<svg") and 'class="qr-code"' in values["qr_svg"]
    compiled = sandbox.compile_template("{{ serial }}")
    with pytest.raises(TypeError):
        sandbox.render(compiled, {"serial": award})
    # Whatever the caller passes, certs.render keeps the documented names only, as text.
    assert certs.render(compiled, {"serial": award.serial, "award": award}) == award.serial
    assert certs.render(sandbox.compile_template("[{{ award }}]"), {"award": award}) == "[]"


# --- the built-in design and a good template render as before ---------------------------------


GOOD = (
    '<div class="c">\n<h1>{{ scheme_zh }} {{ scheme_en|upper }}</h1>\n'
    "<p>{{ agency_zh }} · {{ agency_en }}</p>\n"
    "<p>{{ edition_zh }} {{ edition_en }} {{ award_zh }} {{ award_en }}</p>\n"
    "{% if level_zh %}<p>{{ level_zh }}</p>{% endif %}\n"
    "<p>{{ citation_zh|default:'—'|linebreaksbr }}</p>\n"
    "<p>{{ date_zh }} {{ date_roc }} {{ date_en }} {{ serial }}</p>\n"
    '<div class="qr">{{ qr_svg }}</div><p>{{ verify_url }}</p>\n</div>'
)


@pytest.mark.django_db
@pytest.mark.parametrize("which", ["default", "good"])
def test_the_default_and_a_good_template_render_exactly_as_before(which):
    cycle = scored_cycle()
    award = _award(cycle)
    scheme = award.version.edition.scheme
    source = certs.default_html() if which == "default" else GOOD
    design = certs.Design(source, "", "國家發展委員會", "National Development Council")
    assert certs.template_check(source) == []
    values = certs.certificate_context(award, design, BASE)
    sandboxed = certs.render(sandbox.compile_template(source), values)
    # Before: Django's full engine, the same values plus `award`.
    before = (
        Engine(debug=True, loaders=[], libraries={})
        .from_string(source)
        .render(Context({**values, "award": award}))
    )
    assert sandboxed == before
    issued = award.issued_on
    for text in (
        award.serial,
        award.agency.name_zh,
        award.name_zh,
        award.version.edition.name_zh,
        certs.date_zh(issued),
        certs.verify_url(award.serial, BASE),
        'class="qr-code"',
    ):
        assert text in sandboxed
    if which == "default":
        assert scheme.name_zh in sandboxed and "國家發展委員會" in sandboxed


# --- templates saved before the check ----------------------------------------------------------


def _old_template(cycle, source, **kwargs):
    """A template as saved before the check existed (straight into the database)."""
    return CertificateTemplate.objects.create(
        scheme=cycle.edition.scheme, name="舊版", html=source, css="", **kwargs
    )


OLD = '<div>\n<p>{{ agency_zh }}</p>\n<p class="x">{{ award.version.compiled_by.password }}</p>\n</div>'
REFUSED = (
    "The certificate template “舊版” was refused by the security check: it uses values or "
    "tags a certificate may not use. No certificate of this scheme is printed until the "
    "secretariat corrects it or goes back to the built-in design."
)


@pytest.mark.django_db
def test_an_old_template_is_refused_at_first_use_audited_once_and_prints_nothing(client):
    cycle = scored_cycle()
    award = _award(cycle)
    template = _old_template(cycle, OLD, is_active=True)
    with pytest.raises(ResultsError) as exc:
        certs.certificate_pdf(award, base_url=BASE)
    assert exc.value.messages == [REFUSED, unknown(3, "award.version.compiled_by.password")]
    template.refresh_from_db()
    assert template.refused_at is not None and template.is_active
    (entry,) = AuditEntry.objects.filter(action="results.certificate_template.refuse")
    assert (entry.object_id, entry.from_state, entry.to_state, entry.actor) == (
        str(template.pk),
        "usable",
        "refused",
        None,
    )
    assert entry.data == {
        "scheme": cycle.edition.scheme.code,
        "active": True,
        "errors": [unknown(3, "award.version.compiled_by.password")],
    }
    # The batch job refuses it too, with the same message, and prints nothing.
    job = run_certificates_job(cycle, award.version)
    assert job.status == "failed"
    assert job.error.startswith(REFUSED)
    assert not job.file
    # The agency's own download: no PDF, the message on its dashboard, no hash anywhere.
    editor = UserFactory(roles=[(Role.AGENCY_EDITOR, award.agency)])
    client.cookies["lang"] = "en"
    client.force_login(editor)
    response = client.get(reverse("results:award_certificate", args=[award.pk]), follow=True)
    assert response["Content-Type"].startswith("text/html")
    page = html(response)
    assert texts(page, "//ul[@class='messages']/li") == [
        REFUSED + " " + unknown(3, "award.version.compiled_by.password")
    ]
    cycle.secretariat.refresh_from_db()
    assert cycle.secretariat.password not in response.content.decode()
    assert AuditEntry.objects.filter(action="results.certificate_template.refuse").count() == 1


@pytest.mark.django_db
def test_check_certificate_templates_marks_the_bad_ones_only():
    cycle = scored_cycle()
    bad = _old_template(cycle, OLD)
    good = _old_template(cycle, "<p>{{ agency_zh }}</p>")
    out = io.StringIO()
    call_command("check_certificate_templates", stdout=out)
    bad.refresh_from_db()
    good.refresh_from_db()
    assert bad.refused_at is not None and good.refused_at is None
    assert out.getvalue().splitlines() == [
        f"Refused: {cycle.edition.scheme.code} · 舊版 ({bad.pk})",
        "  " + unknown(3, "award.version.compiled_by.password"),
        "1 template(s) refused now; 1 refused in all.",
    ]
    # Twice: nothing more happens.
    call_command("check_certificate_templates", stdout=io.StringIO())
    assert AuditEntry.objects.filter(action="results.certificate_template.refuse").count() == 1


@pytest.mark.django_db
def test_the_pages_say_why_and_a_corrected_template_is_usable_again(client):
    cycle = scored_cycle()
    award = _award(cycle)
    scheme = cycle.edition.scheme
    template = _old_template(cycle, OLD, is_active=True)
    client.cookies["lang"] = "en"
    client.force_login(cycle.secretariat)
    url = reverse("results:certificate_template", args=[template.pk])
    # Not used yet: the page already says it will be refused.
    page = html(client.get(url))
    assert texts(page, "//*[@id='template-refused']/h2") == [
        "The security check will refuse this template"
    ]
    call_command("check_certificate_templates", stdout=io.StringIO())
    page = html(client.get(url))
    assert texts(page, "//*[@id='template-refused']/h2") == [
        "The security check refused this template"
    ]
    assert texts(page, "//*[@id='template-refused']//li") == [
        unknown(3, "award.version.compiled_by.password")
    ]
    assert not page.xpath("//iframe")  # no preview of a refused template
    rows = html(client.get(reverse("results:certificate_templates", args=[scheme.pk])))
    assert texts(rows, "//table[@id='certificate-templates']/tbody/tr[1]/td[1]") == [
        "In use Refused by the security check: no certificate is printed from it"
    ]
    # Saving it again with the bad line: refused with the line, nothing saved.
    fields = {"name": "舊版", "signatory_zh": "", "signatory_en": "", "css": ""}
    page = html(client.post(url, {**fields, "html": OLD}))
    assert texts(page, "//*[@id='template-errors']//li") == [
        unknown(3, "award.version.compiled_by.password")
    ]
    template.refresh_from_db()
    assert template.refused_at is not None
    # Corrected: usable again (audited), and the agency's certificate prints.
    fixed = OLD.replace("{{ award.version.compiled_by.password }}", "{{ serial }}")
    response = client.post(url, {**fields, "html": fixed})
    assert response.status_code == 302
    template.refresh_from_db()
    assert (template.refused_at, template.html, template.is_active) == (None, fixed, True)
    assert (
        AuditEntry.objects.filter(
            action="results.certificate_template.unrefuse", object_id=str(template.pk)
        ).count()
        == 1
    )
    assert not html(client.get(url)).xpath("//*[@id='template-refused']")
    text = pdf_text(certs.certificate_pdf(award, base_url=BASE))
    assert award.serial in text and award.agency.name_zh in text


@pytest.mark.django_db
def test_a_new_attack_template_is_refused_on_the_page_and_saves_nothing(client):
    cycle = scored_cycle()
    client.cookies["lang"] = "en"
    client.force_login(cycle.secretariat)
    url = reverse("results:certificate_template_new", args=[cycle.edition.scheme.pk])
    source = certs.default_html().replace(
        "{{ serial }}", "{{ serial }}{{ award.version.compiled_by.password }}{% debug %}"
    )
    line = next(i for i, ln in enumerate(source.splitlines(), 1) if "{% debug %}" in ln)
    response = client.post(
        url,
        {"name": "甲", "signatory_zh": "", "signatory_en": "", "css": "", "html": source},
    )
    page = html(response)
    assert texts(page, "//*[@id='template-errors'][@role='alert']//li") == [
        unknown(line, "award.version.compiled_by.password"),
        tag(line, "debug"),
    ]
    assert CertificateTemplate.objects.count() == 0
    assert not AuditEntry.objects.filter(action__startswith="results.certificate_template")
