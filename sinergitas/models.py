"""Coordination meetings (sinergitas) per region: who took part, issues raised, follow-ups.

A :class:`Meeting` covers one or more kab/kota. Participant institutions are counted per
:class:`ParticipantKind` (the count may be unknown), issues are picked from the admin-maintained
:class:`IssueTopic` list plus free text, minutes and attendance lists are shared evidence
documents (:class:`penilaian.models.Document`) attached through :class:`MeetingDocument`, and
each :class:`FollowUp` has an owner OPD, a due date and a status.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.db.models.functions import Length
from django.db.models.lookups import LessThanOrEqual
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from penilaian.models import Document
from regions.models import Opd, OpdKind, Region
from sinergitas.validators import (  # JAKARTA, jakarta_today: callers import them from here
    DB_FIRST_DATE,
    DB_LAST_DATE,
    JAKARTA,  # noqa: F401
    TEXT_MAX_LENGTH,
    jakarta_today,
    validate_record_date,
)


def bounded_text(verbose_name, *, blank: bool = True) -> models.TextField:
    """A free-text field of at most ``TEXT_MAX_LENGTH`` characters (form, model and database)."""
    return models.TextField(
        verbose_name,
        blank=blank,
        max_length=TEXT_MAX_LENGTH,
        validators=[MaxLengthValidator(TEXT_MAX_LENGTH)],
    )


def text_bound(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=LessThanOrEqual(Length(field), TEXT_MAX_LENGTH), name=name
    )


def date_bound(field: str, name: str) -> models.CheckConstraint:
    return models.CheckConstraint(
        condition=Q(**{f"{field}__gte": DB_FIRST_DATE, f"{field}__lte": DB_LAST_DATE}), name=name
    )


class ParticipantKind(models.Model):
    """A kind of participating institution (OPD, camat, kepala desa, perbankan, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("participant kind")
        verbose_name_plural = _("participant kinds")

    def __str__(self) -> str:
        return self.name


class IssueTopic(models.Model):
    """An issue that participants may raise (kekerasan terhadap perempuan dan anak, …)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=150)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["order", "name"]
        verbose_name = _("issue topic")
        verbose_name_plural = _("issue topics")

    def __str__(self) -> str:
        return self.name


class Meeting(models.Model):
    """One coordination meeting, covering one or more kab/kota."""

    title = models.CharField(_("title"), max_length=250)
    regions = models.ManyToManyField(
        Region,
        verbose_name=_("regions covered"),
        related_name="meetings",
        limit_choices_to=~Q(kind=Region.Kind.PROVINSI),
    )
    date = models.DateField(_("date"), db_index=True, validators=[validate_record_date])
    time = models.TimeField(_("time"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=250)
    organiser = models.CharField(_("organiser"), max_length=250)
    purpose = bounded_text(_("purpose"))
    serves_ape = models.BooleanField(_("APE/PUG"), default=False)
    serves_kla = models.BooleanField(_("KLA"), default=False)
    serves_kampung_kb = models.BooleanField(_("Kampung KB"), default=False)
    participant_kinds = models.ManyToManyField(
        ParticipantKind,
        through="Participation",
        verbose_name=_("participants"),
        related_name="meetings",
        blank=True,
    )
    issues = models.ManyToManyField(
        IssueTopic, verbose_name=_("issues raised"), related_name="meetings", blank=True
    )
    issues_other = bounded_text(_("other issues raised"))
    notes = bounded_text(_("notes"))
    source = models.CharField(_("source"), max_length=300, blank=True)
    documents = models.ManyToManyField(
        Document,
        through="MeetingDocument",
        verbose_name=_("documents"),
        related_name="meetings",
        blank=True,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-date", "-time", "-pk"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        constraints = [
            models.CheckConstraint(condition=~Q(venue=""), name="meeting_venue_set"),
            text_bound("purpose", "meeting_purpose_length"),
            text_bound("issues_other", "meeting_issues_other_length"),
            text_bound("notes", "meeting_notes_length"),
            date_bound("date", "meeting_date_range"),
        ]

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.title}"

    PROGRAMME_FIELDS = (
        ("ape", "serves_ape", _("APE/PUG")),
        ("kla", "serves_kla", _("KLA")),
        ("kampung_kb", "serves_kampung_kb", _("Kampung KB")),
    )

    @property
    def programme_labels(self) -> list[str]:
        """The programmes this meeting serves, as display labels."""
        return [str(label) for _code, field, label in self.PROGRAMME_FIELDS if getattr(self, field)]


class Participation(models.Model):
    """A kind of institution that took part in a meeting; the count may be unknown."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="participations")
    kind = models.ForeignKey(
        ParticipantKind, verbose_name=_("participant kind"), on_delete=models.PROTECT
    )
    count = models.PositiveIntegerField(_("number of participants"), null=True, blank=True)

    class Meta:
        ordering = ["kind__order", "kind__name"]
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "kind"], name="participation_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} ({self.count if self.count is not None else '?'})"


