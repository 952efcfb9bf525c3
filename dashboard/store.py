"""Readiness is stored per assessment, with the versions it was computed from.

One table, ``StoredReadiness``, holds for every assessment what the pages show — the result of
the pure scoring functions (``dashboard.computation.compute``: score, category/predicate, next
level and points to it, group scores, gap list, completeness, missing evidence, Kampung KB
counts), serialised into a JSON column by the codec below (any new field of those dataclasses
flows through without a schema change; the gap items and missing evidence, which only the pages
that list gaps show, in a ``details`` column that a summary read — the API — leaves unread),
plus typed columns to query and sort on — and the two versions it was computed from:

* ``Assessment.version``: every write path bumps it — value and desa-row saves, the workflow,
  the import — and so do an evidence link, an owner reassignment and a desa change
  (``penilaian.versions``);
* ``Edition.catalog_version``: any change of an edition, its groups, indicators or levels bumps
  it (model save/delete; bulk edits and data migrations call ``bump_catalog_version``).

A row is fresh exactly when both versions (and the code's ``FORMAT``) match. Every reader — page,
API, export — reads the rows it needs in one query (:func:`read`, :func:`scores`); rows missing
or stale are recomputed in one batch inside that request and saved, so the next reader in any
process gets them. A save recomputes its own row right after its commit; an import queues a
job that recomputes the assessments it touched (``dashboard.tasks.refresh_readiness``, on a
Celery worker, inline without a broker) — both listeners of ``penilaian.versions``, and
nothing depends on them having run: readers recompute what is still stale. Nothing is
cached in a process, nothing needs warming, a restart loses nothing. ``status``, ``updated_at``
and the award history are read with the rows, never stored; so is what depends on them — the
state of each number is a property of the status and the stored completeness.
``manage.py recompute_readiness`` rebuilds rows; ``manage.py check_readiness`` compares every
stored row with a fresh computation.

The public page (``verified_only``) reads verified assessments and those an admin reopened for
correction: the latter show their last verified result, computed in the request from their
latest "as verified" snapshot (``compute(as_verified=True)``, one batch, only when some are
reopened) and never stored — their row holds the correction in progress.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import logging
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dashboard.computation import (
    PROGRAMS,
    KampungKbReadiness,
    NoEdition,
    Part,
    ProgramReadiness,
    RegionReadiness,
    _RegionRow,
    compute,
)
from dashboard.models import StoredReadiness
from penilaian.models import Assessment, Edition, Program
from penilaian.queries import (
    assessments_for,
    last_award,
    load_awards,
    load_catalog_map,
    with_verified_result,
)

logger = logging.getLogger(__name__)

# Raise when the scoring rules change without a change of the result's shape: every stored row
# is then recomputed on its next read.
SCORING_REVISION = 1
# Read at every request, never stored (``reopened`` and ``frozen_incomplete`` are set only on a
# result shown "as verified" from its snapshot, which is never stored either).
LIVE_FIELDS = ("status", "updated_at", "award", "reopened", "frozen_incomplete")

# --- the codec: frozen dataclasses of plain values <-> JSON -----------------------------------

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any], Any]
_CODECS: dict[Any, tuple[Encoder, Decoder]] = {}


def _same(value: Any) -> Any:
    return value


def _codec(tp: Any) -> tuple[Encoder, Decoder]:
    """Encoder and decoder of the type ``tp``, built once per type."""
    try:
        return _CODECS[tp]
    except (KeyError, TypeError):
        pass
    codec = _build_codec(tp)
    with contextlib.suppress(TypeError):  # an unhashable annotation is built again next time
        _CODECS[tp] = codec
    return codec


class DetailsNotLoaded(LookupError):
    """A detail of a stored row (a gap list, missing evidence) read without its details."""


class Deferred(Sequence):
    """Stands for a detail left unread (``read(..., details=False)``): any use of it raises
    :class:`DetailsNotLoaded`, so a page that needs it cannot show an empty list instead."""

    __slots__ = ("path",)

    def __init__(self, path: str):
        self.path = path

    def _missing(self):
        raise DetailsNotLoaded(f"{self.path} is not loaded: read the readiness with details")

    def __getitem__(self, index):
        self._missing()

    def __len__(self) -> int:
        self._missing()
        return 0

    def __iter__(self):
        self._missing()
        return iter(())

    def __eq__(self, other: object) -> bool:
        return self is other

    def __hash__(self) -> int:
        return id(self)

    def __repr__(self) -> str:
        return f"Deferred({self.path!r})"


class LazyItems(Sequence):
    """A tuple of dataclasses decoded from its JSON on first use (a page of 514 regions reads
    every gap list but shows none of them). Compares and hashes like the tuple it stands for."""

    __slots__ = ("_raw", "_decode", "_items")

    def __init__(self, raw: list, decode: Decoder):
        self._raw, self._decode, self._items = raw, decode, None

    def _all(self) -> tuple:
        if self._items is None:
            self._items = tuple(self._decode(x) for x in self._raw)
            self._raw = None
        return self._items

    def __getitem__(self, index):
        return self._all()[index]

    def __len__(self) -> int:
        return len(self._raw) if self._items is None else len(self._items)

    def __iter__(self):
        return iter(self._all())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyItems):
            other = other._all()
        return self._all() == other if isinstance(other, tuple) else NotImplemented

    def __hash__(self) -> int:
        return hash(self._all())

    def __repr__(self) -> str:
        return repr(self._all())


def _optional(codec: tuple[Encoder, Decoder]) -> tuple[Encoder, Decoder]:
    enc, dec = codec
    return (lambda v: None if v is None else enc(v)), (lambda v: None if v is None else dec(v))


def _build_codec(tp: Any) -> tuple[Encoder, Decoder]:
    origin, args = typing.get_origin(tp), typing.get_args(tp)
    if tp in (str, int, bool, float, type(None), Any, object) or origin is typing.Literal:
        return _same, _same
    if tp is Decimal:
        return str, Decimal
    if tp is datetime:
        return (lambda v: v.isoformat()), datetime.fromisoformat
    if tp is date:
        return (lambda v: v.isoformat()), date.fromisoformat
    if isinstance(tp, type) and issubclass(tp, Enum):
        return (lambda v: v.value), tp
    if dataclasses.is_dataclass(tp):
        return _dataclass_codec(tp)
    if origin in (typing.Union, types.UnionType):
        members = [arg for arg in args if arg is not type(None)]
        if len(members) == 1:
            return _optional(_codec(members[0]))
        if all(dataclasses.is_dataclass(arg) for arg in members):
            return _tagged(members)
        if all(arg in (str, int, bool, float) for arg in members):
            return _same, _same
        raise TypeError(f"readiness store cannot serialise {tp!r}")
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            enc, dec = _codec(args[0])
            if dataclasses.is_dataclass(args[0]):  # gap lists and the like: decoded when used
                return (lambda v: [enc(x) for x in v]), (
                    lambda v: v if isinstance(v, Deferred) else LazyItems(v, dec)
                )
            return (lambda v: [enc(x) for x in v]), (lambda v: tuple(dec(x) for x in v))
        codecs = [_codec(arg) for arg in args]
        return (
            lambda v: [c[0](x) for c, x in zip(codecs, v, strict=True)],
            lambda v: tuple(c[1](x) for c, x in zip(codecs, v, strict=True)),
        )
    if origin in (frozenset, set, typing.AbstractSet, _abc_set()):
        enc, dec = _codec(args[0] if args else Any)
        return (lambda v: sorted(enc(x) for x in v)), (lambda v: frozenset(dec(x) for x in v))
    if origin in (list, Sequence, _abc_sequence()):
        enc, dec = _codec(args[0] if args else Any)
        return (lambda v: [enc(x) for x in v]), (lambda v: [dec(x) for x in v])
    if origin in (dict, Mapping, _abc_mapping()):
        enc, dec = _codec(args[1] if len(args) == 2 else Any)
        return (lambda v: {str(k): enc(x) for k, x in v.items()}), (
            lambda v: {k: dec(x) for k, x in v.items()}
        )
    raise TypeError(f"readiness store cannot serialise {tp!r}")


def _abc_set():
    import collections.abc

    return collections.abc.Set


def _abc_sequence():
    import collections.abc

    return collections.abc.Sequence


def _abc_mapping():
    import collections.abc

    return collections.abc.Mapping


def _fields(cls: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(cls)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(cls) if f.init]


def _dataclass_codec(cls: type) -> tuple[Encoder, Decoder]:
    codecs: list[tuple[str, Encoder, Decoder]] = []
    _CODECS[cls] = (  # placeholders while the fields are built (recursive types)
        lambda v: encode_fields(v),
        lambda v: decode_fields(v),
    )
    for name, tp in _fields(cls):
        enc, dec = _codec(tp)
        codecs.append((name, enc, dec))

    def encode_fields(value: Any) -> dict[str, Any]:
        return {name: enc(getattr(value, name)) for name, enc, _dec in codecs}

    def decode_fields(data: dict[str, Any]) -> Any:
        return cls(**{name: dec(data[name]) for name, _enc, dec in codecs if name in data})

    return encode_fields, decode_fields


def _tagged(members: list[type]) -> tuple[Encoder, Decoder]:
    by_name = {cls.__name__: cls for cls in members}

    def encode(value: Any) -> Any:
        if value is None:
            return None
        return {"__type__": type(value).__name__, **_codec(type(value))[0](value)}

    def decode(value: Any) -> Any:
        if value is None:
            return None
        data = dict(value)
        cls = by_name[data.pop("__type__")]
        return _codec(cls)[1](data)

    return encode, decode


def _shape(tp: Any, seen: set[Any] | None = None) -> str:
    """The field tree of ``tp`` as text: a change of any stored dataclass changes ``FORMAT``."""
    seen = set() if seen is None else seen
    if dataclasses.is_dataclass(tp):
        if tp in seen:
            return tp.__name__
        seen.add(tp)
        inner = ",".join(f"{name}:{_shape(sub, seen)}" for name, sub in _fields(tp))
        return f"{tp.__name__}({inner})"
    args = typing.get_args(tp)
    if args:
        return f"{typing.get_origin(tp)}[{','.join(_shape(arg, seen) for arg in args)}]"
    return repr(tp)


# What only the detail pages show (the region page's gap list and missing evidence): stored in
# the ``details`` column, apart from the summary in ``data`` that every list reads, so that the
# API and the lists do not fetch and parse them (``read(..., details=False)``).
DETAILS = (("result", "gap", "items"), ("missing_evidence",))

FORMAT = hashlib.sha1(
    f"{SCORING_REVISION}|{DETAILS}|{_shape(ProgramReadiness)}|{_shape(KampungKbReadiness)}".encode(),
    usedforsecurity=False,
).hexdigest()[:16]


def encode(part: Part) -> dict[str, Any]:
    """The stored JSON of one assessment's readiness (live fields left out)."""
    data = _codec(type(part))[0](part)
    for name in LIVE_FIELDS:
        data.pop(name, None)
    return data


