"""Large imports as worker jobs: the preview and the apply of a file of ``IMPORT_JOB_ROWS`` rows
or more run on a Celery worker (``impor.tasks.run_import_job``), with their progress stored on
an :class:`~impor.models.ImportJob`.

The request only makes the checks that need no parsing (``impor.readers.precheck``: a hostile
or unreadable file never reaches a worker), stores the file and queues the preview. The worker:

* **preview** — reads and checks the file as ``engine.preview`` does, keeps the error file and a
  summary of the plan for the job page and, for ``nilai``, the checked rows themselves with a
  *fingerprint* of what they were checked against (the version and status of every assessment
  they touch, the catalog version of every edition), read in the same snapshot as the rows;
* **apply** (after the user confirms) — inside one transaction locks those assessments and
  compares the fingerprint: unchanged, the checked rows are written as they are; changed (or
  another resource), the file is checked again as ``engine.apply`` does. Everything or nothing,
  then the :class:`ImportRecord`, and the job is marked done in the same transaction; after the
  commit the job recomputes the readiness of the touched assessments itself.

Progress (rows checked / written, phase) and a heartbeat are written every
``IMPORT_JOB_PROGRESS_MS`` by a thread with its own database connection, in their own short
transactions, never inside the apply's. A job left running without a heartbeat for
``IMPORT_JOB_STALE_SECONDS`` reads as failed to every reader (:func:`as_seen`, nothing written
on a GET) and is stored as failed by a retry or the scheduled :func:`fail_stale`: its worker died,
and its transaction died with it. A retry queues the same step again with ``attempt + 1``.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import logging
import pickle  # noqa: S403 (our own payload, HMAC-signed and checked before loading)
import threading
import time
from dataclasses import dataclass, field
from datetime import timedelta
from functools import partial
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, IntegrityError, connection, connections, transaction
from django.db.models import F, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from impor import engine
from impor.exports import error_workbook
from impor.models import ImportJob
from impor.readers import FileRefused, read_table
from impor.validation import ChangeRow, Importer, Plan, RowError, get_importer
from penilaian.models import Assessment, Edition
from regions.scoping import Scope, scope_for

logger = logging.getLogger(__name__)
State = ImportJob.State
Phase = ImportJob.Phase
REUSABLE = {"nilai"}  # resources whose checked rows an apply may reuse


# --- what users see ------------------------------------------------------------------------------


def visible(scope: Scope) -> QuerySet[ImportJob]:
    """The jobs this user may see: every one for an admin, their region's for a koordinator."""
    if not engine.importers_for(scope):
        return ImportJob.objects.none()
    return scope.filter(ImportJob.objects.all(), "region")


def fail_stale(now=None) -> int:
    """Fail every running job whose worker has not written a heartbeat for
    ``IMPORT_JOB_STALE_SECONDS`` (one UPDATE); returns how many."""
    now = now or timezone.now()
    limit = now - timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS)
    return ImportJob.objects.filter(state=State.BERJALAN, heartbeat_at__lt=limit).update(
        state=State.GAGAL, phase=Phase.NONE, finished_at=now, error=worker_lost_message()
    )


def is_stale(job: ImportJob, now=None) -> bool:
    """A running job whose worker has written no heartbeat for ``IMPORT_JOB_STALE_SECONDS``."""
    if job.state != State.BERJALAN or job.heartbeat_at is None:
        return False
    limit = (now or timezone.now()) - timedelta(seconds=settings.IMPORT_JOB_STALE_SECONDS)
    return job.heartbeat_at < limit


def as_seen(job: ImportJob, now=None) -> ImportJob:
    """The job as a reader must see it: a stale running job reads "gagal" with the reason. Only
    this instance changes (a GET writes nothing); :func:`fail_stale` stores it — the retry POST
    and the scheduled ``impor.tasks.fail_stale_import_jobs`` call it."""
    if is_stale(job, now):
        job.state, job.phase, job.error = State.GAGAL, Phase.NONE, worker_lost_message()
        job.finished_at = job.heartbeat_at
    return job


def worker_lost_message() -> str:
    return _(
        "The worker stopped: no sign of life for %(seconds)s seconds. Nothing was saved; "
        "retry the job."
    ) % {"seconds": settings.IMPORT_JOB_STALE_SECONDS}


def expired_message() -> str:
    return _("The uploaded file has expired (files are kept for a day). Upload it again.")


