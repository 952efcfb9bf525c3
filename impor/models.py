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