def split(data: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """An encoded part as its summary (``data`` less the :data:`DETAILS`, changed in place) and
    its details (``"result.gap.items"`` → JSON)."""
    details = {}
    for path in DETAILS:
        node = data
        for key in path[:-1]:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict) and path[-1] in node:
            details[".".join(path)] = node.pop(path[-1])
    return data, details


def decode(
    program: str, data: Mapping[str, Any], details: Mapping[str, Any] | None = None, **live: Any
) -> Part:
    """A stored JSON back into its dataclass, with the live fields given.

    ``data`` is the summary (or the whole encoded part); the :data:`DETAILS` it lacks come from
    ``details``, or — ``details`` None, not read — are :class:`Deferred`, raising when used.
    """
    cls = KampungKbReadiness if program == Program.KAMPUNG_KB else ProgramReadiness
    fields = {name: data[name] for name in data if name not in LIVE_FIELDS}
    if cls is ProgramReadiness:
        for path in DETAILS:
            node = fields
            for key in path[:-1]:
                child = node.get(key)
                if not isinstance(child, dict):
                    node = None
                    break
                node[key] = child = dict(child)  # a copy: ``data`` stays as it was read
                node = child
            if node is None or path[-1] in node:
                continue
            name = ".".join(path)
            node[path[-1]] = details[name] if details is not None else Deferred(name)
    part = _codec(cls)[1](fields)
    known = {f.name for f in dataclasses.fields(cls)}
    return dataclasses.replace(part, **{k: v for k, v in live.items() if k in known})