def elapsed(job: ImportJob, now=None) -> float | None:
    """Seconds the job has run (so far, while it runs)."""
    if job.started_at is None:
        return None
    end = job.finished_at or (now or timezone.now())
    return max((end - job.started_at).total_seconds(), 0.0)


def percent(job: ImportJob) -> int:
    """The progress bar: rows checked of the file (preview), rows written of those to write
    (apply)."""
    if job.state == State.SELESAI:
        return 100
    if job.step == ImportJob.Step.PREVIEW:
        done, total = job.rows_checked, job.rows_total
    else:
        done = job.rows_written
        total = (job.summary.get("new", 0) + job.summary.get("changed", 0)) or job.rows_total
    return min(100, int(done * 100 / total)) if total else 0


def can_confirm(job: ImportJob) -> bool:
    return (
        job.step == ImportJob.Step.PREVIEW
        and job.state == State.SELESAI
        and bool(job.summary.get("can_apply"))
    )


@dataclass
class StoredPlan:
    """A job's stored preview in the shape ``impor/_preview.html`` reads."""

    total: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid: int = 0
    error_total: int = 0
    errors: list[RowError] = field(default_factory=list)
    preview: list[ChangeRow] = field(default_factory=list)

    @property
    def errors_dropped(self) -> int:
        return self.error_total - len(self.errors)

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)


@dataclass
class StoredOutcome:
    file_name: str
    refused: str | None
    plan: StoredPlan | None
    error_token: str | None


def outcome(job: ImportJob) -> StoredOutcome | None:
    """The preview a finished preview step stored, for the job page."""
    summary = job.summary or {}
    if "total" not in summary and not summary.get("refused"):
        return None
    plan = None
    if not summary.get("refused"):
        plan = StoredPlan(
            total=summary["total"],
            new=summary["new"],
            changed=summary["changed"],
            unchanged=summary["unchanged"],
            invalid=summary["invalid"],
            error_total=summary["error_total"],
            errors=[RowError(*e) for e in summary.get("errors", [])],
            preview=[ChangeRow(*c) for c in summary.get("preview", [])],
        )
    return StoredOutcome(job.file_name, summary.get("refused"), plan, job.error_token or None)


def _summary(plan: Plan) -> dict[str, Any]:
    return {
        "total": plan.total,
        "new": plan.new,
        "changed": plan.changed,
        "unchanged": plan.unchanged,
        "invalid": plan.invalid,
        "error_total": plan.error_total,
        "errors": [[e.row, e.column, e.message] for e in plan.errors],
        "preview": [[c.row, c.kind, c.key, c.before, c.after] for c in plan.preview],
        "can_apply": plan.is_valid and plan.has_changes,
    }


# --- the request side ----------------------------------------------------------------------------


def create(importer: Importer, data: bytes, file_name: str, user, rows: int) -> ImportJob:
    """Store the (pre-checked) upload and queue its preview; ``rows`` is the estimate."""
    scope = scope_for(user)
    engine.check_permission(importer, scope)
    job = ImportJob.objects.create(
        resource=importer.name,
        user=user,
        region_id=None if scope.is_provincial else scope.region_id,
        language=translation.get_language() or settings.LANGUAGE_CODE,
        file_name=file_name[:255],
        sha256=engine.digest(data),
        size=len(data),
        token=engine.store(data),
        rows_total=rows,
    )
    queue(job)
    return job


def confirm(job: ImportJob) -> bool:
    """Queue the apply of a previewed job (once: a second confirm changes nothing)."""
    if not can_confirm(job):
        return False
    return _requeue(
        job,
        {"step": ImportJob.Step.PREVIEW, "state": State.SELESAI},
        step=ImportJob.Step.APPLY,
    )


def retry(job: ImportJob) -> bool:
    """Queue a failed job's step again (its file must still be there)."""
    if job.state != State.GAGAL or engine.load(job.token) is None:
        return False
    return _requeue(job, {"state": State.GAGAL}, error="")


def _requeue(job: ImportJob, expected: dict, **changes) -> bool:
    """Move ``job`` back to the queue as a new attempt if it is still as ``expected`` (one
    conditional UPDATE, so two clicks queue it once), then queue it after the commit."""
    moved = ImportJob.objects.filter(pk=job.pk, **expected).update(
        state=State.ANTRI,
        phase=Phase.NONE,
        rows_checked=0,
        rows_written=0,
        started_at=None,
        finished_at=None,
        heartbeat_at=None,
        attempt=F("attempt") + 1,
        **changes,
    )
    if moved:
        job.refresh_from_db()
        queue(job)
    return bool(moved)


