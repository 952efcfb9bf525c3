"""The log of applied imports, and proxy models that give each importable resource its own
entry (with import and export) in the Django admin."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from kampung_kb.models import DesaRecord
from penilaian.models import Answer
from regions.models import Desa, Region


class ImportRecord(models.Model):
    """One applied import: who, when, which file (name and SHA-256), what it changed."""

    class Resource(models.TextChoices):
        NILAI = "nilai", _("Indicator values (APE, KLA)")
        KAMPUNG_KB = "kampung_kb", _("Kampung KB data per village")
        DESA = "desa", _("Villages (desa/kelurahan)")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("imported at"), auto_now_add=True)
    resource = models.CharField(_("data"), max_length=20, choices=Resource.choices)
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    size = models.PositiveIntegerField(_("size (bytes)"))
    region = models.ForeignKey(
        Region,
        verbose_name=_("region scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the importing user could import for every region."),
        related_name="+",
    )
    rows_total = models.PositiveIntegerField(_("rows"))
    rows_new = models.PositiveIntegerField(_("new"))
    rows_changed = models.PositiveIntegerField(_("changed"))
    rows_unchanged = models.PositiveIntegerField(_("unchanged"))
    duration_ms = models.PositiveIntegerField(_("duration (ms)"), default=0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import record")
        verbose_name_plural = _("import records")
        constraints = [
            models.CheckConstraint(
                condition=Q(rows_total=F("rows_new") + F("rows_changed") + F("rows_unchanged")),
                name="importrecord_counts_add_up",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_resource_display()}, {self.created_at:%Y-%m-%d %H:%M})"


class ImportJob(models.Model):
    """A large file previewed, then applied, by a worker (``impor.jobs``), with its progress.

    ``step`` says which half the job is at (the preview, then — after the user confirms — the
    apply); ``state`` where that half stands. A worker that holds a job writes ``heartbeat_at``
    every few seconds; a running job whose heartbeat is older than ``IMPORT_JOB_STALE_SECONDS``
    is failed by whoever reads it (the worker died). ``attempt`` goes up on every retry, so a
    worker that comes back from an older attempt cannot finish the new one."""

    class Step(models.TextChoices):
        PREVIEW = "pratinjau", _("preview")
        APPLY = "impor", _("import")

    class State(models.TextChoices):
        ANTRI = "antri", _("queued")
        BERJALAN = "berjalan", _("running")
        SELESAI = "selesai", _("done")
        GAGAL = "gagal", _("failed")

    class Phase(models.TextChoices):
        NONE = "", _("—")
        READ = "baca", _("reading the file")
        CHECK = "periksa", _("checking rows")
        WRITE = "tulis", _("writing rows")
        REFRESH = "segarkan", _("refreshing readiness")

    resource = models.CharField(_("data"), max_length=20, choices=ImportRecord.Resource.choices)
    step = models.CharField(_("step"), max_length=10, choices=Step.choices, default=Step.PREVIEW)
    state = models.CharField(_("state"), max_length=10, choices=State.choices, default=State.ANTRI)
    phase = models.CharField(_("phase"), max_length=10, choices=Phase.choices, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    region = models.ForeignKey(
        Region,
        verbose_name=_("region scope"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        help_text=_("Empty: the importing user could import for every region."),
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, default="id")
    file_name = models.CharField(_("file name"), max_length=255)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveIntegerField(_("size (bytes)"))
    token = models.CharField(_("file token"), max_length=32)
    plan_token = models.CharField(_("checked rows token"), max_length=32, blank=True)
    error_token = models.CharField(_("error file token"), max_length=32, blank=True)
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_checked = models.PositiveIntegerField(_("rows checked"), default=0)
    rows_written = models.PositiveIntegerField(_("rows written"), default=0)
    summary = models.JSONField(_("preview"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    attempt = models.PositiveIntegerField(_("attempt"), default=1)
    record = models.ForeignKey(
        ImportRecord,
        verbose_name=_("import record"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["antri", "berjalan", "selesai", "gagal"]),
                name="importjob_state_known",
            ),
            models.CheckConstraint(
                condition=Q(step__in=["pratinjau", "impor"]), name="importjob_step_known"
            ),
            models.CheckConstraint(
                condition=Q(rows_checked__lte=F("rows_total"))
                & Q(rows_written__lte=F("rows_total")),
                name="importjob_progress_within_total",
            ),
            models.CheckConstraint(
                condition=~Q(state="berjalan") | Q(started_at__isnull=False),
                name="importjob_running_has_started",
            ),
            models.CheckConstraint(
                condition=~Q(state="gagal") | ~Q(error=""), name="importjob_failed_says_why"
            ),
            models.CheckConstraint(
                condition=Q(record__isnull=True) | Q(step="impor", state="selesai"),
                name="importjob_record_only_when_applied",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.get_step_display()}, {self.get_state_display()})"

    @property
    def running(self) -> bool:
        return self.state in (self.State.ANTRI, self.State.BERJALAN)


class NilaiProxy(Answer):
    """Indicator values as one admin entry with import and export."""

    class Meta:
        proxy = True
        verbose_name = _("indicator value (import/export)")
        verbose_name_plural = _("indicator values (import/export)")


class KampungKbProxy(DesaRecord):
    """Kampung KB rows per desa as one admin entry with import and export."""

    class Meta:
        proxy = True
        verbose_name = _("Kampung KB data (import/export)")
        verbose_name_plural = _("Kampung KB data (import/export)")


class DesaProxy(Desa):
    """Desa/kelurahan as one admin entry with import and export."""

    class Meta:
        proxy = True
        verbose_name = _("village (import/export)")
        verbose_name_plural = _("villages (import/export)")