# --- reading ----------------------------------------------------------------------------------

_ROW = (
    "id",
    "edition__program",
    "edition__year",
    "region_id",
    "status",
    "version",
    "updated_at",
    "edition__catalog_version",
    "readiness__assessment_version",
    "readiness__catalog_version",
    "readiness__format",
)


def _fresh(row: tuple) -> bool:
    return row[8] == row[5] and row[9] == row[7] and row[10] == FORMAT


def _recompute(stale: list[tuple]) -> dict:
    """Compute the assessments of ``stale`` rows in one batch and store them; id → part.

    Each row is labelled with the versions read *before* the data it was computed from (the
    assessment's version by ``load_assessments`` ahead of its values, the catalog version by the
    caller's query ahead of the catalog), so a row can look older than its data, never newer.
    """
    if not stale:
        return {}
    wanted = {row[0] for row in stale}
    versions = {row[0]: row[7] for row in stale}
    years = sorted({row[2] for row in stale})
    region_ids = sorted({row[3] for row in stale})
    catalogs = load_catalog_map(PROGRAMS, years)
    parts = {pk: part for pk, part in compute(region_ids, years, catalogs).items() if pk in wanted}
    save(parts, {row[0]: row for row in stale}, versions)
    return parts


def save(parts: Mapping[int, Part], rows: Mapping[int, tuple], catalog_versions: Mapping) -> int:
    """Upsert the computed ``parts`` (one statement per 500 rows); rows vanished meanwhile are
    skipped. Returns the number of rows written."""
    now = timezone.now()
    objects = []
    for pk, part in parts.items():
        row = rows[pk]
        result = getattr(part, "result", None)
        level = getattr(part, "level", None)
        objects.append(
            StoredReadiness(
                assessment_id=pk,
                program=row[1],
                year=row[2],
                region_id=row[3],
                assessment_version=part.version,
                catalog_version=catalog_versions[pk],
                format=FORMAT,
                score=getattr(result, "score", None),
                level_name=level.name if level is not None else "",
                computed_at=now,
                **dict(zip(("data", "details"), split(encode(part)), strict=True)),
            )
        )
    if not objects:
        return 0
    fields = [f.name for f in StoredReadiness._meta.concrete_fields if not f.primary_key]
    try:
        with transaction.atomic():
            StoredReadiness.objects.bulk_create(
                objects,
                batch_size=500,
                update_conflicts=True,
                unique_fields=["assessment"],
                update_fields=fields,
            )
    except IntegrityError:  # an assessment was deleted meanwhile: the next read computes again
        return 0
    return len(objects)


