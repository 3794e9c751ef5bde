"""Transitions as data: one table per model with a workflow state, and one service that
applies a row of it.

A `Workflow` names the model, its state field and choices, and the transitions allowed:
`(source states, target, who may, guard)`. `Workflow.apply()` is the only code that
writes the state field: it locks the row, checks the table, sets the state and any other
fields the caller passes, saves with update_fields, writes the audit entry and queues the
side effects after commit. Each app wraps it in its own small transition service (for
example awards.services.nomination_transition) that adds the step's own rules.

`Workflow.actions(obj, user)` answers "which actions may this user take now" from the
same table: the permission of each transition (a `rules` permission, checked on the
object) and its guard. Templates show buttons from that answer
(`{% workflow_actions obj as actions %}`, then `{% if actions.approve %}`), never from
status strings. A list page passes `names=` to ask only about the actions it offers, so
no other permission is checked per row; `refusals(obj, user)` gives the guard's reason
for an action the user could otherwise take (to say why a button is missing).
Permissions are checked with the rules set itself (as the views' require_perm does), so
a superuser is offered only what the views let them do.

Every Workflow registers itself; tests/test_workflow_tables.py checks that every state of
every registered model is reachable or a start, and that every model with a field named
`state` or `status` with choices has a table.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import field as dc_field

import rules
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from .audit import audit_record

# Every table, by model label ("awards.nomination").
registry: dict[str, Workflow] = {}


class TransitionError(ValidationError):
    """A transition the table does not allow, or whose guard refuses. The message is
    translated and meant for the person who asked."""


@dataclass(frozen=True)
class Transition:
    """One row of a table.

    `name` is the action's name in code and templates ("submit", "approve"); `label` the
    button's text. `permission` is a rules permission checked on the object for a
    person; None means the system takes it (jobs, background work), never offered as a
    button. `guard(obj)` returns None when the transition may happen now, or a
    translated reason why not. `reason_required`: the actor must say why.
    """

    name: str
    sources: tuple[str, ...]
    target: str
    label: str | Promise = ""
    permission: str | None = None
    guard: Callable[[models.Model], str | None] | None = None
    reason_required: bool = False
    # The audit entry's action for this row; default the table's `audit_action`.
    audit_action: str = ""


@dataclass
class Workflow:
    model: type[models.Model]
    states: type[models.TextChoices]
    transitions: list[Transition]
    field: str = "state"
    # The audit entry's action ("nomination.transition"); default "<model>.transition".
    audit_action: str = ""
    # States an object may be created in (they need no incoming transition).
    initial: tuple[str, ...] = ()
    # What a refusal raises: a ValidationError (given a code) or any exception taking
    # the message (such as awards.results' ResultsError).
    error_class: type[Exception] = TransitionError
    # The message when the table has no row for a change: refusal(obj, from, to) -> text.
    # Default: "“<model>” is “<from>” and cannot become “<to>”."
    refusal: Callable[[models.Model, str, str], str] | None = None
    _by_pair: dict = dc_field(default_factory=dict, init=False, repr=False)

    def __post_init__(self):
        values = set(self.states.values)
        for t in self.transitions:
            for s in (*t.sources, t.target):
                if s not in values:
                    raise ValueError(f"{self.model.__name__}: unknown state {s!r} in {t.name}")
            for s in t.sources:
                self._by_pair.setdefault((str(s), str(t.target)), t)
        if not self.audit_action:
            self.audit_action = f"{self.model._meta.model_name}.transition"
        registry[self.model._meta.label_lower] = self

    # --- questions ------------------------------------------------------------------

    def find(self, from_state: str, to_state: str) -> Transition | None:
        return self._by_pair.get((str(from_state), str(to_state)))

    def allows(self, from_state: str, to_state: str) -> bool:
        return self.find(from_state, to_state) is not None

    def targets(self, from_state: str) -> set[str]:
        return {t for (s, t) in self._by_pair if s == str(from_state)}

    def by_name(self, name: str) -> list[Transition]:
        return [t for t in self.transitions if t.name == name]

    def state_of(self, obj) -> str:
        return str(getattr(obj, self.field))

    def actions(self, obj, user, names: Iterable[str] | None = None) -> dict[str, Transition]:
        """The actions `user` may take on `obj` now, by name: the transitions out of its
        state whose permission the user holds on the object and whose guard passes.
        `names`: ask only about these actions (a page that offers only some of them
        checks no other permission)."""
        current = self.state_of(obj)
        wanted = None if names is None else set(names)
        found: dict[str, Transition] = {}
        for t in self.transitions:
            if current not in t.sources or t.permission is None or t.name in found:
                continue
            if wanted is not None and t.name not in wanted:
                continue
            if user is None or not may(user, t.permission, obj):
                continue
            if t.guard is not None and t.guard(obj) is not None:
                continue
            found[t.name] = t
        return found

    def refusals(self, obj, user, names: Iterable[str] | None = None) -> dict[str, str]:
        """The actions out of obj's state that `user` would be allowed to take but whose
        guard refuses now, by name, with the guard's (translated) reason: for a page that
        says why a button is missing."""
        current = self.state_of(obj)
        wanted = None if names is None else set(names)
        found: dict[str, str] = {}
        for t in self.transitions:
            if current not in t.sources or t.permission is None or t.guard is None:
                continue
            if wanted is not None and t.name not in wanted:
                continue
            if t.name in found or user is None or not may(user, t.permission, obj):
                continue
            refusal = t.guard(obj)
            if refusal is not None:
                found[t.name] = refusal
        return found

    def check(self, obj, to_state: str) -> Transition:
        """The table's row for obj's state → to_state, or the error saying why not."""
        current = self.state_of(obj)
        t = self.find(current, to_state)
        if t is None:
            if self.refusal is not None:
                raise self._error(self.refusal(obj, current, str(to_state)), "transition")
            raise self._error(
                _("“%(object)s” is “%(from)s” and cannot become “%(to)s”.")
                % {
                    "object": self.model._meta.verbose_name,
                    "from": self._label(current),
                    "to": self._label(to_state),
                },
                "transition",
            )
        if t.guard is not None:
            refusal = t.guard(obj)
            if refusal is not None:
                raise self._error(refusal, "guard")
        return t

    def _error(self, message, code: str) -> Exception:
        if issubclass(self.error_class, ValidationError):
            return self.error_class(message, code=code)
        return self.error_class(message)

    def _label(self, value: str) -> str:
        try:
            return str(self.states(value).label)
        except ValueError:
            return str(value)

    # --- the one writer ---------------------------------------------------------------

    def apply(
        self,
        obj: models.Model,
        to_state: str,
        *,
        actor,
        reason: str = "",
        update: dict | None = None,
        data: dict | None = None,
        audit: bool = True,
        after_commit: Iterable[Callable[[models.Model, str, str], None]] = (),
        locked: models.Model | None = None,
    ) -> models.Model:
        """Move obj to `to_state`. Locks the row (or takes `locked`, a row the caller has
        already locked in this transaction), checks the table and guard, saves the state
        and `update` with update_fields, audits (who, from, to, why, data) and calls each
        of `after_commit(obj, from, to)` once the transaction commits. The caller's `obj`
        sees the new values. Returns the locked row."""
        with transaction.atomic():
            if locked is None:
                locked = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
            from_state = self.state_of(locked)
            t = self.check(locked, to_state)
            reason = (reason or "").strip()
            if t.reason_required and not reason:
                raise self._error(_("Give a reason."), "reason")
            setattr(locked, self.field, str(to_state))
            fields = [self.field]
            for key, value in (update or {}).items():
                setattr(locked, key, value)
                fields.append(key)
            locked.save(update_fields=fields)
            if audit:
                audit_record(
                    actor=actor,
                    action=t.audit_action or self.audit_action,
                    obj=locked,
                    from_state=from_state,
                    to_state=str(to_state),
                    reason=reason,
                    data=data or {},
                )
            for effect in after_commit:
                transaction.on_commit(
                    lambda effect=effect: effect(locked, from_state, str(to_state))
                )
        if obj is not locked:
            # setattr, not __dict__: a foreign key's descriptor keeps its id in step
            for f in fields:
                setattr(obj, f, getattr(locked, f))
        return locked


def may(user, permission: str, obj) -> bool:
    """The rules permission on the object, exactly as the views check it
    (agencies.permissions.require_perm): the rules set only, so no backend (such as
    ModelBackend's superuser shortcut) offers an action the view would refuse."""
    return rules.has_perm(permission, user, obj)


def workflow_for(obj_or_model) -> Workflow | None:
    model = obj_or_model if isinstance(obj_or_model, type) else type(obj_or_model)
    return registry.get(model._meta.label_lower)