def queue(job: ImportJob) -> None:
    transaction.on_commit(partial(enqueue, job.pk, job.attempt))


@shared_task(name="impor.tasks.run_import_job", ignore_result=True)
def run_import_job(job_id: int, attempt: int) -> str:
    """The task: preview or apply one job (its current step); returns the state it ended in
    ("skipped" when it was not queued for this attempt). Registered with ``impor.tasks``."""
    return run(job_id, attempt)


def enqueue(job_id: int, attempt: int) -> None:
    """Hand the job to a worker (inline without a broker). A broker that is down fails the
    job with a reason, so the user can retry."""
    try:
        run_import_job.delay(job_id, attempt)
    except Exception:  # noqa: BLE001
        logger.exception("import job %s not queued", job_id)
        ImportJob.objects.filter(pk=job_id, attempt=attempt, state=State.ANTRI).update(
            state=State.GAGAL,
            finished_at=timezone.now(),
            error=_("The job could not be queued (the job queue is unavailable). Retry later."),
        )


# --- the worker side -----------------------------------------------------------------------------


class Progress:
    """Rows checked / written and the phase, written with a heartbeat at most every
    ``IMPORT_JOB_PROGRESS_MS``: by a thread on its own connection (a worker), or inline when
    jobs run eagerly (no broker: the tests, ``make run``)."""

    def __init__(self, job: ImportJob, threaded: bool | None = None) -> None:
        self.job_id = job.pk
        self.attempt = job.attempt
        self.values: dict[str, Any] = {}
        self.every = settings.IMPORT_JOB_PROGRESS_MS / 1000
        if threaded is None:
            threaded = not settings.CELERY_TASK_ALWAYS_EAGER
        self.threaded = threaded
        self._last = 0.0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def set(self, **values: Any) -> None:
        self.values = {**self.values, **values}  # one assignment: the thread reads a whole dict
        if not self.threaded and ("phase" in values or time.monotonic() - self._last >= self.every):
            self.flush()

    def checked(self, rows: int) -> None:
        self.set(rows_checked=rows)

    def written(self, rows: int) -> None:
        self.set(rows_written=rows)

    def flush(self) -> int:
        self._last = time.monotonic()
        return ImportJob.objects.filter(
            pk=self.job_id, attempt=self.attempt, state=State.BERJALAN
        ).update(heartbeat_at=timezone.now(), **self.values)

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    self.flush()
                except DatabaseError:  # SQLite: the apply holds the write lock; try again
                    logger.warning("import job %s: progress not written", self.job_id)
        finally:
            connections.close_all()  # this thread's connections only

    def __enter__(self) -> Progress:
        if self.threaded:
            self._thread = threading.Thread(target=self._beat, daemon=True, name="impor-beat")
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._thread is not None:
            self._stop.set()
            self._thread.join(timeout=30)


class JobLost(Exception):
    """The job was failed or retried while this worker ran it: roll back, write nothing."""


def run(job_id: int, attempt: int) -> str:
    """The worker's part: claim the job (only a queued job of this attempt), run its step."""
    now = timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, attempt=attempt, state=State.ANTRI).update(
        state=State.BERJALAN,
        phase=Phase.READ,
        started_at=now,
        heartbeat_at=now,
        finished_at=None,
        rows_checked=0,
        rows_written=0,
        error="",
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user").get(pk=job_id)
    try:
        with translation.override(job.language), Progress(job) as progress:
            if job.step == ImportJob.Step.PREVIEW:
                _preview(job, progress)
            else:
                _apply(job, progress)
    except JobLost:
        return "lost"
    except PermissionDenied:
        _fail(job, _("You may not import this data."))
    except Exception as error:  # noqa: BLE001 (the job says so; the worker goes on)
        logger.exception("import job %s failed", job_id)
        with translation.override(job.language):
            _fail(
                job,
                _("The job stopped with an error (%(error)s). Nothing was saved.")
                % {"error": type(error).__name__},
            )
        return "failed"
    return ImportJob.objects.values_list("state", flat=True).get(pk=job_id)


def _fail(job: ImportJob, message: str) -> None:
    ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, state=State.BERJALAN).update(
        state=State.GAGAL, phase=Phase.NONE, finished_at=timezone.now(), error=message
    )