def _rows(
    programs, years, region_ids, *, verified_only: bool, with_data: bool, details: bool = False
) -> list[tuple]:
    """The assessments with their stored rows' versions (and data, optionally details, or
    score), one query. With ``verified_only``: verified ones and those reopened for correction
    (see :func:`_reopened`)."""
    qs = assessments_for(programs, years, region_ids)
    if verified_only:
        qs = with_verified_result(qs)
    if with_data:
        extra = ("readiness__data", "readiness__details") if details else ("readiness__data",)
    else:
        extra = ("readiness__score",)
    return list(qs.values_list(*_ROW, *extra))


def _reopened(row: tuple, verified_only: bool) -> bool:
    """A row of a ``verified_only`` read that is not verified now: reopened for correction."""
    return verified_only and row[4] != Assessment.Status.VERIFIED


def _as_verified(reopened: list[tuple]) -> dict:
    """The last verified result of assessments reopened for correction, computed from their
    snapshots in one batch (a constant number of queries, none without such rows); id → part.
    Never stored: the assessment's row holds the correction in progress."""
    if not reopened:
        return {}
    wanted = {row[0] for row in reopened}
    region_ids = sorted({row[3] for row in reopened})
    years = sorted({row[2] for row in reopened})
    parts = compute(region_ids, years, as_verified=True)
    return {pk: part for pk, part in parts.items() if pk in wanted}


