"""What the dashboard computes is cached, keyed on fingerprints of the data it was computed from.

Three fingerprints, each read in one query:

* :func:`data_stamp` — of everything (``Stamp.data``): a whole page's data is cached under it, so
  a repeated request with unchanged data reads one cache entry;
* ``Stamp.reference`` — of what changes rarely and is shared by every region: catalogs (admin
  log, migrations, sizes of the catalog tables), awards and the desa list; ``Stamp.catalog`` is
  the catalog part alone;
* :func:`unit_stamps` — of one region in one year: its assessments (status, ``version``,
  ``updated_at``) and the newest history rows of their answers, desa rows and evidence links,
  and of the region's owner overrides.

Readiness and trend totals are cached per region and year under ``reference`` + the unit's
fingerprint (:func:`cached_readiness`), so after a save only the saved region-year is computed
again; the rest of the page comes from the cache. A hit is always fresh: any change of the data a
unit was computed from gives it a new key (old entries expire after ``CACHE_SECONDS``).
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from django.core.cache import cache
from django.db import connection
from django.utils.translation import get_language

from dashboard.readiness import PROGRAMS, RegionReadiness, readiness_for_years
from penilaian.models import Assessment
from penilaian.queries import CatalogData, load_catalog_map
from regions.models import Region

CACHE_SECONDS = 600

T = TypeVar("T")
Unit = tuple[int, int]  # (region id, year)


@dataclass(frozen=True)
class Stamp:
    """Fingerprints: ``data`` of everything, ``reference`` of the shared, rarely changed data
    (catalogs, awards, desa list) and ``catalog`` of the catalogs only."""

    data: str
    catalog: str
    reference: str


def _digest(value: object) -> str:
    return hashlib.sha1(repr(value).encode(), usedforsecurity=False).hexdigest()[:20]


def data_stamp() -> Stamp:
    """Fingerprints of everything the readiness numbers are computed from (1 query).

    Every write path of assessment data (values, desa rows, workflow, import) bumps the
    assessment's ``version`` and ``updated_at``; the history tables, the admin log, the
    migrations table (reference data) and the size of the desa list catch the rest. The catalog
    and shared fingerprints read only the admin-log entries of their own models, so an admin
    edit of a user or a meeting leaves the cached readiness alone. The one change none sees is
    a desa moved to another kecamatan by an import: that shows with the next change of its
    region's data, at the latest after ``CACHE_SECONDS``.
    """
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType
    from django.db.migrations.recorder import MigrationRecorder

    from kampung_kb.models import DesaPotensial, DesaRecord
    from penilaian.models import (
        Answer,
        AwardResult,
        Edition,
        EvidenceLink,
        Group,
        Indicator,
        IndicatorOwner,
        Level,
    )
    from regions.models import Desa, Kecamatan, Opd, OpdKind, Region

    qn = connection.ops.quote_name
    params: list[str] = []

    def sub(aggregate: str, model) -> str:
        # Identifiers from the models' metadata, quoted; no user input reaches this SQL.
        return "".join(("(SELECT ", aggregate, " FROM ", qn(model._meta.db_table), ")"))

    def logged(*models) -> str:
        """The newest admin-log entry about any of ``models``."""
        pairs = []
        for model in models:
            pairs.append("(c.app_label = %s AND c.model = %s)")
            params.extend((model._meta.app_label, model._meta.model_name))
        log, types = qn(LogEntry._meta.db_table), qn(ContentType._meta.db_table)
        return "".join(
            ("(SELECT MAX(l.id) FROM ", log, " l JOIN ", types, " c ON c.id = l.content_type_id")
        ) + "".join((" WHERE ", " OR ".join(pairs), ")"))

    catalog_parts = [
        logged(Edition, Group, Indicator, Level),
        sub("COUNT(*)", MigrationRecorder.Migration),
        sub("COUNT(*)", Edition),
        sub("COUNT(*)", Group),
        sub("COUNT(*)", Indicator),
        sub("COUNT(*)", Level),
    ]
    shared_parts = [
        logged(AwardResult, Region, Kecamatan, Desa, Opd, OpdKind, DesaPotensial),
        sub("COUNT(*)", AwardResult),
        sub("COUNT(*)", DesaPotensial),
        sub("MAX(updated_at)", DesaPotensial),
        sub("MAX(id)", AwardResult),
        sub("COUNT(*)", Desa),
        sub("MAX(id)", Desa),
    ]
    data_parts = [
        sub("MAX(id)", LogEntry),
        sub("COUNT(*)", Assessment),
        sub("MAX(updated_at)", Assessment),
        sub("SUM(version)", Assessment),
        sub("MAX(history_id)", Answer.history.model),
        sub("MAX(history_id)", DesaRecord.history.model),
        sub("MAX(history_id)", EvidenceLink.history.model),
        sub("MAX(history_id)", IndicatorOwner.history.model),
        sub("COUNT(*)", EvidenceLink),
    ]
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(catalog_parts + shared_parts + data_parts), params)
        row = cursor.fetchone()
    catalog = row[: len(catalog_parts)]
    reference = row[: len(catalog_parts) + len(shared_parts)]
    return Stamp(
        data=_digest(row), catalog="c" + _digest(catalog), reference="r" + _digest(reference)
    )


def _key(stamp: str, parts: tuple) -> str:
    return f"dashboard:{stamp}:{_digest(parts)}:{get_language()}"


def cached(stamp: str, parts: tuple, compute: Callable[[], T]) -> T:
    """``compute()``, or its result cached under ``parts`` for the fingerprint ``stamp``."""
    key = _key(stamp, parts)
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, CACHE_SECONDS)
    return value


def cached_many(
    stamp: str,
    parts: dict[Hashable, tuple],
    compute: Callable[[list[Hashable]], dict[Hashable, object]],
) -> dict[Hashable, object]:
    """Each item of ``parts`` from the cache (one read), the missing ones by one ``compute``.

    ``compute(missing)`` returns a value for every item it is given.
    """
    keys = {item: _key(stamp, key_parts) for item, key_parts in parts.items()}
    found = cache.get_many(list(keys.values()))
    result = {item: found[key] for item, key in keys.items() if key in found}
    missing = [item for item in keys if item not in result]
    if missing:
        computed = compute(missing)
        cache.set_many({keys[item]: computed[item] for item in missing}, CACHE_SECONDS)
        result.update({item: computed[item] for item in missing})
    return result


# Catalogs by (catalog fingerprint, programme, year), None = no edition: kept in this process as
# Python objects (no pickling): they are reference data, the same for every request until the
# catalog fingerprint moves on. A restart starts empty; ``forget()`` empties it too.
_CATALOGS: OrderedDict[tuple[str, str, int], CatalogData | None] = OrderedDict()
_CATALOGS_MAX = 500


_MEMOS: list[dict] = [_CATALOGS]


def keep_in_process(memo: dict) -> dict:
    """Register a process-wide memo, so that :func:`forget` empties it with the others."""
    _MEMOS.append(memo)
    return memo


def forget() -> None:
    """Empty this process's memos (catalogs, totals): what a restart does."""
    for memo in _MEMOS:
        memo.clear()


