from django.urls import path

from . import views

app_name = "scoring"
urlpatterns = [
    path("categories/<int:pk>/rubric/", views.category_rubric, name="category_rubric"),
]
