from django.urls import path

from . import config_views, views

app_name = "surveys"
urlpatterns = [
    path("", views.poll_list, name="poll_list"),
    path("new/", config_views.poll_new, name="config_poll_new"),
    path("<int:pk>/", views.poll_detail, name="poll_detail"),
    path("<int:pk>/setup/", config_views.poll_setup, name="config_poll"),
    path("<int:pk>/setup/settings/", config_views.poll_settings_save, name="config_poll_settings"),
    path("<int:pk>/setup/strata/", config_views.poll_strata_save, name="config_poll_strata"),
    path(
        "<int:pk>/setup/candidates/",
        config_views.poll_candidates_save,
        name="config_poll_candidates",
    ),
    path(
        "<int:pk>/setup/interviewers/",
        config_views.poll_interviewers_save,
        name="config_poll_interviewers",
    ),
    path("<int:pk>/status/", views.poll_status, name="poll_status"),
    path("<int:pk>/fieldwork/", views.fieldwork, name="fieldwork"),
    path("<int:pk>/call/", views.call_next, name="call_next"),
    path("<int:pk>/call/<int:household_pk>/", views.call_household, name="call_household"),
    path("<int:pk>/call/<int:household_pk>/release/", views.call_release, name="call_release"),
    path("<int:pk>/my-calls/", views.my_calls, name="my_calls"),
    path("<int:pk>/imports/", views.import_new, name="import_new"),
    path("<int:pk>/imports/<int:import_pk>/", views.import_detail, name="import_detail"),
    path(
        "<int:pk>/imports/<int:import_pk>/errors.csv",
        views.import_errors_csv,
        name="import_errors_csv",
    ),
    path("<int:pk>/tally/", views.tally, name="tally"),
    path("<int:pk>/tally/<int:run_pk>/", views.tally_run, name="tally_run"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/results/", views.results, name="results"),
    path("<int:pk>/results.csv", views.results_csv, name="results_csv"),
    path("<int:pk>/suggestions/", views.suggestions, name="suggestions"),
    path("<int:pk>/suggestions.xlsx", views.suggestions_xlsx, name="suggestions_xlsx"),
]
