"""The sandbox certificate templates are checked and rendered in.

A certificate template is written by the secretariat and its output goes to every agency
that downloads a certificate, so what it can reach is kept to the documented values:

- It is rendered by an Engine of its own (ENGINE) with no loaders, no libraries and, as
  its only built-ins, the small library `register` below: the tags {% if %} (with
  elif/else) and {% comment %}, and a few filters of text. There is no {% load %},
  {% include %}, {% extends %}, {% ssi %}, {% debug %}, {% csrf_token %} or {% url %},
  and no context processors (so no `settings`, `request` or `user`).
- Its context holds plain values only (render() refuses anything but text and True/False):
  never a model instance, a queryset or a callable.
- errors() reads the template's tokens before it is compiled and names, with its line,
  every tag that is not allowed, every name that is not documented and every attribute
  chain ({{ agency_zh.upper }}, {{ award.version }}), so that such a template is refused
  when it is saved and, if it was saved before, when it is used.
"""

from __future__ import annotations

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Lexer, Parser, TokenType, Variable
from django.template.defaulttags import TemplateIfParser, TemplateLiteral
from django.utils.translation import gettext as _

# Tags a certificate template may use (the built-in design uses {% if %} only).
ALLOWED_TAGS = ("if", "elif", "else", "endif", "comment", "endcomment")

# Filters of text that read nothing but their value (and a literal or documented
# argument): enough to upper-case an English name, give a default for an empty value
# or keep the line breaks of a citation.
ALLOWED_FILTERS = ("default", "upper", "lower", "linebreaksbr")

# Names Django's Context always holds; harmless literals.
LITERAL_NAMES = frozenset({"True", "False", "None"})

register = Library()
register.tag("if", defaulttags.do_if)
register.tag("comment", defaulttags.comment)
for _name in ALLOWED_FILTERS:
    register.filter(_name, getattr(defaultfilters, _name))


class _SandboxEngine(Engine):
    # Engine() always adds Django's default built-ins (every default tag, filter and
    # {% include %}/{% extends %}) to the ones given: none here.
    default_builtins = []


ENGINE = _SandboxEngine(
    debug=True,  # line numbers in syntax errors
    loaders=[],
    libraries={},
    builtins=["awards.results.certificate_sandbox"],
    autoescape=True,
    string_if_invalid="",
)


def compile_template(html: str):
    """The template compiled by the sandbox engine (TemplateSyntaxError if it cannot)."""
    return ENGINE.from_string(html)


def render(template, values: dict) -> str:
    """Render a compiled certificate template with plain values only."""
    for name, value in values.items():
        if not isinstance(value, (str, bool)):
            raise TypeError(f"certificate value {name!r} is a {type(value).__name__}, not text")
    return template.render(Context(values, autoescape=True))


def _any_filter(name):
    """A stand-in for any filter, so that the check can name a filter that is not allowed
    instead of failing to parse it."""

    def stand_in(value, arg=None):
        return value

    stand_in.sandbox_name = name
    return stand_in


class _Inspector(Parser):
    def __init__(self):
        super().__init__([])

    def find_filter(self, filter_name):
        return _any_filter(filter_name)


def _condition_expressions(node):
    """The filter expressions of an {% if %} condition, operators walked."""
    if isinstance(node, TemplateLiteral):
        yield node.value
        return
    for side in (getattr(node, "first", None), getattr(node, "second", None)):
        if side is not None:
            yield from _condition_expressions(side)


def _variables(expression):
    """Every variable an expression reads: its value and its filters' arguments."""
    if isinstance(expression.var, Variable) and expression.var.lookups is not None:
        yield expression.var
    for _func, args in expression.filters:
        for lookup, arg in args:
            if lookup and isinstance(arg, Variable) and arg.lookups is not None:
                yield arg


def _expression_errors(expression, line: int, names: frozenset) -> list[tuple[str, str]]:
    errors = []
    for variable in _variables(expression):
        lookups = variable.lookups
        dotted = ".".join(lookups)
        if lookups[0] not in names and lookups[0] not in LITERAL_NAMES:
            errors.append(
                (
                    "value",
                    _(
                        "Line %(line)d: “%(name)s” is refused: a certificate can use only the "
                        "values listed under “Values a template can use”."
                    )
                    % {"line": line, "name": dotted},
                )
            )
        elif len(lookups) > 1:
            errors.append(
                (
                    "value",
                    _(
                        "Line %(line)d: “%(name)s” is refused: write the value “%(value)s” as "
                        "it is, with nothing after a dot."
                    )
                    % {"line": line, "name": dotted, "value": lookups[0]},
                )
            )
    for func, _args in expression.filters:
        name = getattr(func, "sandbox_name", "")
        if name not in ALLOWED_FILTERS:
            errors.append(
                (
                    "tag",
                    _(
                        "Line %(line)d: the filter “%(filter)s” is refused: a certificate can "
                        "use only the filters %(allowed)s."
                    )
                    % {"line": line, "filter": name, "allowed": ", ".join(ALLOWED_FILTERS)},
                )
            )
    return errors


def errors(html: str, names) -> list[str]:
    """Every tag, name and attribute chain the template may not use, each with its line.
    `names` are the documented values."""
    return [message for _kind, message in check(html, names)]


def check(html: str, names) -> list[tuple[str, str]]:
    """(kind, message) of every refusal, in the template's order; kind is "tag" (a tag
    or a filter: the sandbox engine cannot compile the template) or "value" (a name or
    an attribute chain). Text inside {% comment %} is not read (Django never runs it). A token that
    does not parse is left to the compiler's message."""
    names = frozenset(names)
    inspector = _Inspector()
    found: list[tuple[str, str]] = []
    in_comment = False
    for token in Lexer(html).tokenize():
        if token.token_type == TokenType.BLOCK:
            bits = token.split_contents()
            tag = bits[0] if bits else ""
            if in_comment:
                in_comment = tag != "endcomment"
                continue
            if tag not in ALLOWED_TAGS:
                found.append(
                    (
                        "tag",
                        _(
                            "Line %(line)d: the tag “{%% %(tag)s %%}” is refused: a certificate "
                            "template can use only the tags %(allowed)s."
                        )
                        % {"line": token.lineno, "tag": tag, "allowed": ", ".join(ALLOWED_TAGS)},
                    )
                )
            elif tag == "comment":
                in_comment = True
            elif tag in ("if", "elif"):
                try:
                    condition = TemplateIfParser(inspector, bits[1:]).parse()
                except TemplateSyntaxError:
                    continue
                for expression in _condition_expressions(condition):
                    found += _expression_errors(expression, token.lineno, names)
        elif token.token_type == TokenType.VAR and not in_comment:
            try:
                expression = inspector.compile_filter(token.contents)
            except TemplateSyntaxError:
                continue
            found += _expression_errors(expression, token.lineno, names)
    return found
