"""Fill zh-Hant catalogue entries from JSON files of {msgid: translation} (plural entries
keyed "singular||plural"), after `make messages` has extracted the msgids.

    .venv/bin/python scripts/i18n_fill.py translations.json [...]

Only empty or fuzzy entries are filled; existing translations are kept. Prints the
msgids that are still untranslated. The English catalogue is filled with the msgids."""

import json
import sys
from pathlib import Path

import polib

PO = Path(__file__).resolve().parent.parent / "locale/zh_Hant/LC_MESSAGES/django.po"
EN = Path(__file__).resolve().parent.parent / "locale/en/LC_MESSAGES/django.po"


def fill_english():
    """The English catalogue is the msgids themselves: fill empty entries and replace
    makemessages' fuzzy guesses (which borrow a neighbour's text) with the msgid."""
    po = polib.pofile(str(EN))
    for entry in po:
        if entry.obsolete:
            continue
        fuzzy = "fuzzy" in entry.flags
        if entry.msgid_plural:
            if fuzzy or not all(entry.msgstr_plural.values()):
                entry.msgstr_plural = {0: entry.msgid, 1: entry.msgid_plural}
        elif fuzzy or not entry.msgstr:
            entry.msgstr = entry.msgid
        if fuzzy:
            entry.flags.remove("fuzzy")
        entry.previous_msgid = entry.previous_msgid_plural = entry.previous_msgctxt = None
    po.save()


def main(paths):
    fill_english()
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
