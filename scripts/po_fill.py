"""Fill empty ``msgstr`` entries of the Indonesian catalogue from a glossary (English → Indonesian).

Usage: ``python scripts/po_fill.py glossary.json`` — the glossary is a JSON object mapping
msgid to its Indonesian translation. Entries already translated are left as they are.
"""

import json
import re
import sys
from pathlib import Path

PO = Path(__file__).resolve().parent.parent / "locale" / "id" / "LC_MESSAGES" / "django.po"


def fill(po_text: str, glossary: dict[str, str]) -> str:
    def replace(match: re.Match) -> str:
        msgid = match.group(1)
        translation = glossary.get(msgid.replace('\\"', '"'))
        if translation is None:
            return match.group(0)
        escaped = translation.replace('"', '\\"')
        return f'msgid "{msgid}"\nmsgstr "{escaped}"'

    text = re.sub(r'msgid "((?:[^"\\]|\\.)+)"\nmsgstr ""(?=\n\n|\n?$)', replace, po_text)
    text = text.replace("charset=CHARSET", "charset=UTF-8").replace(
        '"Language: \\n"', '"Language: id\\n"'
    )
    return re.sub(r'#, fuzzy\n(msgid "")', r"\1", text, count=1)


def main() -> None:
    glossary = json.loads(Path(sys.argv[1]).read_text(encoding="utf-8"))
    PO.write_text(fill(PO.read_text(encoding="utf-8"), glossary), encoding="utf-8")
    empty = PO.read_text(encoding="utf-8").count('msgstr ""\n\n')
    print(f"{PO}: {empty} entries still untranslated")


if __name__ == "__main__":
    main()
