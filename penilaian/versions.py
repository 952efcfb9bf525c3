"""Explicit versions of what readiness is computed from (see ``dashboard.store``).

* ``Assessment.version`` goes up on every write of an assessment's data: the save paths
  (``services.bump_version``), the workflow, the import, and — here — an evidence link added or
  removed, an owner reassigned (every APE/KLA assessment of the region), a desa added, moved
  or removed (every Kampung KB assessment of its old and new region), and an answer or desa
  row saved or deleted one at a time (the admin, the shell: :func:`track_rows`), and the
  number of potential desa of a region-year (:func:`track_region_year`).
* ``Edition.catalog_version`` goes up on every change of the edition (``Edition.save``) and of
  its groups, indicators and levels (model save/delete, by the receivers below). Bulk edits and
  data migrations, which send no signals, call :func:`bump_catalog_version` themselves.

Whoever bumps an assessment version also calls :func:`assessments_changed`: after the commit the
registered listeners (the readiness store) recompute those assessments — right away for a save,
as a background job (``background=True``) for an import's thousands and for every assessment
of an edition whose catalog changed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.db import transaction
from django.db.models import F, QuerySet
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from penilaian.models import (
    Answer,
    Assessment,
    Edition,
    EvidenceLink,
    Group,
    Indicator,
    IndicatorOwner,
    Level,
    Program,
)
from regions.models import Desa, OpdKind

Listener = Callable[[list[int], bool], None]
_listeners: list[Listener] = []


def on_assessments_changed(listener: Listener) -> Listener:
    """Register ``listener(assessment_ids, background)``, called after the commit of every
    change; ``background`` is true when the writer (an import) asks not to be kept waiting."""
    if listener not in _listeners:
        _listeners.append(listener)
    return listener


def assessments_changed(ids: Iterable[int], *, background: bool = False) -> None:
    """Tell the listeners, once the current transaction commits, which assessments changed.

    The same ids told twice in one transaction (each indicator an admin form saves bumps its
    edition) are told once."""
    wanted = sorted(set(ids))
    if not wanted or not _listeners:
        return
    key = (tuple(wanted), background)
    pending = transaction.get_connection().run_on_commit
    if any(getattr(entry[1], "readiness_key", None) == key for entry in pending):
        return

    def notify() -> None:
        for listener in list(_listeners):
            listener(wanted, background)

    notify.readiness_key = key
    transaction.on_commit(notify)


def bump_assessments(assessments: QuerySet[Assessment], *, background: bool = False) -> list[int]:
    """Raise the version of every assessment of ``assessments``; returns their ids."""
    ids = list(assessments.order_by().values_list("pk", flat=True))
    if ids:
        Assessment.objects.filter(pk__in=ids).update(
            version=F("version") + 1, updated_at=timezone.now()
        )
        assessments_changed(ids, background=background)
    return ids


def bump_catalog_version(editions: QuerySet | Iterable[int]) -> int:
    """Raise the catalog version of ``editions`` (a queryset — also of a migration's historical
    model — or edition ids). The one helper for bulk catalog edits and data migrations.

    Every stored row of those editions is then stale: after the commit, their assessments are
    handed to the listeners as a background job (so that no reader pays for recomputing a whole
    edition). A data migration's historical model queues nothing: the code that would compute
    may not match its schema; ``recompute_readiness --stale`` after ``migrate`` does it."""
    if not isinstance(editions, QuerySet):
        editions = Edition.objects.filter(pk__in=list(editions))
    bumped = editions.update(catalog_version=F("catalog_version") + 1)
    if bumped and editions.model is Edition:
        editions_changed(editions)
    return bumped


def editions_changed(editions: QuerySet[Edition]) -> None:
    """Hand every assessment of ``editions``, whose catalog version went up, to the listeners as
    a background job once the transaction commits (``bump_catalog_version``, ``Edition.save``)."""
    if _listeners:
        assessments_changed(
            Assessment.objects.filter(edition__in=editions.values("pk"))
            .order_by()
            .values_list("pk", flat=True),
            background=True,
        )


# --- receivers: model saves and deletes -------------------------------------------------------


def _catalog_part_changed(sender, instance, **kwargs) -> None:
    if instance.edition_id is not None:
        bump_catalog_version([instance.edition_id])


def _edition_saved(sender, instance, created=False, raw=False, **kwargs) -> None:
    # ``Edition.save`` raised its catalog version itself (a new edition has no assessment yet)
    if not created and not raw:
        editions_changed(Edition.objects.filter(pk=instance.pk))


def _opd_kind_changed(sender, instance, **kwargs) -> None:
    # An indicator's default owner is shown by its OPD kind's code: every catalog may show it.
    bump_catalog_version(Edition.objects.all())


def _evidence_changed(sender, instance, **kwargs) -> None:
    bump_assessments(Assessment.objects.filter(pk=instance.assessment_id))


def _owner_changed(sender, instance, **kwargs) -> None:
    bump_assessments(
        Assessment.objects.filter(
            region_id=instance.region_id,
            edition__program__in=(Program.APE, Program.KLA),
        )
    )


def _row_changed(sender, instance, **kwargs) -> None:
    bump_assessments(Assessment.objects.filter(pk=instance.assessment_id))


def track_rows(model) -> None:
    """Bump the assessment of every ``model`` row saved or deleted one at a time (the admin, the
    shell). The services write in bulk and bump once themselves."""
    post_save.connect(_row_changed, sender=model, dispatch_uid=f"av-s-{model}")
    post_delete.connect(_row_changed, sender=model, dispatch_uid=f"av-d-{model}")


def track_region_year(model, program: str) -> None:
    """Bump the ``program`` assessment of the region and year of every ``model`` row saved or
    deleted (e.g. the number of potential desa of a kab/kota in a year)."""

    def changed(sender, instance, **kwargs) -> None:
        bump_assessments(
            Assessment.objects.filter(
                region_id=instance.region_id,
                edition__program=program,
                edition__year=instance.year,
            )
        )

    model._readiness_receiver = changed  # keep a strong reference for the signal
    post_save.connect(changed, sender=model, dispatch_uid=f"av-s-{model}")
    post_delete.connect(changed, sender=model, dispatch_uid=f"av-d-{model}")


def desa_regions_changed(region_ids: Iterable[int], *, background: bool = False) -> list[int]:
    """Bump the Kampung KB assessments of regions whose desa list changed (also for bulk
    writes such as the desa import); returns the assessment ids."""
    return bump_assessments(
        Assessment.objects.filter(
            region_id__in=sorted(set(region_ids)), edition__program=Program.KAMPUNG_KB
        ),
        background=background,
    )


def _desa_before_save(sender, instance, raw=False, **kwargs) -> None:
    instance._region_before = (
        Desa.objects.filter(pk=instance.pk).values_list("region_id", flat=True).first()
        if instance.pk
        else None
    )


def _desa_saved(sender, instance, raw=False, **kwargs) -> None:
    if raw:
        return
    desa_regions_changed({instance.region_id, getattr(instance, "_region_before", None)} - {None})


def _desa_deleted(sender, instance, **kwargs) -> None:
    desa_regions_changed([instance.region_id])


def connect() -> None:
    """Connect the receivers (called once from ``PenilaianConfig.ready``)."""
    from django.db.models.signals import pre_save

    for model in (Group, Indicator, Level):
        post_save.connect(_catalog_part_changed, sender=model, dispatch_uid=f"cv-s-{model}")
        post_delete.connect(_catalog_part_changed, sender=model, dispatch_uid=f"cv-d-{model}")
    post_save.connect(_edition_saved, sender=Edition, dispatch_uid="cv-s-edition")
    post_save.connect(_opd_kind_changed, sender=OpdKind, dispatch_uid="cv-s-opdkind")
    post_delete.connect(_opd_kind_changed, sender=OpdKind, dispatch_uid="cv-d-opdkind")
    for model, receiver in ((EvidenceLink, _evidence_changed), (IndicatorOwner, _owner_changed)):
        post_save.connect(receiver, sender=model, dispatch_uid=f"av-s-{model}")
        post_delete.connect(receiver, sender=model, dispatch_uid=f"av-d-{model}")
    track_rows(Answer)
    pre_save.connect(_desa_before_save, sender=Desa, dispatch_uid="av-p-desa")
    post_save.connect(_desa_saved, sender=Desa, dispatch_uid="av-s-desa")
    post_delete.connect(_desa_deleted, sender=Desa, dispatch_uid="av-d-desa")
