"""The bell in the header: the signed-in user's unread notification count, counted
only when a template shows it (one query), never on a page that does not."""

from __future__ import annotations


class _UnreadCount:
    def __init__(self, user):
        self.user = user
        self.value = None

    def __call__(self) -> int:
        if self.value is None:
            from .selectors import notifications_unread_count

            self.value = notifications_unread_count(self.user)
        return self.value


def notifications(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": _UnreadCount(user)}