def read(
    regions: list[_RegionRow],
    years: list[int] | None,
    *,
    verified_only: bool,
    details: bool = True,
) -> list[RegionReadiness]:
    """Readiness of ``regions`` × ``years`` (None = every edition year), by region then year.

    ``details=False`` leaves the :data:`DETAILS` (gap items, missing evidence) unread: they are
    :class:`Deferred` in the result (for the API and lists that show only the summary).

    Queries: the editions, the stored rows (one query, with the assessments' versions and
    status), the awards; plus, only when some rows are missing or stale, one computation batch
    and its upsert, and with ``verified_only`` only when some assessments are reopened for
    correction, one computation batch of their snapshots. Raises ``NoEdition`` when no
    programme has an edition in ``years``.
    """
    editions = Edition.objects.filter(program__in=PROGRAMS).order_by()
    if years is not None:
        editions = editions.filter(year__in=years)
    present = set(editions.values_list("program", "year"))
    if not present:
        if years is None:
            return []
        raise NoEdition(years)
    if years is None:
        years = sorted({year for _, year in present})
    if not regions or not years:
        return []
    region_ids = [region.id for region in regions]
    rows = _rows(
        PROGRAMS, years, region_ids, verified_only=verified_only, with_data=True, details=details
    )
    reopened = [row for row in rows if _reopened(row, verified_only)]
    stale = [row for row in rows if not _fresh(row) and not _reopened(row, verified_only)]
    computed = _recompute(stale)
    as_verified = _as_verified(reopened)
    awards = load_awards(region_ids, (Program.APE, Program.KLA), max_year=max(years))
    parts: dict[tuple[str, int, int], Part] = {}
    for row in rows:
        pk, program, year, region_id, status, _version, updated_at = row[:7]
        part = computed.get(pk)
        if _reopened(row, verified_only):
            part = as_verified.get(pk)
            if part is None:  # vanished meanwhile: shown as without data until the next read
                continue
            part = dataclasses.replace(
                part, status=Assessment.Status.VERIFIED, updated_at=updated_at
            )
        elif part is not None:
            part = dataclasses.replace(part, status=status, updated_at=updated_at)
        elif _fresh(row):
            part = decode(
                program,
                row[11],
                row[12] if details else None,
                status=status,
                updated_at=updated_at,
            )
        else:  # vanished while computing: shown as without data until the next read
            continue
        if isinstance(part, ProgramReadiness):
            award = last_award(awards.get((region_id, program), ()), year)
            part = dataclasses.replace(part, award=award)
        parts[(program, region_id, year)] = part
    result = []
    for region in regions:
        for year in years:

            def program_part(program: str, region=region, year=year) -> ProgramReadiness:
                found = parts.get((program, region.id, year))
                if found is not None:
                    return found  # type: ignore[return-value]
                award = last_award(awards.get((region.id, program), ()), year)
                return ProgramReadiness(
                    program, year, has_edition=(program, year) in present, award=award
                )

            kkb = parts.get((Program.KAMPUNG_KB, region.id, year))
            result.append(
                RegionReadiness(
                    region_id=region.id,
                    region_code=region.code,
                    region_name=region.name,
                    region_kind=region.kind,
                    year=year,
                    ape=program_part(Program.APE),
                    kla=program_part(Program.KLA),
                    kampung_kb=kkb  # type: ignore[arg-type]
                    if kkb is not None
                    else KampungKbReadiness(
                        year=year, has_edition=(Program.KAMPUNG_KB, year) in present
                    ),
                )
            )
    return result


