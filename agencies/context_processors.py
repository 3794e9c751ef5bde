"""What every page's template needs beyond Django's own context. Permissions are not
here: templates ask the rules themselves ({% load rules %}{% has_perm ... %})."""


def two_factor(request):
    """`two_factor_pending`: signed in with a password but still owing a code, so the
    layout shows no navigation into pages that would only send the user back."""
    from .middleware import pending_step

    return {"two_factor_pending": pending_step(request) is not None}
