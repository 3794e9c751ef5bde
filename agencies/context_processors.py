from .selectors import user_roles


def roles(request):
    user = getattr(request, "user", None)
    held = user_roles(user) if user is not None else set()
    return {
        "user_roles": held,
        "is_secretariat": "secretariat" in held
        or (user is not None and user.is_authenticated and user.is_superuser),
    }


def two_factor(request):
    """`two_factor_pending`: signed in with a password but still owing a code, so the
    layout shows no navigation into pages that would only send the user back."""
    from .middleware import pending_step

    return {"two_factor_pending": pending_step(request) is not None}
