from django.urls import path

from . import (
    config_views,
    dossier_views,
    message_views,
    nominee_views,
    oversight_views,
    rubric_views,
    timetable_views,
    views,
)

app_name = "awards"
urlpatterns = [
    path("", views.scheme_list, name="scheme_list"),
    path("editions/<int:pk>/", views.edition_detail, name="edition_detail"),
    path(
        "editions/<int:pk>/configuration/stages/",
        timetable_views.config_stages,
        name="config_stages",
    ),
    path(
        "editions/<int:pk>/configuration/stages/<int:stage_pk>/extend/",
        timetable_views.config_stage_extend,
        name="config_stage_extend",
    ),
    # the secretariat writes to the people of a stage (message_views)
    path("editions/<int:pk>/messages/", message_views.group_message, name="group_message"),
    path(
        "editions/<int:pk>/messages/send/",
        message_views.group_message_send,
        name="group_message_send",
    ),
    # deadline reminders of the stage timetable (timetable_views)
    path(
        "editions/<int:pk>/configuration/stages/reminders/",
        timetable_views.config_reminder_add,
        name="config_reminder_add",
    ),
    path(
        "editions/<int:pk>/configuration/stages/reminders/<int:rule_pk>/delete/",
        timetable_views.config_reminder_delete,
        name="config_reminder_delete",
    ),
    # the configuration area (config_views), for the secretariat
    path("configuration/", config_views.configuration_start, name="configuration_start"),
    path(
        "configuration/schemes/<slug:code>/",
        config_views.config_scheme,
        name="config_scheme",
    ),
    path(
        "editions/<int:pk>/configuration/",
        config_views.configuration_hub,
        name="configuration_hub",
    ),
    path(
        "editions/<int:pk>/configuration/new-edition/",
        config_views.edition_copy_preview,
        name="edition_copy",
    ),
    path(
        "editions/<int:pk>/configuration/new-edition/save/",
        config_views.edition_copy_save,
        name="edition_copy_save",
    ),
    path(
        "editions/<int:pk>/configuration/history/",
        config_views.configuration_history,
        name="configuration_history",
    ),
    path("categories/<int:pk>/rubric/", rubric_views.category_rubric, name="category_rubric"),
    path(
        "editions/<int:pk>/configuration/categories/new/",
        config_views.config_category_add,
        name="config_category_add",
    ),
    path(
        "editions/<int:pk>/configuration/categories/<int:category_pk>/",
        config_views.config_category_edit,
        name="config_category_edit",
    ),
    path(
        "editions/<int:pk>/configuration/rubrics/<int:category_pk>/",
        rubric_views.config_rubric,
        name="config_rubric",
    ),
    # agencies write and submit (dossier_views)
    path("nominations/", dossier_views.nomination_list, name="nomination_list"),
    path("nominations/start/", dossier_views.nomination_start, name="nomination_start"),
    path("nominations/<int:pk>/", dossier_views.dossier, name="dossier"),
    path(
        "nominations/<int:pk>/sections/<int:section_pk>/",
        dossier_views.section_save,
        name="section_save",
    ),
    path(
        "nominations/<int:pk>/attachments/",
        dossier_views.attachment_upload,
        name="attachment_upload",
    ),
    path(
        "nominations/<int:pk>/attachments/<int:attachment_pk>/",
        dossier_views.attachment_download,
        name="attachment_download",
    ),
    path(
        "nominations/<int:pk>/attachments/<int:attachment_pk>/delete/",
        dossier_views.attachment_delete,
        name="attachment_delete",
    ),
    path("nominations/<int:pk>/preview/", dossier_views.dossier_preview, name="dossier_preview"),
    path("nominations/<int:pk>/submit/", dossier_views.dossier_submit, name="dossier_submit"),
    path(
        "nominations/<int:pk>/submissions/<int:version>/pdf/",
        dossier_views.submission_pdf,
        name="submission_pdf",
    ),
    path(
        "nominations/<int:pk>/withdraw/",
        dossier_views.nomination_withdraw,
        name="nomination_withdraw",
    ),
    # the individual or team a nomination is for (nominee_views)
    path("nominations/<int:pk>/nominee/", nominee_views.nominee_edit, name="nominee"),
    path(
        "nominations/<int:pk>/nominee/export/",
        nominee_views.nominee_export,
        name="nominee_export",
    ),
    path("nominations/<int:pk>/nominee/erase/", nominee_views.nominee_erase, name="nominee_erase"),
    # competent authorities and the secretariat (oversight_views)
    path("recommendations/", oversight_views.recommendation_list, name="recommendations"),
    path(
        "recommendations/<int:edition_pk>/",
        oversight_views.recommendation_edit,
        name="recommendation_edit",
    ),
    path(
        "nominations/<int:pk>/return/",
        oversight_views.nomination_return,
        name="nomination_return",
    ),
    path("eligibility/", oversight_views.eligibility_list, name="eligibility_list"),
    path(
        "nominations/<int:pk>/eligibility/",
        oversight_views.eligibility_mark,
        name="eligibility_mark",
    ),
]
