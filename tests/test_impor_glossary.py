"""Every message of the import app has an Indonesian translation in its glossary."""

import ast
import re
from pathlib import Path

from tests.impor_files import glossary

ROOT = Path(__file__).resolve().parent.parent
GETTEXT = {"_", "gettext", "gettext_lazy"}


def python_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "impor").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in GETTEXT
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    return found


def template_msgids() -> set[str]:
    found = set()
    for path in (ROOT / "templates" / "impor").rglob("*.html"):
        text = path.read_text(encoding="utf-8")
        found.update(m.group(2) for m in re.finditer(r'{%\s*translate\s+(["\'])(.*?)\1', text))
        for match in re.finditer(
            r"{%\s*blocktranslate[^%]*%}(.*?){%\s*endblocktranslate\s*%}", text, re.S
        ):
            msgid = re.sub(r"{{\s*(\w+)\s*}}", r"%(\1)s", match.group(1))
            found.add(re.sub(r"\s*\n\s*", " ", msgid).strip())
    return found


def test_every_message_of_the_import_app_is_in_the_glossary():
    msgids = python_msgids() | template_msgids()
    assert len(msgids) > 100  # the extraction itself works
    assert sorted(msgids - set(glossary())) == []


def test_every_glossary_entry_is_translated_and_keeps_its_placeholders():
    for msgid, translation in glossary().items():
        assert translation.strip(), msgid
        placeholders = sorted(re.findall(r"%\(\w+\)s", msgid))
        assert sorted(re.findall(r"%\(\w+\)s", translation)) == placeholders, msgid


def test_the_glossary_holds_no_stale_entries():
    assert sorted(set(glossary()) - python_msgids() - template_msgids()) == []
