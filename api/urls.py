"""The API's URLs, mounted at /api/ (config/urls.py).

One list of routes under v1/; an endpoint is one line here and one view in api/views.py.
The feedback reports (awards/results/feedback.py, built apart) are meant to come in as
`v1/nominations/<int:pk>/feedback/` beside the nomination they belong to."""

from django.urls import include, path

from . import docs, token_views, views

app_name = "api"

V1 = [
    # public
    path("schemes/", views.SchemeList.as_view(), name="schemes"),
    path("schemes/<slug:scheme_code>/history/", views.SchemeHistory.as_view(), name="history"),
    path(
        "schemes/<slug:scheme_code>/editions/<int:number>/",
        views.EditionWinners.as_view(),
        name="edition",
    ),
    path("certificates/<str:serial>/", views.CertificateVerify.as_view(), name="certificate"),
    # signed in (a token or the session)
    path("nominations/", views.NominationList.as_view(), name="nominations"),
    path("nominations/<int:pk>/", views.NominationDetail.as_view(), name="nomination"),
    path(
        "nominations/<int:pk>/feedback/",
        views.NominationFeedback.as_view(),
        name="nomination_feedback",
    ),
    path(
        "stages/<int:stage_pk>/categories/<int:category_pk>/standings/",
        views.StageStandings.as_view(),
        name="standings",
    ),
    path(
        "editions/<int:edition_pk>/categories/<int:category_pk>/final-standings/",
        views.FinalStandings.as_view(),
        name="final_standings",
    ),
    path("exports/", views.ExportList.as_view(), name="exports"),
    path("exports/<int:pk>/file/", views.ExportFile.as_view(), name="export_file"),
    path("exports/<int:pk>/archive/", views.ExportArchive.as_view(), name="export_archive"),
]

urlpatterns = [
    path("schema/", docs.SchemaView.as_view(), name="schema"),
    path("docs/", docs.docs_page, name="docs"),
    # the account's page (HTML): make and revoke one's tokens
    path("tokens/", token_views.tokens, name="tokens"),
    path("tokens/<int:pk>/revoke/", token_views.token_revoke_view, name="token_revoke"),
    path("v1/", include(V1)),
]
