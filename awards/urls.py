from django.urls import path

from . import views

app_name = "awards"
urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
]
