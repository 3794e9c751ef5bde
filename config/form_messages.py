"""Django's own form messages that Django REST Framework's catalogue also holds, worded
differently or wrongly. An installed app's catalogue takes precedence over Django's, so
with `rest_framework` installed an empty upload read "沒有任何檔案被提交。" ("no file was
submitted") and a required field "此為必需欄位。". Marked here, these msgids are extracted
into the project's catalogue (LOCALE_PATHS, which wins over every app), with Django's
wording (i18n/form-messages.json); tests/test_catalogue.py checks each is translated."""

from django.utils.translation import gettext_noop

MESSAGES = (
    gettext_noop("This field is required."),
    gettext_noop("The submitted file is empty."),
    gettext_noop("No file was submitted."),
    gettext_noop("Enter a valid URL."),
    gettext_noop("Value must be valid JSON."),
)