def catalog_map(
    programs: tuple[str, ...], years: Iterable[int], catalog_stamp: str | None = None
) -> dict[tuple[str, int], CatalogData]:
    """``penilaian.queries.load_catalog_map``, each catalog kept under the catalog fingerprint.

    Catalogs are kept one (programme, year) at a time, so every screen shares them whatever set
    of years it asks for; the missing ones are read together (4 queries). Years without an
    edition are absent.
    """
    wanted = [(program, year) for program in programs for year in sorted(set(years))]
    if catalog_stamp is None:
        return load_catalog_map(programs, sorted({year for _, year in wanted}))
    missing = [item for item in wanted if (catalog_stamp, *item) not in _CATALOGS]
    if missing:
        loaded = load_catalog_map(
            tuple(sorted({program for program, _ in missing})),
            sorted({year for _, year in missing}),
        )
        for item in missing:
            _CATALOGS[(catalog_stamp, *item)] = loaded.get(item)
        while len(_CATALOGS) > _CATALOGS_MAX:
            _CATALOGS.popitem(last=False)
    found = {item: _CATALOGS.get((catalog_stamp, *item)) for item in wanted}
    return {item: catalog for item, catalog in found.items() if catalog is not None}


def unit_stamps(region_ids: Sequence[int], years: Sequence[int] | None = None) -> dict[Unit, str]:
    """A fingerprint per (region id, year) that has assessments, in 1 query.

    Made of each assessment's programme, status, ``version`` and ``updated_at``, the newest
    history rows of its answers, desa rows and evidence links, and the newest history row of the
    region's owner overrides. A region-year without assessments has no entry. Written in SQL:
    the ORM spends longer compiling the four correlated subqueries than the database runs them.
    """
    from kampung_kb.models import DesaRecord
    from penilaian.models import Answer, Edition, EvidenceLink, IndicatorOwner

    if not region_ids:
        return {}
    qn = connection.ops.quote_name

    def newest(model, field: str, outer: str) -> str:
        table = qn(model.history.model._meta.db_table)
        return "".join(
            ("(SELECT MAX(h.history_id) FROM ", table, " h WHERE h.", qn(field)),
        ) + "".join((" = a.", qn(outer), ")"))

    params: list[object] = list(region_ids)
    where = "a.region_id IN (" + ", ".join(["%s"] * len(region_ids)) + ")"
    if years is not None:
        if not years:
            return {}
        params += list(years)
        where += " AND e.year IN (" + ", ".join(["%s"] * len(years)) + ")"
    # Identifiers quoted from the models' metadata; every value is a parameter.
    columns = [
        "a.region_id, e.year, e.program, a.id, a.status, a.version, a.updated_at",
        newest(Answer, "assessment_id", "id"),
        newest(DesaRecord, "assessment_id", "id"),
        newest(EvidenceLink, "assessment_id", "id"),
        newest(IndicatorOwner, "region_id", "region_id"),
    ]
    tables = (qn(Assessment._meta.db_table), qn(Edition._meta.db_table))
    sql = "".join(
        ("SELECT ", ", ".join(columns), " FROM ", tables[0], " a JOIN ", tables[1], " e")
    ) + "".join((" ON e.id = a.edition_id WHERE ", where))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    grouped: dict[Unit, list[tuple]] = defaultdict(list)
    for row in rows:
        grouped[(row[0], row[1])].append(row[2:])
    return {unit: _digest(sorted(parts, key=repr)) for unit, parts in grouped.items()}


