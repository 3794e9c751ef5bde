"""Glue between views and the rules predicates: one way to say "may this user?".

A signed-out user is sent to sign in; a signed-in user who may not see a thing gets
404, so that its existence does not leak.

`user_may` asks the rules predicates only. Django's `user.has_perm` answers True for a
superuser whatever the permission, so a superuser reached the pages of roles they do
not hold (a competent authority's recommendations, with no authority to act for) and
got server errors. The predicates treat a superuser as the secretariat
(agencies.rules.is_secretariat) and as nothing else."""

from functools import wraps

import rules
from django.contrib.auth.views import redirect_to_login
from django.http import Http404


def user_may(user, perm: str, obj=None) -> bool:
    return rules.has_perm(perm, user, obj)


def require_perm(perm: str, get_object=None):
    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            obj = get_object(request, *args, **kwargs) if get_object else None
            if not user_may(request.user, perm, obj):
                raise Http404
            if obj is not None:
                kwargs["obj"] = obj
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
