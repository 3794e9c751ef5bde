"""Glue between views and the rules predicates: one way to say "may this user?".

A signed-out user is sent to sign in; a signed-in user who may not see a thing gets
404, so that its existence does not leak."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def require_perm(perm: str, get_object=None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = get_object(request, *args, **kwargs) if get_object else None
            if not request.user.has_perm(perm, obj):
                raise Http404
            if obj is not None:
                kwargs["obj"] = obj
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
