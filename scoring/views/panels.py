"""Views: panels (see scoring/urls.py)."""

urlpatterns: list = []
