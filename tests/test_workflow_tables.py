"""Transitions as data (workflow.transitions): every model with a workflow state has a
table, every table covers its states, nothing outside the transition services writes a
state field, and the same table decides what is offered on the pages."""

from __future__ import annotations

import ast
import importlib
import pathlib

import pytest
from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.test import TestCase
from django.urls import reverse
from django.utils import translation

from agencies.enums import Role
from awards.results import services as results_services
from awards.results.enums import VersionStatus
from scoring.enums import ReviewState
from scoring.models import Review
from scoring.services import reviews as review_services
from surveys import services as poll_services
from surveys.enums import PollStatus
from tests.conftest import html
from tests.factories import PollFactory, UserFactory, interviewer_user, secretariat_user
from tests.results.helpers import compile_version, scored_cycle
from workflow.models import AuditEntry
from workflow.transitions import registry, workflow_for

ROOT = pathlib.Path(__file__).resolve().parent.parent

# The project's own apps (a future `rubrics` app is included when it exists).
PROJECT_APPS = ("agencies", "workflow", "awards", "scoring", "surveys", "results", "rubrics")

# Models with a field named state/status that are not workflows: none. (The background
# jobs' states are workflow.Job's, with its own table.)
JOB_MODELS: set[str] = set()


def _load_tables():
    """Import every project app's services (modules or packages): that is where the
    tables are declared and registered."""
    for config in apps.get_app_configs():
        if config.label not in PROJECT_APPS:
            continue
        try:
            importlib.import_module(f"{config.name}.services")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.services":
                raise
    return registry


def _workflow_models():
    found = []
    for model in apps.get_models():
        if model._meta.app_label not in PROJECT_APPS or model._meta.abstract:
            continue
        for field in model._meta.get_fields():
            if field.name in ("state", "status") and getattr(field, "choices", None):
                found.append((model, field.name))
    return found


# --- the tables --------------------------------------------------------------------------


def test_every_model_with_a_workflow_state_has_a_table():
    tables = _load_tables()
    missing = []
    for model, field in _workflow_models():
        label = model._meta.label_lower
        if label in JOB_MODELS:
            continue
        table = tables.get(label)
        if table is None or table.field != field:
            missing.append(f"{label}.{field}")
    assert missing == []
    # The tables this issue put in place, by model (a new one adds itself here).
    assert {
        "awards.nomination",
        "scoring.review",
        "surveys.poll",
        "results.resultversion",
        "surveys.pollimport",
        "workflow.job",
    } <= set(tables)


def test_the_exclusions_are_only_job_models_that_exist():
    labels = {model._meta.label_lower for model, _field in _workflow_models()}
    assert JOB_MODELS <= labels


@pytest.mark.parametrize("label", sorted(_load_tables()))
def test_every_table_covers_every_state(label):
    table = registry[label]
    field = table.model._meta.get_field(table.field)
    # The table's states are the field's choices.
    assert {value for value, _label in field.choices} == set(table.states.values)
    # The field's default is a start state.
    assert str(field.default) in table.initial
    targets = {str(t.target) for t in table.transitions}
    unreachable = [s for s in table.states.values if s not in table.initial and s not in targets]
    assert unreachable == []
    valid = set(table.states.values)
    for t in table.transitions:
        assert t.sources, t.name
        assert set(map(str, t.sources)) <= valid, t.name
        assert str(t.target) in valid, t.name
        assert t.label, t.name
        if t.permission is not None:
            app_label, _codename = t.permission.split(".", 1)
            assert app_label in PROJECT_APPS, t.permission
            import rules

            assert rules.perm_exists(t.permission), t.permission


@pytest.mark.parametrize("label", sorted(_load_tables()))
def test_no_action_is_offered_to_someone_signed_out(label):
    table = registry[label]
    stranger = AnonymousUser()
    for state in table.states.values:
        obj = table.model(**{table.field: state})
        assert table.actions(obj, stranger) == {}, state


# --- nothing else writes a state field ---------------------------------------------------

