"""`<dd{{ appeal.reasons|lang_attr }}>`: a lang attribute for text people wrote when it
is not in the page's language (workflow.textlang; WCAG 2.1 3.1.2), else nothing."""

from django import template
from django.utils.html import format_html

from workflow.textlang import part_language

register = template.Library()


@register.filter
def lang_attr(text):
    lang = part_language(text)
    return format_html(' lang="{}"', lang) if lang else ""
