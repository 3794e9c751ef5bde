from django.urls import path

from . import views

app_name = "agencies"
urlpatterns = [
    path("", views.agency_list, name="list"),
    path("import/", views.agency_import, name="import"),
    path("import/<int:pk>/", views.agency_import_job, name="import_job"),
]