Summary = dict[str, tuple[str | None, dict[str, Any] | None]]


def summaries(
    regions: list[_RegionRow], year: int, *, verified_only: bool = False
) -> list[tuple[_RegionRow, Summary]]:
    """Each region's stored summaries in ``year``: programme → (status, the summary JSON as
    :func:`encode` and :func:`split` write it into ``data``; None without an assessment).

    For a list that formats the summary itself — the readiness API over every kab/kota — and
    need not build the dataclasses (:func:`read` does) nor read the details or the awards.
    Queries: whether ``year`` has an edition, the rows, plus (only for missing or stale rows)
    one computation batch and its upsert. Raises ``NoEdition``.
    """
    if not Edition.objects.filter(program__in=PROGRAMS, year=year).exists():
        raise NoEdition([year])
    if not regions:
        return []
    region_ids = [region.id for region in regions]
    rows = _rows(PROGRAMS, [year], region_ids, verified_only=verified_only, with_data=True)
    # an assessment reopened for correction has no verified summary stored (see :func:`read`)
    rows = [row for row in rows if not _reopened(row, verified_only)]
    computed = _recompute([row for row in rows if not _fresh(row)])
    found: dict[tuple[str, int], tuple[str | None, dict[str, Any]]] = {}
    for row in rows:
        pk, program, _year, region_id, status = row[:5]
        part = computed.get(pk)
        if part is not None:
            found[(program, region_id)] = (status, split(encode(part))[0])
        elif _fresh(row):
            found[(program, region_id)] = (status, row[11])
    empty = (None, None)
    return [
        (region, {program: found.get((program, region.id), empty) for program in PROGRAMS})
        for region in regions
    ]


def scores(
    region_ids: Sequence[int],
    programs: Iterable[str] = (Program.APE, Program.KLA),
    years: Sequence[int] | None = None,
    *,
    verified_only: bool = False,
) -> dict[tuple[str, int, int], Decimal]:
    """Stored scores per (programme, region id, year) — the trend — in one query (plus one
    computation batch for missing or stale rows: of every programme, so that a readiness read
    of the same regions after it finds them fresh). With ``verified_only`` an assessment
    reopened for correction counts with its last verified score (one computation batch of
    their snapshots, only when there are some)."""
    if not region_ids:
        return {}
    programs = tuple(programs)
    rows = _rows(PROGRAMS, years, region_ids, verified_only=verified_only, with_data=False)
    stale = [row for row in rows if not _fresh(row) and not _reopened(row, verified_only)]
    computed = _recompute(stale)
    as_verified = _as_verified(
        [row for row in rows if _reopened(row, verified_only) and row[1] in programs]
    )
    found = {}
    for row in rows:
        pk, program, year, region_id = row[:4]
        if program not in programs:
            continue
        if _reopened(row, verified_only):
            result = getattr(as_verified.get(pk), "result", None)
            score = getattr(result, "score", None)
        elif pk in computed:
            result = getattr(computed[pk], "result", None)
            score = getattr(result, "score", None)
        elif _fresh(row):
            score = row[11]
        else:
            continue
        if score is not None:
            found[(program, region_id, year)] = score
    return found