def cached_readiness(
    stamp: Stamp,
    regions: Sequence[Region],
    years: Sequence[int],
    *,
    verified_only: bool = False,
    units: dict[Unit, str] | None = None,
) -> list[RegionReadiness]:
    """``readiness_for_years`` of ``regions`` × ``years``, each region-year cached on its own.

    Only the region-years that changed since they were cached are computed (in one readiness
    read, constant queries); ``units`` are their fingerprints when the caller has them already.
    Ordered by region code, then year.
    """
    if not regions or not years:
        return []
    years = sorted(set(years))
    if units is None:
        units = unit_stamps([region.pk for region in regions], years)
    by_id = {region.pk: region for region in regions}
    parts = {
        (region.pk, year): (
            "readiness",
            region.pk,
            year,
            verified_only,
            units.get((region.pk, year)),
        )
        for region in regions
        for year in years
    }

    def compute(missing: list) -> dict:
        missing_regions = [by_id[pk] for pk in sorted({pk for pk, _ in missing})]
        missing_years = sorted({year for _, year in missing})
        catalogs = catalog_map(PROGRAMS, missing_years, stamp.catalog)
        computed = readiness_for_years(
            missing_regions, missing_years, verified_only=verified_only, catalogs=catalogs
        )
        return {(item.region_id, item.year): item for item in computed}

    found = cached_many(stamp.reference, parts, compute)
    ordered = sorted(regions, key=lambda region: region.code)
    return [found[(region.pk, year)] for region in ordered for year in years]


def cached_for_units(
    stamp: Stamp,
    parts: tuple,
    region_ids: Sequence[int],
    years: Sequence[int] | None,
    compute: Callable[[], T],
) -> T:
    """``compute()`` of data read from ``region_ids`` × ``years`` (None = every year), cached twice.

    Under the data fingerprint, so that a repeated request reads one entry; on a miss, under the
    fingerprints of just those region-years (1 query), so that a save elsewhere does not compute
    it again.
    """

    def by_units() -> T:
        units = tuple(sorted(unit_stamps(region_ids, years).items()))
        return cached(stamp.reference, (*parts, units), compute)

    return cached(stamp.data, parts, by_units)
