"""{% version_appeals version as appeals %}: the appeals of a version's edition for the
version page (results/_version_appeals.html), so that page's view needs no change."""

from django import template

from agencies.permissions import user_may

from ..appeals import appeals_blocking, appeals_of

register = template.Library()


@register.simple_tag(takes_context=True)
def version_appeals(context, version):
    user = context.get("user")
    appeals = list(appeals_of(version.edition_id))
    return {
        "list": appeals,
        "blocking": appeals_blocking(version) if appeals else [],
        "can_manage": user is not None and user_may(user, "results.manage"),
    }
