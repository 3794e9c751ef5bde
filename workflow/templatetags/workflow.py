"""`{% workflow_actions obj as actions %}`: the actions the signed-in user may take on obj
now, by name, from obj's transition table (workflow.transitions). Templates show a button
when `actions.<name>` is set, never by comparing status strings."""

from django import template

from workflow.transitions import workflow_for

register = template.Library()


@register.simple_tag(takes_context=True)
def workflow_actions(context, obj):
    table = workflow_for(obj) if obj is not None else None
    if table is None:
        return {}
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return table.actions(obj, user)


@register.simple_tag(takes_context=True)
def workflow_refusals(context, obj):
    """`{% workflow_refusals obj as refused %}`: the actions the signed-in user could take
    on obj but whose guard refuses now, by name, with the reason (to say why a button is
    missing)."""
    table = workflow_for(obj) if obj is not None else None
    if table is None:
        return {}
    request = context.get("request")
    user = getattr(request, "user", None) or context.get("user")
    return table.refusals(obj, user)


@register.filter
def language_name(code):
    """A message's language named in the reader's language ("zh-hant" -> 中文（台灣）)."""
    from django.conf import settings
    from django.utils.translation import gettext

    names = dict(settings.LANGUAGES)
    return gettext(names[code]) if code in names else code
