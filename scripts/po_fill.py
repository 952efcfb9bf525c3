"""Fill untranslated entries of the Indonesian catalogue from the glossaries in locale/glossary/.

Each glossary is a JSON object mapping an English msgid to its Indonesian translation (for a
plural entry the value may be a list; Indonesian has a single plural form). Entries that already
have a translation are left alone. Run by ``make messages`` after ``makemessages --no-wrap``.
Usage: ``python scripts/po_fill.py [glossary.json ...]`` (default: every locale/glossary/*.json).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
GLOSSARY_DIR = ROOT / "locale" / "glossary"


def unescape(text: str) -> str:
    return re.sub(r'\\(["\\nt])', lambda m: {"n": "\n", "t": "\t"}.get(m[1], m[1]), text)


def escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\t", "\\t")


def load_glossaries(paths: list[Path]) -> dict[str, str | list[str]]:
    merged: dict[str, str | list[str]] = {}
    for path in paths:
        merged.update(json.loads(path.read_text(encoding="utf-8")))
    return merged


def fill_entry(entry: str, glossary: dict[str, str | list[str]]) -> str:
    msgid = re.search(r'^msgid "(.*)"$', entry, re.M)
    if not msgid or not msgid[1]:
        return entry
    translation = glossary.get(unescape(msgid[1]))
    if translation is None:
        return entry
    text = translation[0] if isinstance(translation, list) else translation
    if "#, fuzzy" in entry:  # a guess by makemessages: the glossary knows better
        entry = re.sub(r"^#\| .*\n", "", entry, flags=re.M)
        entry = re.sub(r"^#, fuzzy(, )?", lambda m: "#, " if m[1] else "", entry, flags=re.M)
        entry = re.sub(r"^#, \n|^\n", "", entry, flags=re.M)
        entry = re.sub(r'^(msgstr(\[0\])?) ".*"$', r'\1 ""', entry, flags=re.M)
    if re.search(r'^msgstr "(.+)"$', entry, re.M) or re.search(
        r'^msgstr\[0\] "(.+)"$', entry, re.M
    ):
        return entry
    entry = re.sub(r'^msgstr ""$', lambda _: f'msgstr "{escape(text)}"', entry, flags=re.M)
    entry = re.sub(r'^msgstr\[0\] ""$', lambda _: f'msgstr[0] "{escape(text)}"', entry, flags=re.M)
    return entry


def fill(po_text: str, glossary: dict[str, str | list[str]]) -> str:
    entries = po_text.split("\n\n")
    entries = [fill_entry(e, glossary) for e in entries]
    text = "\n\n".join(entries)
    text = text.replace("charset=CHARSET", "charset=UTF-8")
    text = text.replace('"Language: \\n"', '"Language: id\\n"')
    text = text.replace("nplurals=INTEGER; plural=EXPRESSION;", "nplurals=1; plural=0;")
    return re.sub(r'#, fuzzy\n(msgid "")', r"\1", text, count=1)


def untranslated(po_text: str) -> list[str]:
    missing = []
    for entry in po_text.split("\n\n"):
        msgid = re.search(r'^msgid "(.+)"$', entry, re.M)
        empty = re.search(r'^msgstr ""$', entry, re.M) or 'msgstr[0] ""' in entry
        if msgid and empty and "#, fuzzy" not in entry:
            missing.append(unescape(msgid[1]))
    return missing


def main() -> None:
    paths = [Path(p) for p in sys.argv[1:]] or sorted(GLOSSARY_DIR.glob("*.json"))
    text = fill(PO.read_text(encoding="utf-8"), load_glossaries(paths))
    PO.write_text(text, encoding="utf-8")
    missing = untranslated(text)
    print(f"{PO.relative_to(ROOT)}: {len(missing)} entries untranslated")
    for msgid in missing:
        print(f"  {msgid}")


if __name__ == "__main__":
    main()
