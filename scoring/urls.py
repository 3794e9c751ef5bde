from django.urls import path

from .views import panels, reviews, rubrics, standings

app_name = "scoring"
urlpatterns = [
    path("categories/<int:pk>/rubric/", rubrics.category_rubric, name="category_rubric"),
    *panels.urlpatterns,
    *reviews.urlpatterns,
    *standings.urlpatterns,
]
