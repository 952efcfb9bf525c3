"""The stored readiness of each assessment (see ``dashboard.store`` for the whole story)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from penilaian.models import Assessment
from regions.models import Region


class StoredReadiness(models.Model):
    """What the pages show of one assessment, with the versions it was computed from.

    ``data`` is the serialised result of the pure scoring functions (``dashboard.store``), so a
    new field of that result needs no schema change, less the gap items and missing evidence,
    which are in ``details`` so that a read of the summary alone (the API) need not parse them;
    the typed columns are what operators and queries filter and sort on. The row is fresh
    exactly when ``assessment_version`` equals the assessment's ``version``,
    ``catalog_version`` the edition's ``catalog_version`` and ``format`` the code's
    ``dashboard.store.FORMAT``.
    """

    assessment = models.OneToOneField(
        Assessment, primary_key=True, on_delete=models.CASCADE, related_name="readiness"
    )
    program = models.CharField(_("programme"), max_length=20)
    year = models.PositiveSmallIntegerField(_("year"))
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    assessment_version = models.PositiveIntegerField(_("assessment version"))
    catalog_version = models.PositiveIntegerField(_("catalogue revision"))
    format = models.CharField(_("format"), max_length=16)
    score = models.DecimalField(_("score"), max_digits=10, decimal_places=2, null=True)
    level_name = models.CharField(_("category/predicate"), max_length=60, blank=True)
    computed_at = models.DateTimeField(_("computed at"))
    data = models.JSONField(_("result"))
    details = models.JSONField(_("details"), default=dict)

    class Meta:
        verbose_name = _("stored readiness")
        verbose_name_plural = _("stored readiness")
        indexes = [
            models.Index(fields=["region", "year"], name="readiness_region_year"),
            models.Index(fields=["program", "year"], name="readiness_program_year"),
        ]

    def __str__(self) -> str:
        return f"{self.program} {self.region_id} {self.year} v{self.assessment_version}"
