"""Placeholder: filled in by the certificates work."""

urlpatterns = []
