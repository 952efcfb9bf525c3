"""What the benchmark scripts share: the throwaway databases they measure in and their section
of docs/benchmarks.md."""

from __future__ import annotations

import secrets
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"


def is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


@contextmanager
def throwaway_sqlite(prefix: str) -> Iterator[str]:
    """The URL of a new SQLite file, removed afterwards."""
    directory = tempfile.mkdtemp(prefix=f"{prefix}_sqlite_")
    try:
        yield f"sqlite:///{directory}/bench.sqlite3"
    finally:
        shutil.rmtree(directory, ignore_errors=True)


@contextmanager
def throwaway_postgres(url: str, prefix: str) -> Iterator[str]:
    """The URL of a new database on the server of ``url``, dropped afterwards."""
    import psycopg2

    parts = urlparse(url)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = psycopg2.connect(urlunparse(parts._replace(path="/postgres")))
    admin.autocommit = True
    try:
        with admin.cursor() as cursor:
            cursor.execute(f'CREATE DATABASE "{name}"')
        yield urlunparse(parts._replace(path=f"/{name}"))
    finally:
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def write_section(heading: str, section: str) -> None:
    """Replace the ``heading`` section of docs/benchmarks.md with ``section`` (or append it)."""
    text = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Benchmarks\n\n"
    start = text.find(heading)
    if start == -1:
        text = text.rstrip("\n") + "\n\n" + section
    else:
        end = text.find("\n## ", start + 1)
        text = text[:start] + section.rstrip("\n") + "\n" + ("" if end == -1 else text[end:])
    DOC.parent.mkdir(parents=True, exist_ok=True)
    DOC.write_text(text.rstrip("\n") + "\n", encoding="utf-8")
