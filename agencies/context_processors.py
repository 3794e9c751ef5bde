from .selectors import user_roles


def roles(request):
    user = getattr(request, "user", None)
    held = user_roles(user) if user is not None else set()
    return {
        "user_roles": held,
        "is_secretariat": "secretariat" in held
        or (user is not None and user.is_authenticated and user.is_superuser),
    }
