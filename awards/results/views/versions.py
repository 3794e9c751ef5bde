"""Placeholder: the secretariat and approver pages."""

urlpatterns = []