# Workflow.apply (workflow/transitions.py) is the one writer; it names the field through
# its table, so it needs no entry. What is left is the code of the background-job models
# that workflow.Job replaces. Entries are (path, function): drop them when it is gone.
WRITERS_ALLOWED: set[tuple[str, str]] = set()
# Benchmark fixtures build thousands of rows in bulk, like tests/factories.py.
SKIPPED_DIRS = ("tests", "bench", "migrations", ".venv", "node_modules", "static")
STATE_FIELDS = ("state", "status")
CREATE_CALLS = ("create", "get_or_create", "update_or_create")


def _python_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if any(part in SKIPPED_DIRS or part.startswith(".") for part in rel.parts[:-1]):
            continue
        yield rel


def _initial_values() -> dict[str, set[str]]:
    """For each choices class of a registered table ("ReviewState"), the values an object
    may be created in; for a plain string, the union of all start states."""
    initial: dict[str, set[str]] = {"": set()}
    for table in _load_tables().values():
        values = {str(v) for v in table.initial}
        initial.setdefault(table.states.__name__, set()).update(values)
        initial[""].update(values)
    return initial


def _names_of(node) -> tuple[str, str] | None:
    """("ReviewState", "draft")-like reading of a value: an enum member or a string."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return "", node.value
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return node.value.id, node.attr
    return None


def _is_initial(node, initial) -> bool:
    named = _names_of(node)
    if named is None:
        return False
    enum_name, member = named
    if enum_name == "":
        return member in initial[""]
    for table in registry.values():
        if table.states.__name__ == enum_name and hasattr(table.states, member):
            return str(getattr(table.states, member)) in initial[enum_name]
    return False


def _is_queryset_like(receiver) -> bool:
    """`X.objects.filter(…).update(…)`, `qs.update(…)`, `obj.__dict__.update(…)`: not a
    plain dict named like `row` (`row.update(state=…)` builds a row of a report)."""
    if isinstance(receiver, ast.Name):
        return receiver.id.endswith(("qs", "queryset", "objects"))
    return True


class _Writes(ast.NodeVisitor):
    """Every write of a field named state or status: `x.state = …`, `setattr(x, "state",
    …)`, `….update(state=…)`, `bulk_update(…, ["state"])`, and creating an object (by
    `.create()` and friends, or a model's constructor) in a state that is not a start."""

    def __init__(self, initial, model_names):
        self.initial = initial
        self.model_names = model_names
        self.stack: list[str] = []
        self.found: list[tuple[str, int, str]] = []

    def _add(self, node, what):
        self.found.append((self.stack[0] if self.stack else "<module>", node.lineno, what))

    def visit_FunctionDef(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_ClassDef(self, node):
        self.stack.append(node.name)
        self.generic_visit(node)
        self.stack.pop()

    def _targets(self, node):
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        for target in targets:
            for sub in ast.walk(target):
                if isinstance(sub, ast.Attribute) and sub.attr in STATE_FIELDS:
                    self._add(node, f".{sub.attr} =")

    def visit_Assign(self, node):
        self._targets(node)
        self.generic_visit(node)

    visit_AugAssign = visit_Assign
    visit_AnnAssign = visit_Assign

    def visit_Call(self, node):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        keywords = {k.arg: k.value for k in node.keywords if k.arg in STATE_FIELDS}
        if name == "setattr" and len(node.args) >= 2:
            arg = node.args[1]
            if isinstance(arg, ast.Constant) and arg.value in STATE_FIELDS:
                self._add(node, f'setattr(…, "{arg.value}")')
        elif name == "update" and keywords and _is_queryset_like(func.value):
            self._add(node, "update(" + ", ".join(f"{k}=…" for k in keywords) + ")")
        elif name == "bulk_update":
            for sub in ast.walk(node):
                if isinstance(sub, ast.Constant) and sub.value in STATE_FIELDS:
                    self._add(node, f'bulk_update(…, ["{sub.value}"])')
        elif (name in CREATE_CALLS and isinstance(func, ast.Attribute)) or (
            isinstance(func, ast.Name) and name in self.model_names
        ):
            for key, value in keywords.items():
                if not _is_initial(value, self.initial):
                    self._add(node, f"{name}({key}={ast.unparse(value)})")
        self.generic_visit(node)


def test_no_code_outside_the_transition_services_writes_a_state_field():
    initial = _initial_values()
    model_names = {model.__name__ for model, _field in _workflow_models()}
    offending = []
    for rel in _python_files():
        path = rel.as_posix()
        visitor = _Writes(initial, model_names)
        visitor.visit(ast.parse((ROOT / rel).read_text(encoding="utf-8"), filename=path))
        for function, line, what in visitor.found:
            if (path, function) not in WRITERS_ALLOWED:
                offending.append(f"{path}:{line} in {function}: {what}")
    assert offending == []


def test_the_allow_list_names_only_functions_that_exist():
    """So that it stays precise: each allowed (file, function) exists."""
    for path, function in WRITERS_ALLOWED:
        source = (ROOT / path).read_text(encoding="utf-8")
        names = {
            n.name
            for n in ast.walk(ast.parse(source))
            if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef)
        }
        assert function in names, (path, function)


def test_the_check_finds_each_kind_of_write():
    initial = _initial_values()
    source = """
def f(review, poll):
    review.state = ReviewState.SUBMITTED
    setattr(poll, "status", "closed")
    Poll.objects.filter(pk=1).update(status=PollStatus.CLOSED)
    Review.objects.bulk_update([review], ["state"])
    Review.objects.create(assignment=a, state=ReviewState.SUBMITTED)
    Review(assignment=a, state="reopened")
    Review.objects.create(assignment=a, state=ReviewState.DRAFT)
    Review.objects.filter(state=ReviewState.SUBMITTED).count()
    row.update(state=review.state)
    review.__dict__.update(state="submitted")
    if review.state == ReviewState.DRAFT:
        pass
"""
    visitor = _Writes(initial, {"Review", "Poll"})
    visitor.visit(ast.parse(source))
    assert [(line, what) for _f, line, what in visitor.found] == [
        (3, ".state ="),
        (4, 'setattr(…, "status")'),
        (5, "update(status=…)"),
        (6, 'bulk_update(…, ["state"])'),
        (7, "create(state=ReviewState.SUBMITTED)"),
        (8, "Review(state='reopened')"),
        (12, "update(state=…)"),
    ]


# --- behaviour: refused, allowed, audited -------------------------------------------------


@pytest.mark.django_db
def test_a_refused_transition_changes_nothing_and_says_why_in_each_language():
    cycle = scored_cycle()
    version = compile_version(cycle)
    before = AuditEntry.objects.count()
    for lang, expected in (
        ("en", "Version 1 is “Compiled”; it cannot become “Approved”."),
        ("zh-hant", None),
    ):
        with translation.override(lang):
            with pytest.raises(results_services.ResultsError) as info:
                with TestCase.captureOnCommitCallbacks(execute=True):
                    results_services.VERSION_WORKFLOW.apply(
                        version, VersionStatus.APPROVED, actor=cycle.approver
                    )
            message = info.value.messages[0]
            if expected:
                assert message == expected
            else:
                # Translated: the catalogue's words and the state's translated label.
                assert message != "Version 1 is “Compiled”; it cannot become “Approved”."
                assert str(VersionStatus.DRAFT.label) in message
    version.refresh_from_db()
    assert version.status == VersionStatus.DRAFT
    assert version.decided_at is None
    assert AuditEntry.objects.count() == before


@pytest.mark.django_db
def test_a_refused_review_reopen_changes_nothing():
    cycle = scored_cycle()
    review = Review.objects.filter(assignment__stage=cycle.written).first()
    Review.objects.filter(pk=review.pk).update(state=ReviewState.DRAFT)
    review.refresh_from_db()
    version = review.version
    with translation.override("en"), pytest.raises(review_services.ReviewError) as info:
        review_services.review_reopen(actor=cycle.secretariat, review=review, reason="再檢查")
    assert info.value.messages == ["Only a submitted review can be reopened; this one is “Draft”."]
    review.refresh_from_db()
    assert (review.state, review.version) == (ReviewState.DRAFT, version)
    assert not AuditEntry.objects.filter(action="review.reopen").exists()


@pytest.mark.django_db
def test_an_allowed_transition_writes_exactly_one_audit_entry():
    cycle = scored_cycle()
    version = compile_version(cycle)
    results_services.version_submit(version=version, actor=cycle.secretariat)
    before = set(AuditEntry.objects.values_list("pk", flat=True))
    results_services.version_return(version=version, actor=cycle.approver, comment="請補充說明")
    new = AuditEntry.objects.exclude(pk__in=before)
    assert [
        (e.action, e.object_id, e.from_state, e.to_state, e.actor_id, e.reason) for e in new
    ] == [
        (
            "results.version.returned",
            str(version.pk),
            VersionStatus.SUBMITTED,
            VersionStatus.RETURNED,
            cycle.approver.pk,
            "請補充說明",
        )
    ]
    version.refresh_from_db()
    assert version.status == VersionStatus.RETURNED


@pytest.mark.django_db
def test_poll_fieldwork_goes_through_the_table_with_one_audit_entry():
    poll = PollFactory(status=PollStatus.DRAFT)
    secretariat = secretariat_user()
    poll_services.poll_set_status(poll=poll, status=PollStatus.FIELDWORK, actor=secretariat)
    poll_services.poll_set_status(poll=poll, status=PollStatus.CLOSED, actor=secretariat)
    assert [
        (e.action, e.from_state, e.to_state, e.actor_id)
        for e in AuditEntry.objects.filter(
            object_type="surveys.poll", object_id=str(poll.pk)
        ).order_by("pk")
    ] == [
        ("poll.status", "draft", "fieldwork", secretariat.pk),
        ("poll.status", "fieldwork", "closed", secretariat.pk),
    ]
    # Publishing is not a fieldwork step: refused here, nothing changes.
    with translation.override("en"), pytest.raises(poll_services.PollError) as info:
        poll_services.poll_set_status(poll=poll, status=PollStatus.PUBLISHED, actor=secretariat)
    assert info.value.messages == ["A poll cannot go from “closed” to “published”."]
    poll.refresh_from_db()
    assert poll.status == PollStatus.CLOSED
    assert (
        AuditEntry.objects.filter(object_type="surveys.poll", object_id=str(poll.pk)).count() == 2
    )


# --- behaviour: the buttons follow actions() ----------------------------------------------


def _buttons(client, user, version):
    client.force_login(user)
    client.cookies["lang"] = "en"
    page = html(client.get(reverse("results:version", args=[version.pk])))
    return {
        b
        for b in ("submit-button", "approve-button", "return-button", "schedule-button")
        if page.xpath(f"//button[@id='{b}']")
    }


@pytest.mark.django_db
def test_version_buttons_follow_the_table(client):
    cycle = scored_cycle()
    version = compile_version(cycle)
    table = workflow_for(version)
    both = UserFactory(roles=[Role.SECRETARIAT, Role.APPROVER])
    # A draft: the secretariat may submit it; the approver may do nothing yet.
    assert set(table.actions(version, cycle.secretariat)) == {"submit"}
    assert _buttons(client, cycle.secretariat, version) == {"submit-button"}
    assert table.actions(version, cycle.approver) == {}
    assert _buttons(client, cycle.approver, version) == set()
    # Submitted: the approver approves or returns; the secretariat waits.
    results_services.version_submit(version=version, actor=cycle.secretariat)
    version.refresh_from_db()
    assert set(table.actions(version, cycle.approver)) == {"approve", "return"}
    assert _buttons(client, cycle.approver, version) == {"approve-button", "return-button"}
    assert _buttons(client, cycle.secretariat, version) == set()
    assert _buttons(client, both, version) == {"approve-button", "return-button"}
    # Someone without a results role: no page at all.
    client.force_login(cycle.outsider)
    assert client.get(reverse("results:version", args=[version.pk])).status_code == 404
    assert table.actions(version, cycle.outsider) == {}
    # Approved: no state change is offered to anyone; the secretariat may schedule.
    results_services.version_approve(version=version, actor=cycle.approver)
    version.refresh_from_db()
    assert table.actions(version, both) == {}
    assert _buttons(client, cycle.secretariat, version) == {"schedule-button"}
    assert _buttons(client, cycle.approver, version) == set()


@pytest.mark.django_db
def test_poll_buttons_follow_the_table(client):
    poll = PollFactory(status=PollStatus.DRAFT)
    secretariat = secretariat_user()
    interviewer = interviewer_user()
    url = reverse("surveys:poll_detail", args=[poll.pk])

    def buttons(user):
        client.force_login(user)
        page = html(client.get(url))
        return page.xpath("//form[contains(@action, '/status/')]//button/@value")

    assert buttons(secretariat) == [PollStatus.FIELDWORK]
    poll_services.poll_set_status(poll=poll, status=PollStatus.FIELDWORK, actor=secretariat)
    assert buttons(secretariat) == [PollStatus.CLOSED]
    # The interviewer sees the poll in fieldwork, but may not open or close it.
    assert workflow_for(poll).actions(poll, interviewer) == {}
    assert buttons(interviewer) == []


@pytest.mark.django_db
def test_dossier_buttons_follow_the_nomination_table():
    from django.test import Client

    from awards.services import NOMINATION_WORKFLOW, nomination_start, nomination_submit
    from tests.factories import fill_dossier, open_cycle

    cycle = open_cycle()
    nomination = nomination_start(actor=cycle.editor, agency=cycle.agency, category=cycle.category)
    url = reverse("awards:dossier", args=[nomination.pk])

    def offered(user):
        client = Client()
        client.cookies["lang"] = "en"
        client.force_login(user)
        page = html(client.get(url))
        return {
            name
            for name, xpath in (
                ("submit", "//form[@id='submit-form']"),
                ("withdraw", "//details[contains(@class, 'withdraw')]"),
            )
            if page.xpath(xpath)
        }

    # A draft: its editor may submit or withdraw it; the secretariat may neither.
    assert set(NOMINATION_WORKFLOW.actions(nomination, cycle.editor)) == {"submit", "withdraw"}
    assert offered(cycle.editor) == {"submit", "withdraw"}
    assert NOMINATION_WORKFLOW.actions(nomination, cycle.secretariat) == {}
    assert offered(cycle.secretariat) == set()
    fill_dossier(nomination, cycle.editor)
    nomination_submit(actor=cycle.editor, nomination=nomination)
    # Submitted (an edition with recommendation): the editor may still withdraw; its
    # competent authority may recommend or return it; the secretariat waits for that.
    assert set(NOMINATION_WORKFLOW.actions(nomination, cycle.editor)) == {"withdraw"}
    assert offered(cycle.editor) == {"withdraw"}
    assert set(NOMINATION_WORKFLOW.actions(nomination, cycle.officer)) == {"recommend", "return"}
    assert offered(cycle.officer) == set()
    assert NOMINATION_WORKFLOW.actions(nomination, cycle.secretariat).keys() == {"find_ineligible"}
    with translation.override("en"):
        refusals = NOMINATION_WORKFLOW.refusals(nomination, cycle.secretariat)
    assert refusals == {
        "find_eligible": "In this edition a nomination must be recommended by its competent "
        "authority before it can be eligible."
    }
    # Another agency's editor and another authority's officer: nothing.
    assert NOMINATION_WORKFLOW.actions(nomination, cycle.other_editor) == {}
    assert NOMINATION_WORKFLOW.actions(nomination, cycle.other_officer) == {}


@pytest.mark.django_db
def test_review_record_offers_reopen_from_the_review_table(client):
    cycle = scored_cycle()
    review = Review.objects.filter(assignment__stage=cycle.written).select_related("assignment")[0]
    url = reverse("scoring:review_detail", args=[review.assignment.pk])
    client.force_login(cycle.secretariat)

    def offered():
        page = html(client.get(url))
        return bool(page.xpath("//form[contains(@action, '/reopen/')]"))

    assert review.state == ReviewState.SUBMITTED
    assert set(workflow_for(review).actions(review, cycle.secretariat)) == {"reopen"}
    assert offered()
    review_services.review_reopen(actor=cycle.secretariat, review=review, reason="請再確認")
    review.refresh_from_db()
    # Reopened: only its reviewer may submit it again (while the stage is open).
    assert workflow_for(review).actions(review, cycle.secretariat) == {}
    assert not offered()
    entry = AuditEntry.objects.get(action="review.reopen")
    assert (entry.from_state, entry.to_state, entry.actor_id, entry.reason) == (
        "submitted",
        "reopened",
        cycle.secretariat.pk,
        "請再確認",
    )