def _finish(job: ImportJob, **values: Any) -> None:
    done = ImportJob.objects.filter(pk=job.pk, attempt=job.attempt, state=State.BERJALAN).update(
        state=State.SELESAI, phase=Phase.NONE, finished_at=timezone.now(), **values
    )
    if not done:
        raise JobLost


def _snapshot():
    """One consistent view of the database for the preview's rows and their fingerprint
    (PostgreSQL: a REPEATABLE READ transaction; SQLite reads in one go anyway)."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return contextlib.nullcontext()  # inside a caller's transaction (eager, in tests)
    block = transaction.atomic()

    @contextlib.contextmanager
    def repeatable():
        with block:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield

    return repeatable()


def _preview(job: ImportJob, progress: Progress) -> None:
    importer = get_importer(job.resource)
    scope = scope_for(job.user)
    engine.check_permission(importer, scope)
    data = engine.load(job.token)
    if data is None:
        _fail(job, expired_message())
        return
    try:
        table = read_table(data, job.file_name, importer.sheet)
        progress.set(phase=Phase.CHECK, rows_total=len(table.rows), rows_checked=0)
        with _snapshot():
            plan = importer.plan(table, scope, progress=progress.checked)
            checked = _checked_rows(plan) if importer.name in REUSABLE else None
    except FileRefused as refused:
        engine.discard(job.token)
        _finish(job, summary={"refused": refused.message}, rows_checked=0)
        return
    del table, data
    summary = _summary(plan)
    error_token = engine.store(error_workbook(plan), suffix=".xlsx") if plan.errors else ""
    plan_token = ""
    if summary["can_apply"] and checked is not None:
        plan_token = engine.store(_sign(pickle.dumps(checked, protocol=5)), suffix=".plan")
    if not summary["can_apply"]:
        engine.discard(job.token)
    _finish(
        job,
        summary=summary,
        rows_total=plan.total,
        rows_checked=plan.total,
        error_token=error_token,
        plan_token=plan_token,
    )


@dataclass
class CheckedRows:
    """A valid plan without its sheet: what the writer needs, and what it was checked against."""

    importer_name: str
    writes: list[Any]
    create_assessments: set[tuple[int, int]]
    touched_assessments: set[int]
    region_ids: set[int]
    total: int
    new: int
    changed: int
    unchanged: int
    fingerprint: Any = None
    errors: list = field(default_factory=list)
    preview: list = field(default_factory=list)
    error_total: int = 0

    @property
    def is_valid(self) -> bool:
        return True

    @property
    def has_changes(self) -> bool:
        return bool(self.new or self.changed)

    @property
    def pairs(self) -> set[tuple[int, int]]:
        return {(w.region_id, w.edition_id) for w in self.writes}


def _checked_rows(plan: Plan) -> CheckedRows | None:
    if not (plan.is_valid and plan.has_changes):
        return None
    rows = CheckedRows(
        importer_name=plan.importer.name,
        writes=list(plan.writes),
        create_assessments=set(plan.create_assessments),
        touched_assessments=set(plan.touched_assessments),
        region_ids=set(plan.region_ids),
        total=plan.total,
        new=plan.new,
        changed=plan.changed,
        unchanged=plan.unchanged,
    )
    rows.fingerprint = fingerprint(rows.pairs, for_update=False)
    return rows


def fingerprint(pairs: set[tuple[int, int]], *, for_update: bool) -> list:
    """What checked rows depend on beyond themselves: (region, edition, id, version, status) of
    every assessment of ``pairs`` (a missing one is absent), and each edition's catalog version.
    ``for_update`` locks the assessments, in id order, as the apply does."""
    regions = {r for r, _e in pairs}
    editions = {e for _r, e in pairs}
    queryset = Assessment.objects.filter(region_id__in=regions, edition_id__in=editions)
    if for_update:
        queryset = queryset.select_for_update().order_by("pk")
    found = sorted(
        row
        for row in queryset.values_list("region_id", "edition_id", "pk", "version", "status")
        if (row[0], row[1]) in pairs
    )
    catalog = sorted(Edition.objects.filter(pk__in=editions).values_list("pk", "catalog_version"))
    return [[list(row) for row in found], [list(row) for row in catalog]]


def _sign(payload: bytes) -> bytes:
    return _mac(payload) + payload


def _mac(payload: bytes) -> bytes:
    key = hashlib.sha256(("impor.jobs.checked-rows" + settings.SECRET_KEY).encode()).digest()
    return hmac.new(key, payload, hashlib.sha256).digest()


def load_checked(token: str) -> CheckedRows | None:
    """The checked rows a preview stored, or None (gone, or not signed by us)."""
    data = engine.load(token, suffix=".plan") if token else None
    if data is None or len(data) < 32:
        return None
    mac, payload = data[:32], data[32:]
    if not hmac.compare_digest(mac, _mac(payload)):
        logger.warning("checked rows %s: bad signature, ignored", token)
        return None
    return pickle.loads(payload)  # noqa: S301 (signed above)


def _apply(job: ImportJob, progress: Progress) -> None:
    importer = get_importer(job.resource)
    scope = scope_for(job.user)
    engine.check_permission(importer, scope)
    data = engine.load(job.token)
    if data is None:
        _fail(job, expired_message())
        return
    started = time.monotonic()
    result = engine.Preview(importer, job.file_name, job.sha256, job.size)
    checked = load_checked(job.plan_token) if importer.name in REUSABLE else None
    reused = False
    marks = {"start": time.monotonic()}
    try:
        with transaction.atomic():
            # runs first after the commit, before the readiness refresh the writer registers
            transaction.on_commit(lambda: marks.setdefault("commit", time.monotonic()))
            plan: Any = None
            if checked is not None and all(scope.can_manage_region(r) for r in checked.region_ids):
                progress.set(phase=Phase.CHECK)
                if fingerprint(checked.pairs, for_update=True) == checked.fingerprint:
                    plan, reused = checked, True
                    progress.set(rows_checked=checked.total)
            if plan is None:  # changed since the preview (or not reusable): check it all again
                progress.set(phase=Phase.READ)
                table = read_table(data, job.file_name, importer.sheet)
                progress.set(phase=Phase.CHECK, rows_total=len(table.rows), rows_checked=0)
                plan = importer.plan(table, scope, for_update=True, progress=progress.checked)
                if not plan.is_valid or not plan.has_changes:
                    result.plan = plan
                    summary = {**_summary(plan), "can_apply": False}
                    token = engine.store(error_workbook(plan), ".xlsx") if plan.errors else ""
                    _finish(
                        job,
                        summary=summary,
                        error_token=token,
                        rows_checked=plan.total,
                        error=engine.summary(result),
                    )
                    return
            del data
            result.plan = plan
            marks["checked"] = time.monotonic()
            progress.set(phase=Phase.WRITE, rows_written=0)
            record = engine.write(
                result,
                plan,
                scope,
                job.user,
                started,
                progress=progress.written,
                chunk=settings.IMPORT_JOB_WRITE_CHUNK,
                background=False,  # this job refreshes the readiness itself, after the commit
            )
            marks["written"] = time.monotonic()
            done = ImportJob.objects.filter(
                pk=job.pk, attempt=job.attempt, state=State.BERJALAN
            ).update(
                state=State.SELESAI,
                phase=Phase.REFRESH,
                record=record,
                rows_total=plan.total,
                rows_checked=plan.total,
                rows_written=plan.new + plan.changed,
                summary={**job.summary, "reused": reused, "result": engine.summary(result)},
            )
            if not done:
                raise JobLost
    except FileRefused as refused:
        _finish(job, error=refused.message)
        return
    except IntegrityError:
        _finish(
            job,
            error=_(
                "The data changed while the file was being imported; nothing was saved. "
                "Upload the file again."
            ),
        )
        return
    # Committed; the readiness of the touched assessments was refreshed by the commit's
    # listener (background=False), in this process.
    marks["refreshed"] = time.monotonic()
    marks.setdefault("commit", marks["refreshed"])
    seconds = {  # where the time went (docs/benchmarks.md)
        "check": marks["checked"] - marks["start"],
        "write": marks["written"] - marks["checked"],
        "commit": marks["commit"] - marks["written"],
        "refresh": marks["refreshed"] - marks["commit"],
    }
    ImportJob.objects.filter(pk=job.pk, attempt=job.attempt).update(
        phase=Phase.NONE,
        finished_at=timezone.now(),
        summary={
            **job.summary,
            "reused": reused,
            "result": engine.summary(result),
            "seconds": {k: round(v, 3) for k, v in seconds.items()},
        },
    )
    engine.discard(job.token)
    engine.discard(job.plan_token, suffix=".plan")
