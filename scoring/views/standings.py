"""Views: standings (see scoring/urls.py)."""

urlpatterns: list = []
