"""Accountability: staff handovers, the evaluation calendar, risk and reminder rules (data),
and the reminders already sent (so none goes out twice)."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from penilaian.models import Program
from regions.models import Opd, Region, Role


class Handover(models.Model):
    """Serah terima: one user's open assignment moved to another user, with the reason."""

    region = models.ForeignKey(Region, verbose_name=_("region"), on_delete=models.PROTECT)
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("from"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("to"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    opd = models.ForeignKey(
        Opd, verbose_name=_("agency (OPD)"), null=True, blank=True, on_delete=models.PROTECT
    )
    reason = models.TextField(_("reason"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("done by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("handover")
        verbose_name_plural = _("handovers")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="handover_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.region.code}: {self.from_user} → {self.to_user}"


class Stage(models.Model):
    """One stage of a programme's evaluation in one year, with the national window and the
    province's own earlier deadline (e.g. provincial pre-verification two weeks before)."""

    program = models.CharField(_("programme"), max_length=20, choices=Program.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("stage"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    starts_on = models.DateField(_("starts"))
    ends_on = models.DateField(_("national deadline"))
    internal_deadline = models.DateField(
        _("provincial deadline"),
        null=True,
        blank=True,
        help_text=_("The province's own earlier deadline for this stage; reminders count to it."),
    )
    example = models.BooleanField(
        _("example only"),
        default=False,
        help_text=_("Illustrative dates, not an official schedule."),
    )
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["year", "program", "order", "starts_on"]
        verbose_name = _("calendar stage")
        verbose_name_plural = _("calendar stages")
        constraints = [
            models.UniqueConstraint(
                fields=["program", "year", "code"], name="stage_unique_program_year_code"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")), name="stage_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(internal_deadline__isnull=True)
                | Q(internal_deadline__lte=F("ends_on")),
                name="stage_internal_deadline_not_after_national",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.year}: {self.name}"

    @property
    def deadline(self):
        """The date the province works to: its own deadline, else the national one."""
        return self.internal_deadline or self.ends_on


class RiskRule(models.Model):
    """A region is "berisiko" when its completeness is below ``min_completeness`` % while
    fewer than ``days_left`` days remain to the stage's deadline. Empty programme: all."""

    program = models.CharField(_("programme"), max_length=20, choices=Program.choices, blank=True)
    min_completeness = models.DecimalField(
        _("minimum completeness (%)"),
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(0), MaxValueValidator(100)],
    )
    days_left = models.PositiveSmallIntegerField(_("fewer than N days left"))

    class Meta:
        ordering = ["program", "days_left"]
        verbose_name = _("risk rule")
        verbose_name_plural = _("risk rules")
        constraints = [
            models.CheckConstraint(
                condition=Q(min_completeness__gte=0, min_completeness__lte=100),
                name="riskrule_completeness_percent",
            ),
            models.UniqueConstraint(fields=["program", "days_left"], name="riskrule_unique"),
        ]

    def __str__(self) -> str:
        return f"< {self.min_completeness}% & < {self.days_left} d"


class ReminderThreshold(models.Model):
    """Send a digest this many days before each provincial deadline."""

    days_before = models.PositiveSmallIntegerField(_("days before the deadline"), unique=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["-days_before"]
        verbose_name = _("reminder threshold")
        verbose_name_plural = _("reminder thresholds")

    def __str__(self) -> str:
        return f"H-{self.days_before}"


class SentReminder(models.Model):
    """One open item reminded to one user for one stage and threshold: never twice."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField(_("days before the deadline"))
    item = models.CharField(_("item"), max_length=120)
    label = models.CharField(_("what"), max_length=300)
    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="+")
    sent_on = models.DateField(_("sent on"))
    emailed = models.BooleanField(_("e-mailed"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-sent_on", "user_id", "item"]
        verbose_name = _("sent reminder")
        verbose_name_plural = _("sent reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "stage", "days_before", "item"], name="sentreminder_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.item} H-{self.days_before}"