# --- writing ----------------------------------------------------------------------------------


def refresh_quietly(assessment_ids: list[int]) -> None:
    """:func:`refresh` as the listener after a commit: a failure is logged, never raised (the
    data is committed; the next reader recomputes what is still stale)."""
    try:
        refresh(assessment_ids)
    except Exception:  # noqa: BLE001
        logger.exception("stored readiness not refreshed for %s", assessment_ids[:20])


def refresh(assessment_ids: Iterable[int]) -> int:
    """Recompute and store the given assessments now (after a save or an import commits);
    returns how many rows were written. Fresh rows are left alone."""
    ids = sorted(set(assessment_ids))
    written = 0
    for start in range(0, len(ids), 2000):
        rows = list(
            Assessment.objects.filter(pk__in=ids[start : start + 2000])
            .order_by()
            .values_list(*_ROW)
        )
        stale = [row for row in rows if not _fresh(row)]
        written += len(_recompute(stale))
    return written


def recompute_all(
    *,
    years: Sequence[int] | None = None,
    programs: Sequence[str] | None = None,
    stale_only: bool = False,
) -> int:
    """Recompute and store every assessment (of ``years`` and ``programs``), whatever its row
    says — or with ``stale_only`` only those whose row is missing or stale; returns the number
    of rows written. Works in batches of 100 regions."""
    qs = assessments_for(programs or PROGRAMS, years, None)
    rows = list(qs.values_list(*_ROW))
    if stale_only:
        rows = [row for row in rows if not _fresh(row)]
    written = 0
    by_region: dict[int, list[tuple]] = {}
    for row in rows:
        by_region.setdefault(row[3], []).append(row)
    region_ids = sorted(by_region)
    for start in range(0, len(region_ids), 100):
        batch = [row for rid in region_ids[start : start + 100] for row in by_region[rid]]
        written += len(_recompute(batch))
    return written


@dataclasses.dataclass(frozen=True)
class Difference:
    """One assessment whose stored row is not what a fresh computation gives."""

    assessment_id: int
    program: str
    year: int
    region_id: int
    kind: str  # "missing", "stale" or "wrong"


def differences(*, fresh_only: bool = False) -> list[Difference]:
    """Every assessment computed in memory and compared with its stored row.

    ``wrong``: the row claims to be fresh (its versions match) and differs — a write path that
    did not bump a version. ``missing`` / ``stale``: no row yet, or versions that no longer
    match (what the next read recomputes); left out with ``fresh_only``, which then computes
    only the assessments that have a fresh-looking row.
    """
    qs = assessments_for(PROGRAMS, None, None)
    if fresh_only:
        qs = qs.filter(readiness__isnull=False)
    rows = list(qs.values_list(*_ROW, "readiness__data", "readiness__details"))
    found: list[Difference] = []
    by_region: dict[int, list[tuple]] = {}
    for row in rows:
        if fresh_only and not _fresh(row):
            continue
        by_region.setdefault(row[3], []).append(row)
    region_ids = sorted(by_region)
    for start in range(0, len(region_ids), 100):
        batch = [row for rid in region_ids[start : start + 100] for row in by_region[rid]]
        years = sorted({row[2] for row in batch})
        parts = compute(sorted({row[3] for row in batch}), years)
        for row in batch:
            if row[8] is None:
                kind = "missing"
            elif not _fresh(row):
                kind = "stale"
            else:
                part = parts.get(row[0])
                if part is not None and _normal(split(encode(part))) == _normal(row[11:13]):
                    continue
                kind = "wrong"
            found.append(Difference(row[0], row[1], row[2], row[3], kind))
    return found


def _normal(data: Any) -> Any:
    """JSON as stored and read back (tuples become lists, keys strings)."""
    import json

    return json.loads(json.dumps(data, sort_keys=True))
