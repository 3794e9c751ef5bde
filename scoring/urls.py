from .views import config, panels, reviews, standings

app_name = "scoring"
urlpatterns = [
    *panels.urlpatterns,
    *reviews.urlpatterns,
    *standings.urlpatterns,
    *config.urlpatterns,
]
