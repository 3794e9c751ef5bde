"""Fill zh-Hant catalogue entries from JSON files of {msgid: translation} (plural entries
keyed "singular||plural"), after `make messages` has extracted the msgids.

    .venv/bin/python scripts/i18n_fill.py translations.json [...]

Only empty or fuzzy entries are filled; existing translations are kept. Prints the
msgids that are still untranslated."""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hant/LC_MESSAGES/django.po"


def main(paths):
    table = {}
    for path in paths:
        table.update(json.loads(Path(path).read_text(encoding="utf-8")))
    po = polib.pofile(str(PO))
    for entry in po:
        if entry.obsolete:
            continue
        key = f"{entry.msgid}||{entry.msgid_plural}" if entry.msgid_plural else entry.msgid
        done = (
            all(entry.msgstr_plural.values()) if entry.msgid_plural else bool(entry.msgstr)
        ) and "fuzzy" not in entry.flags
        if done or key not in table:
            continue
        if entry.msgid_plural:
            entry.msgstr_plural = {0: table[key]}
        else:
            entry.msgstr = table[key]
        if "fuzzy" in entry.flags:
            entry.flags.remove("fuzzy")
    po.save()
    missing = [
        e.msgid
        for e in po
        if not e.obsolete
        and (
            "fuzzy" in e.flags
            or not (all(e.msgstr_plural.values()) if e.msgid_plural else e.msgstr)
        )
    ]
    for msgid in missing:
        print("untranslated:", msgid)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
