"""Placeholder: filled in by the public work."""

urlpatterns = []
