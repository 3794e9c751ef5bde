"""Views: reviews (see scoring/urls.py)."""

urlpatterns: list = []