class MeetingDocument(models.Model):
    """A shared evidence document attached to a meeting in a role (minutes, attendance, …)."""

    class Role(models.TextChoices):
        MINUTES = "minutes", _("Minutes")
        ATTENDANCE = "attendance", _("Attendance list")
        OTHER = "other", _("Other")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attachments")
    document = models.ForeignKey(
        Document, on_delete=models.PROTECT, related_name="meeting_attachments"
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.OTHER)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["role", "pk"]
        verbose_name = _("meeting document")
        verbose_name_plural = _("meeting documents")
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "document"], name="meetingdocument_unique_document"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.document}"


class FollowUpQuerySet(models.QuerySet):
    def not_done(self) -> FollowUpQuerySet:
        return self.exclude(status=FollowUp.Status.DONE)

    def overdue(self, today: datetime.date | None = None) -> FollowUpQuerySet:
        """Not done and due before ``today`` (Jakarta date); due today is not overdue."""
        return self.not_done().filter(due_date__lt=today or jakarta_today())


def overdue_q(prefix: str = "", today: datetime.date | None = None) -> Q:
    """``Q`` for overdue follow-ups, for use across a relation (``prefix="followups__"``)."""
    return Q(**{f"{prefix}due_date__lt": today or jakarta_today()}) & ~Q(
        **{f"{prefix}status": FollowUp.Status.DONE}
    )


class FollowUp(models.Model):
    """An agreed action from a meeting, owned by an OPD kind or a specific OPD of one region."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="followups")
    what = bounded_text(_("what"), blank=False)
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="+"
    )
    owner_kind = models.ForeignKey(
        OpdKind,
        verbose_name=_("owner agency kind"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    owner_opd = models.ForeignKey(
        Opd,
        verbose_name=_("owner agency (OPD)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_date = models.DateField(_("due date"), validators=[validate_record_date])
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    note = bounded_text(_("note"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = FollowUpQuerySet.as_manager()
    history = HistoricalRecords()

    class Meta:
        ordering = ["due_date", "pk"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(owner_kind__isnull=False, owner_opd__isnull=True)
                | Q(owner_kind__isnull=True, owner_opd__isnull=False),
                name="followup_one_owner",
            ),
            models.CheckConstraint(condition=~Q(what=""), name="followup_what_set"),
            text_bound("what", "followup_what_length"),
            text_bound("note", "followup_note_length"),
            date_bound("due_date", "followup_due_date_range"),
        ]
        indexes = [models.Index(fields=["region", "status", "due_date"])]

    def __str__(self) -> str:
        return self.what[:60]

    @property
    def owner_label(self) -> str:
        return str(self.owner_opd or self.owner_kind or "")

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        """Not done and its due date is before today (Asia/Jakarta); due today is not overdue."""
        return self.status != self.Status.DONE and self.due_date < (today or jakarta_today())

    @property
    def overdue(self) -> bool:
        return self.is_overdue()

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if bool(self.owner_kind_id) == bool(self.owner_opd_id):
            raise ValidationError(
                _("Choose either an agency kind or a specific agency (OPD) as the owner.")
            )
        if self.owner_opd_id and self.region_id and self.owner_opd.region_id != self.region_id:
            raise ValidationError(
                {"owner_opd": _("The agency (OPD) must be in the follow-up's region.")}
            )
