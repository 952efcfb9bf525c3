"""Editions over years: starting a year's assessment from last year's verified values.

:func:`start_assessment` creates the assessment of a region for an edition and carries forward
the previous year's *verified* values (the answers of the previous year's verified assessment,
which are what its latest "as verified" snapshot froze) for every indicator code that still
exists in the new edition. A carried answer is marked ``carried_over``: it is last year's
verified value, never new evidence (no evidence link is copied), and it loses the mark as soon as
someone changes it. A carried value that is not valid on the new edition (a ladder step that no
longer exists, a new range) is not carried: it is listed under ``needs_reentry``.

The report also lists the codes the new edition dropped and added. Programmes with their own rows
(Kampung KB) carry them through their registered hook (``penilaian.hooks.ProgramHooks.carry``);
its report is ``CarryReport.extra``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from penilaian import scoring
from penilaian.hooks import HISTORY_REASON_MAX, program_hooks
from penilaian.models import Answer, Assessment, Edition
from penilaian.queries import load_catalog_map
from regions.models import Region


class AssessmentExists(Exception):
    """The region already has an assessment for this edition."""


@dataclass(frozen=True)
class CarryReport:
    """What :func:`start_assessment` did.

    ``source`` is the previous year's verified assessment the values came from (None when that
    year has no verified assessment). ``carried`` are the codes whose values were copied,
    ``needs_reentry`` maps codes whose old value is not valid on the new edition to the reason,
    ``dropped`` are codes of last year's edition that the new edition no longer has, ``added``
    are codes new in this edition (both empty when last year has no edition). ``extra`` is the
    programme hook's report (Kampung KB: its desa rows).
    """

    assessment: Assessment
    source: Assessment | None
    previous_year: int
    carried: tuple[str, ...] = ()
    needs_reentry: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    extra: Any = None


def previous_verified(edition: Edition, region: Region) -> Assessment | None:
    """The region's verified assessment of the same programme for the year before ``edition``."""
    return (
        Assessment.objects.filter(
            edition__program=edition.program,
            edition__year=edition.year - 1,
            region=region,
            status=Assessment.Status.VERIFIED,
        )
        .select_related("edition")
        .first()
    )


def start_assessment(edition: Edition, region: Region, *, user) -> CarryReport:
    """Create ``region``'s assessment for ``edition`` and carry last year's verified values.

    Raises :class:`AssessmentExists` when it already exists and ``ValueError`` for the province
    (only kab/kota are assessed). Everything happens in one transaction.
    """
    if region.is_province:
        raise ValueError("The province itself is not assessed; pick a kab/kota.")
    previous_year = edition.year - 1
    catalogs = load_catalog_map(edition.program, [previous_year, edition.year])
    new_catalog = catalogs[(edition.program, edition.year)]
    old_catalog = catalogs.get((edition.program, previous_year))
    with transaction.atomic():
        if Assessment.objects.filter(edition=edition, region=region).exists():
            raise AssessmentExists(f"{edition} {region.code}")
        assessment = Assessment(edition=edition, region=region)
        assessment.updated_by = user if getattr(user, "pk", None) else None
        assessment._history_user = assessment.updated_by
        assessment._change_reason = _("Assessment started")
        try:
            with transaction.atomic():
                assessment.save()
        except IntegrityError as error:  # created concurrently
            raise AssessmentExists(f"{edition} {region.code}") from error
        source = previous_verified(edition, region)
        carried: list[str] = []
        reentry: dict[str, str] = {}
        if source is not None:
            old_values = dict(
                Answer.objects.filter(assessment=source, value__isnull=False)
                .order_by()
                .values_list("indicator__code", "value")
            )
            answers = []
            for spec in new_catalog.specs:
                if spec.code not in old_values:
                    continue
                value = old_values[spec.code]
                error = scoring.validate_value(spec, value)
                if error is not None:
                    reentry[spec.code] = error
                    continue
                answers.append(
                    Answer(
                        assessment=assessment,
                        indicator_id=new_catalog.indicator_ids[spec.code],
                        value=value,
                        carried_over=True,
                    )
                )
                carried.append(spec.code)
            if answers:
                reason = _("Carried over from the verified assessment of %(year)s") % {
                    "year": previous_year
                }
                bulk_create_with_history(
                    answers,
                    Answer,
                    default_user=assessment.updated_by,
                    default_change_reason=reason[:HISTORY_REASON_MAX],
                )
        hook = program_hooks(edition.program).carry
        extra = hook(assessment, source, user) if hook is not None else None
    dropped: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    if old_catalog is not None:
        dropped = tuple(s.code for s in old_catalog.specs if s.code not in new_catalog.codes)
        added = tuple(s.code for s in new_catalog.specs if s.code not in old_catalog.codes)
    return CarryReport(
        assessment=assessment,
        source=source,
        previous_year=previous_year,
        carried=tuple(carried),
        needs_reentry=reentry,
        dropped=dropped,
        added=added,
        extra=extra,
    )
