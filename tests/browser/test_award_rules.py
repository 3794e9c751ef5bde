"""The award rules page through a real browser, as the demo's secretariat (not a
superuser): from the results list to the TW 8th edition's rules, a rule with more
winners than the category's finalists is refused beside the field with the typing kept,
then fixed; a level and the special award are set; axe finds no WCAG 2.1 AA violation.
No URL under /admin/ is visited."""

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from playwright.sync_api import expect

from agencies.models import Agency, User
from awards.models import Category, Edition, Nomination
from awards.results.models import AwardLevel, AwardRule, AwardSelection

pytestmark = pytest.mark.browser


@pytest.fixture
def edition(demo):
    edition = Edition.objects.get(scheme__code="tw-gsqa", number=8)
    first_line = Category.objects.get(edition=edition, code="first-line")
    secretariat = User.objects.get(email="secretariat@demo.test")
    agencies = Agency.objects.filter(parent__isnull=False).order_by("path")[:4]
    for i, agency in enumerate(agencies):
        Nomination.objects.create(
            edition=edition,
            category=first_line,
            agency=agency,
            title=f"便民服務 {i}",
            state="finalist" if i < 2 else "eligible",
            created_by=secretariat,
        )
    return edition


def test_award_rules_main_path_and_a_refused_count(
    edition, live_server, sign_in, shot, axe_violations
):
    secretariat = User.objects.get(email="secretariat@demo.test")
    first_line = Category.objects.get(edition=edition, code="first-line")
    special = Category.objects.get(edition=edition, code="special")
    visited = []
    page = sign_in(secretariat, "/cycle/results/")
    page.on("request", lambda r: visited.append(r.url))
    page.locator(f"#award-rules-link-{edition.pk}").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(edition.name_zh)
    assert axe_violations(page) == []

    rule = page.locator(f"#rule-form-{first_line.pk}")
    p = f"#id_rule-{first_line.pk}"
    rule.locator(f"{p}-winners").fill("3")
    rule.locator(f"{p}-award_name_zh").fill("政府服務品質獎")
    rule.locator(f"{p}-award_name_en").fill("Government Service Quality Award")
    rule.get_by_role("button").click()
    # Refused beside the field: two finalists only; what was typed is still there.
    rule = page.locator(f"#rule-form-{first_line.pk}")
    with translation.override("zh-hant"):
        refusal = _(
            "“%(category)s” has %(pool)d %(which)s, fewer than the %(n)d winners asked for."
        ) % {
            "category": first_line.name_zh,
            "pool": 2,
            "which": _("finalists"),
            "n": 3,
        }
    expect(rule.locator(f"{p}-winners ~ .errorlist")).to_have_text(refusal)
    expect(rule.locator(f"{p}-winners")).to_have_value("3")
    expect(rule.locator(f"{p}-award_name_en")).to_have_value("Government Service Quality Award")
    assert not AwardRule.objects.filter(category=first_line).exists()
    shot(page, "award-rules-refused")
    assert axe_violations(page) == []

    rule.locator(f"{p}-winners").fill("2")
    rule.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("第一線服務機關")
    saved = AwardRule.objects.get(category=first_line)
    assert (saved.basis, saved.winners, saved.award_name_en, saved.finalists_only) == (
        "standings",
        2,
        "Government Service Quality Award",
        True,
    )

    # A level, then the special award chosen by the panel.
    new_level = page.locator("#level-form-new")
    new_level.locator("#id_level-new-name_zh").fill("特優")
    new_level.locator("#id_level-new-name_en").fill("Distinction")
    new_level.locator("#id_level-new-min_score").fill("850")
    new_level.get_by_role("button").click()
    expect(page.locator(".messages")).to_be_visible()
    assert list(AwardLevel.objects.filter(edition=edition).values_list("name_zh", "min_score")) == [
        ("特優", 850)
    ]
    special_form = page.locator(f"#rule-form-{special.pk}")
    special_form.locator(f"#id_rule-{special.pk}-basis").select_option("selection")
    special_form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("特別獎")
    selection = page.locator(f"#selection-form-{special.pk}")
    agency = Nomination.objects.filter(edition=edition).order_by("agency__path").first().agency
    selection.locator(f"#id_selection-{special.pk}-agency").select_option(str(agency.pk))
    selection.locator(f"#id_selection-{special.pk}-citation_zh").fill("服務創新，成效卓著")
    selection.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text(agency.name_zh)
    assert list(
        AwardSelection.objects.filter(category=special).values_list("agency", flat=True)
    ) == [agency.pk]
    shot(page, "award-rules-saved")
    assert axe_violations(page) == []
    assert not [u for u in visited if "/admin/" in u]
