"""Reminder digests before each provincial deadline: ``send_reminders(today=...)``.

For every calendar stage with a provincial deadline whose reminder threshold is due today
(:func:`akuntabilitas.scoring.due_threshold`: 7 and 1 days before by default, thresholds are
data), every active operator and koordinator with open items gets ONE digest for the run: an
in-app notification and, when they have an e-mail address, an e-mail (``send_mail``).

* Open items: APE/KLA indicators not yet filled or returned by the verifier (not while the
  assessment waits for verification, never once verified); an operator gets those its OPD owns,
  the koordinator every one of the region; Kampung KB: the koordinator, while desa rows are
  missing.
* Never twice: each (user, stage, threshold, item) is written to :class:`SentReminder`, whose
  unique constraint holds even when two runs overlap. A second run the same day sends nothing; an
  item done since the last run is left out; people with nothing open get nothing.
* ``dry_run`` builds the same digests and writes nothing (no notification, mail or record).

The daily schedule (Celery beat, or cron: ``manage.py send_reminders``) calls this function.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from akuntabilitas import scoring as cal
from akuntabilitas.models import ReminderThreshold, SentReminder, Stage
from akuntabilitas.queries import OWNED_PROGRAMS, completeness_by_region, opd_accountability
from penilaian.models import Notification, Program
from regions import mail
from regions.models import Preference, Region, Role


@dataclass(frozen=True)
class Item:
    key: str  # stable: programme:year:region:code
    label: str


@dataclass
class StageItems:
    stage: Stage
    days_before: int
    days_left: int
    items: list[Item] = field(default_factory=list)


@dataclass
class Digest:
    user: object
    region: Region
    stages: list[StageItems] = field(default_factory=list)

    @property
    def count(self) -> int:
        return sum(len(s.items) for s in self.stages)

    def subject(self) -> str:
        return _("Reminder: %(count)s open item(s) before the provincial deadline") % {
            "count": self.count
        }

    def body(self) -> str:
        lines = [
            _("Hello %(name)s,") % {"name": self.user.get_full_name() or self.user.username},
            "",
            _("These items of %(region)s are still open:") % {"region": self.region.name},
        ]
        for part in self.stages:
            stage = part.stage
            lines += [
                "",
                _(
                    "%(program)s %(year)s — %(stage)s, provincial deadline %(date)s "
                    "(%(days)s day(s) left):"
                )
                % {
                    "program": stage.get_program_display(),
                    "year": stage.year,
                    "stage": stage.name,
                    "date": date_format(stage.deadline, "j F Y"),
                    "days": part.days_left,
                },
            ]
            lines += [f"- {item.label}" for item in part.items]
        lines += ["", _("Open the portal: %(url)s") % {"url": settings.SITE_URL + self.url}]
        return "\n".join(lines)

    @property
    def url(self) -> str:
        return reverse("akuntabilitas:region_opd", args=[self.region.code])

    def message(self) -> str:
        return (
            _("Reminder: %(count)s open item(s) before %(date)s (%(what)s).")
            % {
                "count": self.count,
                "date": date_format(min(p.stage.deadline for p in self.stages), "j M Y"),
                "what": "; ".join(
                    f"{p.stage.get_program_display()} {p.stage.year} — {p.stage.name}"
                    for p in self.stages
                ),
            }
        )[:300]


@dataclass
class Report:
    digests: list[Digest]
    emailed: int = 0
    dry_run: bool = False

    @property
    def items(self) -> int:
        return sum(d.count for d in self.digests)


def due_stages(today: date) -> list[tuple[Stage, int, int]]:
    """(stage, threshold, days left) of every stage whose reminder threshold is due today."""
    thresholds = list(
        ReminderThreshold.objects.filter(active=True).values_list("days_before", flat=True)
    )
    if not thresholds:
        return []
    found = []
    for stage in Stage.objects.filter(internal_deadline__gte=today).order_by(
        "internal_deadline", "program", "order"
    ):
        left = cal.days_left(stage.internal_deadline, today)
        threshold = cal.due_threshold(left, thresholds)
        if threshold is not None:
            found.append((stage, threshold, left))
    return found


def _open_items(stage: Stage, regions: list[Region]) -> dict[tuple[int, int | None], list[Item]]:
    """Open items per (region id, OPD id); OPD None = the koordinator's own (no OPD)."""
    found: dict[tuple[int, int | None], list[Item]] = defaultdict(list)
    if stage.program in OWNED_PROGRAMS:
        for block in opd_accountability(
            Region.objects.filter(pk__in=[r.pk for r in regions]), stage.year
        ):
            for row in block.rows:
                for item in row.items:
                    if item.program != stage.program or not item.open:
                        continue
                    state = (
                        _("returned: %(reason)s") % {"reason": "; ".join(item.returned_reasons)}
                        if item.returned
                        else _("not filled yet")
                    )
                    found[(block.region.pk, row.opd_id)].append(
                        Item(
                            f"{stage.program}:{stage.year}:{block.region.code}:{item.code}",
                            f"{item.code} {item.text[:80]} ({state})"[:300],
                        )
                    )
    elif stage.program == Program.KAMPUNG_KB:
        counts = completeness_by_region([r.pk for r in regions], stage.year)
        for region in regions:
            done, total = counts.get((Program.KAMPUNG_KB, region.pk), (0, 0))
            if done < total:
                found[(region.pk, None)].append(
                    Item(
                        f"{stage.program}:{stage.year}:{region.code}:desa",
                        _("Kampung KB data: %(done)s of %(total)s villages filled")
                        % {"done": done, "total": total},
                    )
                )
    return found


