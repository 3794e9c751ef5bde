"""Results URLs. Staff pages live under /cycle/results/, public ones under /results/ and
/verify/ (see config/urls.py, which mounts this module at the site root)."""

from .views import appeals, certificates, config, feedback, programme, public, versions

app_name = "results"
urlpatterns = [
    *versions.urlpatterns,
    *certificates.urlpatterns,
    *config.urlpatterns,
    *public.urlpatterns,
    *feedback.urlpatterns,
    *appeals.urlpatterns,
    *programme.urlpatterns,
]
