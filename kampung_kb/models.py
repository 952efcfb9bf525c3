"""Kampung KB data: one row per desa in the kab/kota's Kampung KB assessment for a year."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from penilaian.models import Assessment
from regions.models import Desa, Region


class IndustriRumahan(models.TextChoices):
    TIDAK_ADA = "tidak_ada", _("None")
    PEMULA = "pemula", _("Beginner")
    BERKEMBANG = "berkembang", _("Developing")
    MAJU = "maju", _("Advanced")


class KelasBkkbn(models.TextChoices):
    DASAR = "Dasar", _("Basic")
    BERKEMBANG = "Berkembang", _("Developing")
    MANDIRI = "Mandiri", _("Independent")
    BERKELANJUTAN = "Berkelanjutan", _("Sustainable")


INDEX_VALIDATORS = [MinValueValidator(1), MaxValueValidator(4)]

# The data columns of a desa row, in contract §6 order (forms, API, import and export use this).
YESNO_FIELDS = ("kampung_kb", "capaian_kkbpk", "kinerja_patbm")
INDEX_FIELDS = ("indeks_input", "indeks_proses", "indeks_output")
DATA_FIELDS = (
    *YESNO_FIELDS,
    "industri_rumahan",
    "akta_kelahiran_persen",
    "program_lintas_sektor",
    "kelas_bkkbn",
    *INDEX_FIELDS,
)


class DesaRecord(models.Model):
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="desa_records"
    )
    desa = models.ForeignKey(Desa, on_delete=models.PROTECT, related_name="kampung_kb_records")
    kampung_kb = models.BooleanField(_("designated as Kampung KB"), default=False)
    capaian_kkbpk = models.BooleanField(_("KKBPK achievement"), default=False)
    kinerja_patbm = models.BooleanField(_("PATBM performance"), default=False)
    industri_rumahan = models.CharField(
        _("Home industry"),
        max_length=12,
        choices=IndustriRumahan.choices,
        default=IndustriRumahan.TIDAK_ADA,
    )
    akta_kelahiran_persen = models.DecimalField(
        _("birth certificate ownership (%)"),
        max_digits=5,
        decimal_places=2,
        default=0,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    program_lintas_sektor = models.PositiveSmallIntegerField(
        _("cross-sector programmes (count)"), default=0
    )
    kelas_bkkbn = models.CharField(
        _("BKKBN class"), max_length=14, choices=KelasBkkbn.choices, blank=True
    )
    indeks_input = models.PositiveSmallIntegerField(
        _("input index"), null=True, blank=True, validators=INDEX_VALIDATORS
    )
    indeks_proses = models.PositiveSmallIntegerField(
        _("process index"), null=True, blank=True, validators=INDEX_VALIDATORS
    )
    indeks_output = models.PositiveSmallIntegerField(
        _("output index"), null=True, blank=True, validators=INDEX_VALIDATORS
    )
    note = models.TextField(_("note"), blank=True)
    carried_over = models.BooleanField(
        _("carried over from last year"),
        default=False,
        help_text=_("Verified value from last year; not new evidence."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["desa__code"]
        verbose_name = _("village Kampung KB record")
        verbose_name_plural = _("village Kampung KB record")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "desa"], name="desarecord_unique_desa"),
            models.CheckConstraint(
                condition=Q(akta_kelahiran_persen__gte=0, akta_kelahiran_persen__lte=100),
                name="desarecord_akta_0_100",
            ),
            *(
                models.CheckConstraint(
                    condition=Q(**{f"{f}__isnull": True}) | Q(**{f"{f}__gte": 1, f"{f}__lte": 4}),
                    name=f"desarecord_{f}_1_4",
                )
                for f in ("indeks_input", "indeks_proses", "indeks_output")
            ),
        ]

    def __str__(self) -> str:
        return f"{self.desa} ({self.assessment.edition.year})"


class DesaPotensial(models.Model):
    """How many desa/kelurahan of a kab/kota are *potential* Kampung KB in a year.

    The governor's target is 90 % of the potential desa/kelurahan (domain.md §4.2), not of all.
    No official list is published: without a row, every desa counts as potential and the
    target is marked as resting on that provisional default (rule ``KKB-POTENSIAL``).
    """

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        on_delete=models.PROTECT,
        related_name="desa_potensial",
    )
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    jumlah = models.PositiveIntegerField(_("number of potential desa/kelurahan"))
    source = models.TextField(
        _("source"), blank=True, help_text=_("Where the number comes from (decree, letter).")
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["region__code", "year"]
        verbose_name = _("potential desa/kelurahan")
        verbose_name_plural = _("potential desa/kelurahan")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="desapotensial_unique_year"),
            models.CheckConstraint(condition=Q(jumlah__gte=0), name="desapotensial_jumlah_gte_0"),
        ]

    def __str__(self) -> str:
        return f"{self.region} {self.year}: {self.jumlah}"

    def clean(self) -> None:
        super().clean()
        if self.region_id is None or self.jumlah is None:
            return
        total = Desa.objects.filter(region_id=self.region_id).count()
        if self.jumlah > total:
            raise ValidationError(
                {
                    "jumlah": _("At most %(total)s: the region has %(total)s desa/kelurahan.")
                    % {"total": total}
                }
            )
