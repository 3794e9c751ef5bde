"""The zh-Hant catalogue is complete: every entry translated, and every message the code
marks, under any of the names it uses for gettext (`_`, `_l`, gettext, gettext_lazy), is
in it. (`_l` was once not a keyword xgettext knew, and its strings silently showed in
English on zh-Hant pages; workflow's makemessages adds it.)"""

from __future__ import annotations

import ast
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parents[1]
PO = ROOT / "locale/zh_Hant/LC_MESSAGES/django.po"
NAMES = {"_", "_l", "gettext", "gettext_lazy", "pgettext", "pgettext_lazy"}
SKIP = {".venv", "tests", "node_modules", "bench", "scripts"}


def _marked_messages():
    for path in ROOT.rglob("*.py"):
        rel = path.relative_to(ROOT)
        if rel.parts[0] in SKIP or "migrations" in rel.parts:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
                continue
            if node.func.id not in NAMES or not node.args:
                continue
            arg = node.args[-1] if node.func.id.startswith("pgettext") else node.args[0]
            if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and arg.value:
                yield str(rel), node.lineno, arg.value


def test_every_zh_hant_entry_is_translated():
    po = polib.pofile(str(PO))
    untranslated = [
        e.msgid for e in po if not e.obsolete and (not e.translated() or "fuzzy" in e.flags)
    ]
    assert untranslated == []


def test_every_message_the_code_marks_is_in_the_catalogue():
    po = polib.pofile(str(PO))
    known = {e.msgid for e in po if not e.obsolete and e.translated()}
    missing = [
        f"{path}:{line}: {text}" for path, line, text in _marked_messages() if text not in known
    ]
    assert missing == []


def test_djangos_form_messages_keep_djangos_wording_with_rest_framework_installed():
    """rest_framework's zh_Hant catalogue would otherwise win over Django's: an empty
    upload read "no file was submitted" (config/form_messages.py)."""
    from django import forms
    from django.utils import translation

    with translation.override("zh-hant"):
        assert forms.FileField().error_messages["empty"] == "送出的檔案是空的。"
        assert forms.CharField().error_messages["required"] == "此欄位為必填。"  # ours
        assert translation.gettext("No file was submitted.") == "沒有檔案送出"