def build_digests(today: date) -> list[Digest]:
    """The digests due today, leaving out what each person was already reminded of."""
    due = due_stages(today)
    if not due:
        return []
    regions = list(Region.objects.exclude(kind=Region.Kind.PROVINSI))
    users = list(
        get_user_model()
        .objects.filter(
            is_active=True,
            assignment__role__in=[Role.KOORDINATOR, Role.OPERATOR],
            assignment__region__in=regions,
        )
        .select_related("assignment")
        .order_by("username")
    )
    sent = set(
        SentReminder.objects.filter(stage__in=[s for s, _t, _l in due]).values_list(
            "user_id", "stage_id", "days_before", "item"
        )
    )
    by_region = {r.pk: r for r in regions}
    digests: dict[int, Digest] = {}
    for stage, threshold, left in due:
        items = _open_items(stage, regions)
        for user in users:
            assignment = user.assignment
            if assignment.role == Role.OPERATOR:
                mine = items.get((assignment.region_id, assignment.opd_id), [])
            else:
                mine = [
                    item
                    for (region_id, _opd), found in items.items()
                    if region_id == assignment.region_id
                    for item in found
                ]
            new = [i for i in mine if (user.pk, stage.pk, threshold, i.key) not in sent]
            if not new:
                continue
            digest = digests.setdefault(user.pk, Digest(user, by_region[assignment.region_id]))
            digest.stages.append(
                StageItems(stage, threshold, left, sorted(new, key=lambda i: i.key))
            )
    return list(digests.values())


def send_reminders(today: date | None = None, *, dry_run: bool = False) -> Report:
    """Send today's digests (see the module docstring); returns what was (or would be) sent."""
    today = today or timezone.localdate()
    with translation.override(settings.LANGUAGE_CODE):
        digests = build_digests(today)
        report = Report(digests, dry_run=dry_run)
        if dry_run:
            return report
        # E-mail only to those who did not turn it off on their profile (in-app always).
        opted_out = set(
            Preference.objects.filter(
                user_id__in=[digest.user.pk for digest in digests], email_notifications=False
            ).values_list("user_id", flat=True)
        )
        can_mail = mail.mail_configured()  # no mail server: in-app only, and recorded so
        for digest in digests:
            emailed = can_mail and bool(digest.user.email) and digest.user.pk not in opted_out
            try:
                with transaction.atomic():
                    SentReminder.objects.bulk_create(
                        [
                            SentReminder(
                                user=digest.user,
                                stage=part.stage,
                                days_before=part.days_before,
                                item=item.key,
                                label=item.label,
                                region=digest.region,
                                sent_on=today,
                                emailed=emailed,
                            )
                            for part in digest.stages
                            for item in part.items
                        ]
                    )
                    Notification.objects.create(
                        user=digest.user, message=digest.message(), url=digest.url
                    )
            except IntegrityError:
                continue  # another run sent these meanwhile: never twice
            if emailed:
                send_mail(
                    digest.subject(),
                    digest.body(),
                    None,
                    [digest.user.email],
                    fail_silently=True,
                )
                report.emailed += 1
    return report
