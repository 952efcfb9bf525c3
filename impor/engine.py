"""The import, end to end: who may import what, the dry run, the error file, the apply.

Both doors use it: the admin's django-import-export flow (``impor.resources``) and the
pages under ``/impor/`` (``impor.views``). :func:`preview` writes nothing to the data tables;
:func:`apply` checks the file again inside one transaction (the assessments it touches are
locked first) and writes everything or nothing, then records an :class:`ImportRecord`.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from impor.exports import error_workbook
from impor.models import ImportRecord
from impor.readers import FileRefused, read_table
from impor.validation import IMPORTERS, Importer, Plan, get_importer
from impor.writers import write_plan
from regions.models import Role
from regions.scoping import Scope, scope_for

TMP_DIR = "impor_tmp"
TMP_MAX_AGE = 24 * 3600
_TOKEN = re.compile(r"^[0-9a-f]{32}$")


@dataclass
class Preview:
    """A checked upload: refused as a whole (``refused``), or a :class:`Plan` to show."""

    importer: Importer
    file_name: str
    sha256: str
    size: int
    refused: str | None = None
    plan: Plan | None = None
    error_token: str | None = None
    record: ImportRecord | None = None

    @property
    def ok(self) -> bool:
        return self.refused is None and self.plan is not None and self.plan.is_valid

    @property
    def no_changes(self) -> bool:
        return self.ok and not self.plan.has_changes  # type: ignore[union-attr]

    @property
    def can_apply(self) -> bool:
        return self.ok and self.plan.has_changes  # type: ignore[union-attr]


def importers_for(scope: Scope) -> list[Importer]:
    """The resources this user may import: every one for an admin, ``nilai`` for a koordinator."""
    if scope.is_admin:
        return list(IMPORTERS.values())
    if scope.role == Role.KOORDINATOR and scope.region_id is not None:
        return [i for i in IMPORTERS.values() if i.koordinator_allowed]
    return []


def check_permission(importer: Importer, scope: Scope) -> None:
    if importer not in importers_for(scope):
        raise PermissionDenied(_("You may not import this data."))


def digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def preview(name: str, data: bytes, file_name: str, user) -> Preview:
    """The dry run: read and check the file, keep an error file when rows fail. Writes no data."""
    importer = get_importer(name)
    scope = scope_for(user)
    check_permission(importer, scope)
    result = Preview(importer, file_name, digest(data), len(data))
    try:
        table = read_table(data, file_name, importer.sheet)
        result.plan = importer.plan(table, scope)
    except FileRefused as refused:
        result.refused = refused.message
        return result
    if result.plan.errors:
        result.error_token = store(error_workbook(result.plan), suffix=".xlsx")
    return result


def apply(name: str, data: bytes, file_name: str, user) -> Preview:
    """Check again and write, all or nothing. ``result.record`` is set when it was applied."""
    importer = get_importer(name)
    scope = scope_for(user)
    check_permission(importer, scope)
    result = Preview(importer, file_name, digest(data), len(data))
    started = time.monotonic()
    try:
        table = read_table(data, file_name, importer.sheet)
        importer.column_index(table)
    except FileRefused as refused:
        result.refused = refused.message
        return result
    try:
        with transaction.atomic():
            plan = importer.plan(table, scope, for_update=True)
            result.plan = plan
            if not plan.is_valid or not plan.has_changes:
                # Invalid, or nothing to change (a stale preview, a second confirm): no
                # writes and no empty ImportRecord.
                return result
            result.record = write(result, plan, scope, user, started)
    except IntegrityError:
        result.plan = None
        result.refused = _(
            "The data changed while the file was being imported; nothing was saved. "
            "Upload the file again."
        )
    if result.plan is not None and result.plan.errors:
        result.error_token = store(error_workbook(result.plan), suffix=".xlsx")
    return result


def write(
    result: Preview,
    plan: Plan,
    scope: Scope,
    user,
    started: float,
    *,
    progress=None,
    chunk: int = 0,
    background: bool = True,
) -> ImportRecord:
    """Write a checked ``plan`` and its :class:`ImportRecord` (inside the caller's
    transaction); ``progress``, ``chunk`` and ``background`` as :func:`impor.writers.write_plan`."""
    now = timezone.now()
    reason = _("Excel import: %(file)s") % {"file": result.file_name}
    write_plan(plan, user, reason, now, progress=progress, chunk=chunk, background=background)
    return ImportRecord.objects.create(
        user=user if getattr(user, "pk", None) else None,
        resource=result.importer.name,
        file_name=result.file_name[:255],
        sha256=result.sha256,
        size=result.size,
        region_id=None if scope.is_provincial else scope.region_id,
        rows_total=plan.total,
        rows_new=plan.new,
        rows_changed=plan.changed,
        rows_unchanged=plan.unchanged,
        duration_ms=int((time.monotonic() - started) * 1000),
    )


def summary(result: Preview) -> str:
    """One sentence for a message after apply (or why nothing was applied)."""
    if result.refused:
        return result.refused
    plan = result.plan
    if plan is None or plan.errors:
        return _("Nothing was imported: %(count)s rows have errors.") % {
            "count": plan.invalid if plan else 0
        }
    if not plan.has_changes:
        return _("No changes: the file matches the stored data (%(count)s rows).") % {
            "count": plan.unchanged
        }
    return _("Import saved: %(new)s new, %(changed)s changed, %(unchanged)s unchanged rows.") % {
        "new": plan.new,
        "changed": plan.changed,
        "unchanged": plan.unchanged,
    }


# --- temporary files (pending uploads and error files) ---


def store(data: bytes, suffix: str = ".bin") -> str:
    """Keep ``data`` for a day in the default storage (shared by every web process)."""
    remove_expired_files()
    token = secrets.token_hex(16)
    default_storage.save(f"{TMP_DIR}/{token}{suffix}", ContentFile(data))
    return token


def load(token: str, suffix: str = ".bin") -> bytes | None:
    if not _TOKEN.match(token or ""):
        return None
    path = f"{TMP_DIR}/{token}{suffix}"
    if not default_storage.exists(path):
        return None
    with default_storage.open(path, "rb") as handle:
        return handle.read()


def discard(token: str, suffix: str = ".bin") -> None:
    if _TOKEN.match(token or ""):
        path = f"{TMP_DIR}/{token}{suffix}"
        if default_storage.exists(path):
            default_storage.delete(path)


PENDING_KEY = "impor_pending"
PENDING_MAX = 5


def hold(request, outcome: Preview, data: bytes) -> str:
    """Keep an upload whose preview may be applied, for this session only; returns the token
    its confirm form carries. Only a checked, applicable file is ever stored."""
    token = store(data)
    pending = request.session.get(PENDING_KEY, {})
    pending[token] = {
        "resource": outcome.importer.name,
        "file_name": outcome.file_name,
        "sha256": outcome.sha256,
        "at": timezone.now().isoformat(),
    }
    for old in list(pending)[:-PENDING_MAX]:  # older previews of this session: gone
        pending.pop(old)
        discard(old)
    request.session[PENDING_KEY] = pending
    return token


def take(request, resource: str, token: str) -> tuple[bytes, dict] | None:
    """The upload this session held for ``token``, removed from the session and the storage
    (a token works once: a second confirm of the same preview gets None)."""
    pending = request.session.get(PENDING_KEY, {})
    entry = pending.get(token) if _TOKEN.match(token or "") else None
    if entry is None or entry["resource"] != resource:
        return None
    pending.pop(token)
    request.session[PENDING_KEY] = pending
    data = load(token)
    discard(token)
    if data is None or digest(data) != entry["sha256"]:
        return None
    return data, entry


def expired_message() -> str:
    return _("This preview has expired. Upload the file again.")


ERROR_FILES_KEY = "impor_error_files"
LIBRARY_TMP_DIR = "django-import-export"  # where the library's MediaStorage kept uploads


def remember_error_file(request, outcome: Preview) -> None:
    """Let this session (and only it) download the outcome's error file."""
    if outcome.error_token:
        tokens = request.session.get(ERROR_FILES_KEY, [])[-20:]
        request.session[ERROR_FILES_KEY] = [*tokens, outcome.error_token]


def may_download(request, token: str) -> bool:
    return token in request.session.get(ERROR_FILES_KEY, [])


def remove_expired_files(max_age: int = TMP_MAX_AGE) -> int:
    """Delete our temporary files (pending uploads, error files) once older than ``max_age``
    seconds (a day), and any upload left in the library's folder by the admin flow of earlier
    versions (the admin door no longer stores there). Returns how many were deleted. Runs on
    every upload and hourly as a job (``impor.tasks``)."""
    limit = timezone.now().timestamp() - max_age
    removed = 0
    for folder in (TMP_DIR, LIBRARY_TMP_DIR):
        try:
            _dirs, files = default_storage.listdir(folder)
        except (FileNotFoundError, NotImplementedError, OSError):
            continue
        for name in files:
            path = f"{folder}/{name}"
            try:
                if default_storage.get_modified_time(path).timestamp() < limit:
                    default_storage.delete(path)
                    removed += 1
            except (FileNotFoundError, NotImplementedError, OSError):
                continue
    return removed
