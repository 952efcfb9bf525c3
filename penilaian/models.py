"""The one shared assessment mechanism used by APE, KLA and Kampung KB.

An :class:`Edition` (programme + year) holds :class:`Group` s of :class:`Indicator` s and the
:class:`Level` bands (categories or predicates). An :class:`Assessment` is one kab/kota for one
edition; it holds one :class:`Answer` per indicator (Kampung KB adds a row per desa in its own app).
Rules (bands, ladders, thresholds, weights) are data here; their shape is code in ``scoring.py``.
"""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from penilaian import scoring
from regions.models import OpdKind, Region


class Program(models.TextChoices):
    APE = "ape", _("APE")
    KLA = "kla", _("KLA")
    KAMPUNG_KB = "kampung_kb", _("Kampung KB")


class Edition(models.Model):
    program = models.CharField(_("programme"), max_length=20, choices=Program.choices)
    year = models.PositiveSmallIntegerField(
        _("year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=200)
    version = models.CharField(_("catalogue version"), max_length=40)
    provisional = models.BooleanField(_("provisional"), default=True)
    source = models.TextField(_("source"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    rules = models.JSONField(
        _("rules"),
        default=list,
        blank=True,
        help_text=_(
            "The rules the results depend on, listed on /metode/: "
            '[{"code": "KLA-BOBOT", "name": …, "provisional": true, "source": …}, …]. '
            "Set provisional to false only when an official source confirms the rule."
        ),
    )
    catalog_version = models.PositiveIntegerField(
        _("catalogue revision"),
        default=1,
        editable=False,
        help_text=_("Goes up on every change of the edition, its groups, indicators or levels."),
    )

    class Meta:
        ordering = ["program", "year"]
        verbose_name = _("edition")
        verbose_name_plural = _("edition")
        constraints = [
            models.UniqueConstraint(fields=["program", "year"], name="edition_unique_program_year")
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()} {self.year}"

    def save(self, *args, **kwargs) -> None:
        """Every save of an existing edition raises ``catalog_version`` in the database itself
        (never from this instance's copy, which may be stale)."""
        if self.pk is not None and not self._state.adding:
            self.catalog_version = models.F("catalog_version") + 1
            update_fields = kwargs.get("update_fields")
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "catalog_version"}
        super().save(*args, **kwargs)
        if isinstance(self.catalog_version, models.expressions.Combinable):
            self.refresh_from_db(fields=["catalog_version"])

    def clean(self) -> None:
        super().clean()
        error = scoring.rules_error(self.rules)
        if error:
            raise ValidationError({"rules": error})

    @property
    def provisional_rule_codes(self) -> frozenset[str]:
        return frozenset(r["code"] for r in self.rules or () if r.get("provisional"))


class ProgramYear(models.Model):
    """The current evaluation year of one programme, set by the admin.

    The dashboard, the programme pages and the region pages open on it; nothing else moves
    it (an officer starting next year's assessment does not). One row per programme.
    """

    program = models.CharField(_("programme"), max_length=20, choices=Program.choices)
    year = models.PositiveSmallIntegerField(
        _("current evaluation year"), validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["program"]
        verbose_name = _("current evaluation year")
        verbose_name_plural = _("current evaluation years")
        constraints = [
            models.UniqueConstraint(fields=["program"], name="programyear_one_per_program")
        ]

    def __str__(self) -> str:
        return f"{self.get_program_display()}: {self.year}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.program
            and self.year
            and not Edition.objects.filter(program=self.program, year=self.year).exists()
        ):
            raise ValidationError(
                {"year": _("This programme has no edition for that year; add the edition first.")}
            )


class Level(models.Model):
    """A category (APE) or predicate (KLA) band: the highest level whose bound ≤ score applies."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="levels")
    code = models.SlugField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=60)
    lower_bound = models.DecimalField(_("lower bound"), max_digits=8, decimal_places=2)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("category/predicate")
        verbose_name_plural = _("category/predicate")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="level_unique_code"),
            models.UniqueConstraint(fields=["edition", "order"], name="level_unique_order"),
        ]

    def __str__(self) -> str:
        return f"{self.name} (≥ {self.lower_bound})"

    def to_spec(self) -> scoring.Level:
        return scoring.Level(self.code, self.name, self.lower_bound, self.order)


class Group(models.Model):
    """A prerequisite (APE), kelembagaan or cluster (KLA), or the Kampung KB criteria."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="groups")
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    order = models.PositiveSmallIntegerField(_("order"))
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    provisional = models.BooleanField(_("provisional"), default=False)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["edition", "order"]
        verbose_name = _("indicator group")
        verbose_name_plural = _("indicator group")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="group_unique_code"),
        ]

    def __str__(self) -> str:
        return f"{self.edition} — {self.name}"


class Indicator(models.Model):
    class Kind(models.TextChoices):
        LADDER = "ladder", _("Option ladder")
        PERCENT = "percent", _("Percentage")
        SCORE = "score", _("Direct score")
        YESNO = "yesno", _("Yes/no")

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="indicators")
    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(_("code"), max_length=20)
    text = models.TextField(_("indicator"))
    order = models.PositiveSmallIntegerField(_("order"))
    kind = models.CharField(_("value kind"), max_length=10, choices=Kind.choices)
    max_score = models.DecimalField(_("maximum score"), max_digits=8, decimal_places=2)
    options = models.JSONField(_("options/thresholds"), default=list, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    owner_kind = models.ForeignKey(
        OpdKind,
        verbose_name=_("default owner agency"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
    )
    evidence_examples = models.JSONField(_("evidence examples"), default=list, blank=True)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    provisional = models.BooleanField(_("provisional"), default=False)
    confidence = models.CharField(_("confidence"), max_length=20, blank=True)
    source = models.TextField(_("source"), blank=True)

    class Meta:
        ordering = ["edition", "group__order", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicator")
        constraints = [
            models.UniqueConstraint(fields=["edition", "code"], name="indicator_unique_code"),
            models.CheckConstraint(condition=Q(max_score__gte=0), name="indicator_max_nonneg"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.text[:60]}"

    def to_spec(self, group_code: str, owner: str | None = None) -> scoring.IndicatorSpec:
        """Plain-data view of this indicator for the pure scoring functions."""
        return scoring.IndicatorSpec(
            code=self.code,
            group=group_code,
            order=self.order,
            kind=scoring.Kind(self.kind),
            max_score=self.max_score,
            options=tuple(
                scoring.Option(
                    label=str(o.get("label", "")),
                    points=Decimal(str(o.get("points", "0"))),
                    min=Decimal(str(o["min"])) if o.get("min") is not None else None,
                    max=Decimal(str(o["max"])) if o.get("max") is not None else None,
                    value=o.get("value"),
                )
                for o in self.options
            ),
            text=self.text,
            owner=owner,
            evidence_required=self.evidence_required,
        )


class IndicatorOwner(models.Model):
    """A region's own choice of owner OPD for an indicator code (overrides the default kind).

    Keyed by indicator code, so a reassignment carries over to later editions.
    """

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="indicator_owners")
    indicator_code = models.CharField(_("indicator code"), max_length=20)
    owner_kind = models.ForeignKey(
        OpdKind, verbose_name=_("owner agency"), on_delete=models.PROTECT
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("indicator owner")
        verbose_name_plural = _("indicator owner")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "indicator_code"], name="indicator_owner_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.indicator_code} → {self.owner_kind}"


class Assessment(models.Model):
    """One kab/kota for one edition, with its workflow status."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned")
        VERIFIED = "verified", _("Verified")

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="assessments")
    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="assessments")
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    note = models.TextField(_("note"), blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["edition__program", "edition__year", "region__code"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessment")
        constraints = [
            models.UniqueConstraint(
                fields=["edition", "region"], name="assessment_unique_region_edition"
            )
        ]

    def __str__(self) -> str:
        return f"{self.edition} — {self.region}"

    @property
    def is_locked(self) -> bool:
        """Submitted and verified assessments take no edits."""
        return self.status in (self.Status.SUBMITTED, self.Status.VERIFIED)


class Answer(models.Model):
    """One value per indicator of an assessment (APE/KLA)."""

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="answers")
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="answers")
    value = models.DecimalField(_("value"), max_digits=10, decimal_places=2, null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    carried_over = models.BooleanField(
        _("carried over from last year"),
        default=False,
        help_text=_("Verified value from last year; not new evidence."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("answer")
        verbose_name_plural = _("answer")
        constraints = [
            models.UniqueConstraint(
                fields=["assessment", "indicator"], name="answer_unique_indicator"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator.code} = {self.value}"


class AwardResult(models.Model):
    """A published award result (what the region was officially given), with its source."""

    class AwardProgram(models.TextChoices):
        APE = "ape", _("APE")
        KLA = "kla", _("KLA")
        PROVILA = "provila", _("Provila")

    region = models.ForeignKey(Region, on_delete=models.PROTECT, related_name="awards")
    program = models.CharField(_("programme"), max_length=10, choices=AwardProgram.choices)
    year = models.PositiveSmallIntegerField(_("year"))
    result = models.CharField(_("result"), max_length=60)
    published_score = models.DecimalField(
        _("published score"),
        max_digits=7,
        decimal_places=2,
        null=True,
        blank=True,
        help_text=_("The score the award's source publishes (e.g. 609.93), if any."),
    )
    confidence = models.CharField(_("confidence"), max_length=20, blank=True)
    conflicting = models.BooleanField(_("conflicting reports"), default=False)
    note = models.TextField(_("note"), blank=True)
    source_urls = models.JSONField(_("source"), default=list, blank=True)

    class Meta:
        ordering = ["region__code", "program", "year", "result"]
        verbose_name = _("award history")
        verbose_name_plural = _("award history")
        constraints = [
            models.UniqueConstraint(
                fields=["region", "program", "year", "result"], name="award_unique_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.region.code} {self.get_program_display()} {self.year}: {self.result}"

    @property
    def standing(self) -> str:
        """resmi (official), diduga (inferred) or bertentangan (sources disagree)."""
        return scoring.award_standing(self.confidence, self.conflicting)


def evidence_upload_to(instance: "Document", filename: str) -> str:
    """Random name under ``evidence/<region>/``; the original name is kept only in the database."""
    import uuid
    from pathlib import PurePath

    suffix = PurePath(filename).suffix.lower()[:8]
    region = instance.region.code if instance.region_id else "provinsi"
    return f"evidence/{region}/{uuid.uuid4().hex}{suffix}"


class DocumentKind(models.TextChoices):
    SK = "sk", _("Decree (SK)")
    PERDA = "perda", _("Regional regulation (Perda/Perkada)")
    SURAT = "surat", _("Letter / circular")
    LAPORAN = "laporan", _("Report")
    DATA = "data", _("Data / table")
    FOTO = "foto", _("Photo / documentation")
    LAINNYA = "lainnya", _("Other")


class Document(models.Model):
    """An uploaded evidence document (bukti dukung). One document may back several indicators,
    across programmes, through :class:`EvidenceLink`; a meeting may also point to it.

    ``region`` is the owner for scoping; empty means a province-level document. Files live under
    ``MEDIA_ROOT`` with random names and are only served through a view that checks scope.
    """

    region = models.ForeignKey(
        Region,
        verbose_name=_("region"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="documents",
    )
    title = models.CharField(_("title"), max_length=250)
    file = models.FileField(_("file"), upload_to=evidence_upload_to, max_length=200)
    original_name = models.CharField(_("original file name"), max_length=250)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, db_index=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    # Optional metadata of the document itself (what a verifier checks against the period).
    doc_kind = models.CharField(
        _("document kind"), max_length=20, choices=DocumentKind.choices, blank=True
    )
    number = models.CharField(_("document number"), max_length=120, blank=True)
    issued_on = models.DateField(_("document date"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    issuer = models.CharField(_("issuer"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("evidence document")
        verbose_name_plural = _("evidence documents")
        constraints = [
            models.CheckConstraint(
                condition=Q(size__gt=0, size__lte=10 * 1024 * 1024), name="document_size_1b_10mb"
            ),
            models.CheckConstraint(
                condition=Q(valid_until__isnull=True)
                | Q(issued_on__isnull=True)
                | Q(valid_until__gte=models.F("issued_on")),
                name="document_valid_after_issued",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class EvidenceLink(models.Model):
    """A document backing one indicator of one assessment."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="links")
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="evidence_links"
    )
    indicator = models.ForeignKey(Indicator, on_delete=models.PROTECT, related_name="evidence")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("evidence link")
        verbose_name_plural = _("evidence links")
        constraints = [
            models.UniqueConstraint(
                fields=["document", "assessment", "indicator"], name="evidencelink_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.document} → {self.indicator.code}"


class ReturnCategory(models.Model):
    """One reason in the return taxonomy (data, editable by the admin; loaded by migration)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=120)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    requires_text = models.BooleanField(
        _("requires an explanation"),
        default=False,
        help_text=_("The verifier must write a text when choosing this reason."),
    )
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("return reason category")
        verbose_name_plural = _("return reason categories")

    def __str__(self) -> str:
        return self.name


class ReturnReason(models.Model):
    """Why a verifier returned one indicator (or, with no indicator, the whole assessment)."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="return_reasons"
    )
    indicator = models.ForeignKey(Indicator, null=True, blank=True, on_delete=models.PROTECT)
    desa_code = models.CharField(_("village code"), max_length=13, blank=True)
    # The whole reason as one text (categories and note): what history and notifications show.
    reason = models.TextField(_("reason"))
    categories = models.ManyToManyField(
        ReturnCategory, verbose_name=_("reasons"), blank=True, related_name="returns"
    )
    note = models.TextField(_("explanation"), blank=True)
    round = models.PositiveSmallIntegerField(_("round"), default=1)
    resolved = models.BooleanField(_("resolved"), default=False)
    # The first change of the returned item after the return (value, note or evidence; see
    # penilaian.scoring.fix_progress); empty for the general note and until someone changes it.
    changed_at = models.DateTimeField(_("changed at"), null=True, blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("changed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-round", "indicator__order"]
        verbose_name = _("return reason")
        verbose_name_plural = _("return reasons")
        constraints = [
            models.CheckConstraint(condition=~Q(reason=""), name="returnreason_not_empty")
        ]

    def __str__(self) -> str:
        return self.reason[:60]


class WorkflowEvent(models.Model):
    """Every status change of an assessment: who, when, from, to, why; and the moment a returned
    assessment's returned items were all changed (``FIXED``: status stays "returned")."""

    class Action(models.TextChoices):
        SUBMIT = "submit", _("Submitted")
        RETURN = "return", _("Returned")
        VERIFY = "verify", _("Verified")
        UNLOCK = "unlock", _("Unlocked")
        FIXED = "fixed", _("All returned items changed")

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="events")
    action = models.CharField(_("action"), max_length=10, choices=Action.choices)
    from_status = models.CharField(_("from"), max_length=12)
    to_status = models.CharField(_("to"), max_length=12)
    reason = models.TextField(_("reason"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("workflow event")
        verbose_name_plural = _("workflow events")
        constraints = [
            models.CheckConstraint(
                condition=~Q(action__in=["return", "unlock"]) | ~Q(reason=""),
                name="workflowevent_reason_required",
            )
        ]

    def __str__(self) -> str:
        return f"{self.assessment} {self.action}"


class VerifiedSnapshot(models.Model):
    """The score, category/predicate and gap list frozen at verification ("as verified").

    A new verification after an admin unlock adds a new snapshot; old ones are never changed.
    """

    assessment = models.ForeignKey(Assessment, on_delete=models.CASCADE, related_name="snapshots")
    data = models.JSONField(_("snapshot"))
    score = models.DecimalField(_("score"), max_digits=8, decimal_places=2, null=True)
    level_name = models.CharField(_("category/predicate"), max_length=60, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    verified_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-verified_at", "-pk"]
        get_latest_by = "verified_at"
        verbose_name = _("verified snapshot")
        verbose_name_plural = _("verified snapshots")

    def __str__(self) -> str:
        return f"{self.assessment} @ {self.verified_at:%Y-%m-%d}"


class Notification(models.Model):
    """In-app notification (submit, return, verify, returned items all changed) for one user."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    message = models.CharField(_("message"), max_length=300)
    url = models.CharField(_("link"), max_length=300, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.message
