"""Bulk writes of a checked :class:`~impor.validation.Plan`, with history, in one transaction.

Upserts match on the whole natural key (the model's unique constraint), never on a partial key,
and work on plain row tuples (no model instances: building 50,000 instances and letting the ORM
compile them costs more than the database does).

* PostgreSQL: ``COPY`` into a temporary table, then one ``INSERT … ON CONFLICT … DO UPDATE …
  RETURNING`` whose result feeds the simple_history table in the same statement.
* Other databases (SQLite): ``executemany`` of ``INSERT … ON CONFLICT … DO UPDATE``, the ids
  read back by key, and the history rows inserted with ``executemany``.

Callers wrap the whole apply in ``transaction.atomic``. The SQL is assembled from model
metadata only (table and column names, quoted by the backend); every value is a parameter or
goes through COPY, hence the ``noqa: S608`` marks.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable, Sequence
from operator import itemgetter
from typing import Any

from django.db import connection
from django.db.backends.base.operations import BaseDatabaseOperations
from django.db.models import F, Field, Model
from simple_history.utils import get_history_manager_for_model

from impor.validation import AnswerWrite, DesaRecordWrite, DesaWrite, Plan
from kampung_kb.models import DesaRecord
from penilaian.models import Answer, Assessment
from penilaian.versions import assessments_changed, desa_regions_changed
from regions.models import Desa

HISTORY_REASON_MAX = 100
BASE_DECIMAL = BaseDatabaseOperations.adapt_decimalfield_value  # returns the value unchanged
HISTORY_COLUMNS = ("history_id", "history_date", "history_change_reason", "history_type")
HISTORY_COLUMNS += ("history_user_id",)
CHUNK = 500

ANSWER_FIELDS = ("assessment", "indicator", "value", "note", "carried_over", "updated_at")


def write_plan(
    plan: Plan,
    user,
    reason: str,
    now: dt.datetime,
    *,
    progress: Callable[[int], None] | None = None,
    chunk: int = 0,
    background: bool = True,
) -> int:
    """Store ``plan`` (already checked, inside the caller's transaction); rows written.

    With ``progress``, rows are written in chunks of ``chunk`` and ``progress(rows written)``
    is called after each (a job's progress bar). ``background=False`` refreshes the readiness
    of the touched assessments right after the commit, in this process (a job does that work
    itself) instead of queuing a job for it."""
    reason = reason[:HISTORY_REASON_MAX]
    user_id = getattr(user, "pk", None)
    writes = plan.writes
    if not writes:
        return 0
    if isinstance(writes[0], DesaWrite):
        count = _write_desa(writes, background)
        if progress is not None:
            progress(count)
        return count
    assessment_ids = _ensure_assessments(plan, user_id, reason, now, background)
    size = chunk if progress is not None and chunk > 0 else len(writes)
    if isinstance(writes[0], AnswerWrite):
        rows = [
            (
                assessment_ids[(w.region_id, w.edition_id)],
                w.indicator_id,
                w.value,
                w.note,
                False,
                now,
            )
            for w in writes
        ]
        flags = [w.answer_id is None for w in writes]
        count = 0
        for start in range(0, len(rows), size):
            count += upsert(
                Answer,
                ANSWER_FIELDS,
                rows[start : start + size],
                unique_fields=("assessment", "indicator"),
                update_fields=("value", "note", "carried_over", "updated_at"),
                compare_fields=("value", "note", "carried_over"),
                new_flags=flags[start : start + size],
                user_id=user_id,
                reason=reason,
                now=now,
            )
            if progress is not None:
                progress(min(start + size, len(rows)))
    else:
        count = 0
        for start in range(0, len(writes), size):
            part = writes[start : start + size]
            count += _write_desa_records(part, assessment_ids, user_id, reason, now)
            if progress is not None:
                progress(min(start + size, len(writes)))
    if plan.touched_assessments:
        _bump_assessments(sorted(plan.touched_assessments), user_id, reason, now, background)
    return count


def _write_desa_records(
    writes: Sequence[DesaRecordWrite],
    assessment_ids: dict[tuple[int, int], int],
    user_id: int | None,
    reason: str,
    now: dt.datetime,
) -> int:
    names = [
        f.name
        for f in DesaRecord._meta.concrete_fields
        if not f.primary_key and f.name not in ("assessment", "desa", "updated_at", "carried_over")
    ]
    has_carry = any(f.name == "carried_over" for f in DesaRecord._meta.concrete_fields)
    fields = ["assessment", "desa", *names, *(["carried_over"] if has_carry else []), "updated_at"]
    defaults = {"kelas_bkkbn": "", "note": ""}
    rows = []
    for w in writes:
        values = [
            assessment_ids[(w.region_id, w.edition_id)],
            w.desa_id,
            *(w.values.get(name, defaults.get(name)) for name in names),
        ]
        if has_carry:
            values.append(False)
        values.append(now)
        rows.append(tuple(values))
    updated = [f for f in fields if f not in ("assessment", "desa", "note")]
    return upsert(
        DesaRecord,
        fields,
        rows,
        unique_fields=("assessment", "desa"),
        update_fields=updated,
        compare_fields=[f for f in updated if f != "updated_at"],
        new_flags=[w.record_id is None for w in writes],
        user_id=user_id,
        reason=reason,
        now=now,
    )


def _write_desa(writes: Sequence[DesaWrite], background: bool = True) -> int:
    """Upsert the desa; the Kampung KB assessments of every region that gains or loses one
    (its old and new region) get a new version."""
    fields = ("code", "name", "kecamatan", "region", "jenis")
    moved = [w.desa_id for w in writes if w.desa_id is not None]
    regions = {w.region_id for w in writes}
    for start in range(0, len(moved), CHUNK):
        regions.update(
            Desa.objects.filter(pk__in=moved[start : start + CHUNK])
            .order_by()
            .values_list("region_id", flat=True)
            .distinct()
        )
    desa_regions_changed(regions, background=background)  # readiness refreshed by a job
    return upsert(
        Desa,
        fields,
        [(w.code, w.name, w.kecamatan_id, w.region_id, w.jenis) for w in writes],
        unique_fields=("code",),
        update_fields=("name", "kecamatan", "region", "jenis"),
        compare_fields=("name", "kecamatan", "region", "jenis"),
        new_flags=[w.desa_id is None for w in writes],
        user_id=None,
        reason="",
        now=None,
    )


def _ensure_assessments(
    plan: Plan, user_id: int | None, reason: str, now: dt.datetime, background: bool = True
) -> dict[tuple[int, int], int]:
    """(region_id, edition_id) → assessment id; missing assessments are created in draft."""
    pairs = {(w.region_id, w.edition_id) for w in plan.writes}
    regions = {r for r, _e in pairs}
    editions = {e for _r, e in pairs}
    if plan.create_assessments:
        Assessment.objects.bulk_create(
            [
                Assessment(
                    region_id=region_id,
                    edition_id=edition_id,
                    status=Assessment.Status.DRAFT,
                    updated_by_id=user_id,
                )
                for region_id, edition_id in sorted(plan.create_assessments)
            ]
        )
        created = [
            pk
            for pk, region, edition in Assessment.objects.filter(
                region_id__in=regions, edition_id__in=editions
            ).values_list("pk", "region_id", "edition_id")
            if (region, edition) in plan.create_assessments
        ]
        history_from_table(Assessment, created, "+", user_id, reason, now)
        assessments_changed(created, background=background)  # readiness: after the commit
    return {
        (region, edition): pk
        for pk, region, edition in Assessment.objects.filter(
            region_id__in=regions, edition_id__in=editions
        ).values_list("pk", "region_id", "edition_id")
    }


def _bump_assessments(
    ids: list[int], user_id: int | None, reason: str, now: dt.datetime, background: bool = True
) -> None:
    """Every assessment the import changed gets a new version (a form still holding the old one
    is refused as stale) and a history entry."""
    for start in range(0, len(ids), CHUNK):
        Assessment.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            version=F("version") + 1, updated_at=now, updated_by_id=user_id
        )
    history_from_table(Assessment, ids, "~", user_id, reason, now)
    assessments_changed(ids, background=background)  # readiness: after the commit


# --- the generic upsert ---


def _history_model(model: type[Model]) -> type[Model] | None:
    try:
        return get_history_manager_for_model(model).model
    except Exception:  # the model keeps no history (Desa): the ImportRecord is its trace
        return None


def _converters(fields: Sequence[Field]) -> list[Callable[[Any], Any] | None]:
    """Per column, the backend adaptation the ORM would apply (None: the driver takes it)."""
    ops = connection.ops
    converters: list[Callable[[Any], Any] | None] = []
    for field in fields:
        kind = field.get_internal_type()
        if kind == "DateTimeField":
            converters.append(ops.adapt_datetimefield_value)
        elif kind == "DecimalField" and (
            type(ops).adapt_decimalfield_value
            is not BaseDatabaseOperations.adapt_decimalfield_value
        ):
            converters.append(
                lambda v, f=field: ops.adapt_decimalfield_value(v, f.max_digits, f.decimal_places)
            )
        else:
            converters.append(None)
    return converters


def _adapt(rows: Sequence[tuple], fields: Sequence[Field]) -> list[tuple]:
    converters = _converters(fields)
    if not any(converters):
        return list(rows)
    cache: dict[tuple[int, Any], Any] = {}
    adapted = []
    for row in rows:
        out = list(row)
        for index, convert in enumerate(converters):
            if convert is not None and out[index] is not None:
                key = (index, out[index])
                if key not in cache:
                    cache[key] = convert(out[index])
                out[index] = cache[key]
        adapted.append(tuple(out))
    return adapted


def upsert(
    model: type[Model],
    field_names: Sequence[str],
    rows: Sequence[tuple],
    *,
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    compare_fields: Sequence[str],
    new_flags: Sequence[bool],
    user_id: int | None,
    reason: str,
    now: dt.datetime | None,
) -> int:
    """Insert or update ``rows`` (values for ``field_names``) on ``unique_fields``; history
    rows ('+' for new, '~' for changed) for models that keep history. Rows equal to what is
    stored are left alone. Returns the number of rows written."""
    if not rows:
        return 0
    meta = model._meta
    fields = [meta.get_field(name) for name in field_names]
    if connection.vendor == "postgresql":
        return _pg_upsert(
            model, fields, rows, unique_fields, update_fields, compare_fields, user_id, reason, now
        )
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    unique = [meta.get_field(f).column for f in unique_fields]
    compare = [meta.get_field(f).column for f in compare_fields]
    table = quote(meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(quote(c) for c in columns)}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * len(columns))}) "
        f"ON CONFLICT ({', '.join(quote(c) for c in unique)}) DO UPDATE SET "
        + ", ".join(
            f"{quote(meta.get_field(f).column)} = excluded.{quote(meta.get_field(f).column)}"
            for f in update_fields
        )
        + " WHERE "
        + " OR ".join(f"{table}.{quote(c)} IS NOT excluded.{quote(c)}" for c in compare)
    )
    adapted = _adapt(rows, fields)
    with connection.cursor() as cursor:
        cursor.executemany(sql, adapted)
    history = _history_model(model)
    if history is None:
        return len(rows)
    # Read the ids back by key (a constant number of queries), then write the history rows.
    positions = [columns.index(c) for c in unique]
    first = positions[0]
    ids: dict[tuple, int] = {}
    firsts = sorted({row[first] for row in rows})
    for start in range(0, len(firsts), CHUNK):
        chunk = firsts[start : start + CHUNK]
        for pk, *key in model._default_manager.filter(
            **{f"{unique_fields[0]}__in": chunk}
        ).values_list("pk", *(meta.get_field(f).attname for f in unique_fields)):
            ids[tuple(key)] = pk
    by_name = {f.attname: i for i, f in enumerate(fields)}
    tracked = [
        f
        for f in history._meta.concrete_fields
        if f.attname not in HISTORY_COLUMNS and f.attname != meta.pk.attname
    ]
    pick = _getter([by_name[f.attname] for f in tracked])
    date = connection.ops.adapt_datetimefield_value(now)
    added = (date, reason, "+", user_id)
    changed = (date, reason, "~", user_id)
    key_of = _getter(positions)
    out = [
        (ids[key_of(raw)], *pick(row), *(added if new else changed))
        for row, raw, new in zip(adapted, rows, new_flags, strict=True)
    ]
    columns_sql = ", ".join(
        quote(c)
        for c in [
            meta.pk.column,
            *(f.column for f in tracked),
            "history_date",
            "history_change_reason",
            "history_type",
            "history_user_id",
        ]
    )
    history_sql = (
        f"INSERT INTO {quote(history._meta.db_table)} ({columns_sql}) "  # noqa: S608
        f"VALUES ({', '.join(['%s'] * (len(tracked) + 5))})"
    )
    with connection.cursor() as cursor:
        cursor.executemany(history_sql, out)
    return len(rows)


def _getter(indices: Sequence[int]) -> Callable[[Sequence], tuple]:
    """``row → tuple(row[i] for i in indices)``, at C speed."""
    if len(indices) == 1:
        only = indices[0]
        return lambda row: (row[only],)
    return itemgetter(*indices)


def history_from_table(
    model: type[Model], ids: Sequence[int], kind: str, user_id: int | None, reason: str, now
) -> None:
    """History rows copied from the stored rows ``ids`` by one INSERT … SELECT per chunk."""
    history = _history_model(model)
    if history is None or not ids:
        return
    quote = connection.ops.quote_name
    tracked = [f.column for f in history._meta.concrete_fields if f.attname not in HISTORY_COLUMNS]
    extra = ("history_date", "history_change_reason", "history_type", "history_user_id")
    date = connection.ops.adapt_datetimefield_value(now)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), CHUNK):
            chunk = list(ids[start : start + CHUNK])
            cursor.execute(
                f"INSERT INTO {quote(history._meta.db_table)} "  # noqa: S608
                f"({', '.join(quote(c) for c in (*tracked, *extra))}) "
                f"SELECT {', '.join(quote(c) for c in tracked)}, %s, %s, %s, %s "
                f"FROM {quote(model._meta.db_table)} "
                f"WHERE {quote(model._meta.pk.column)} IN ({', '.join(['%s'] * len(chunk))})",
                [date, reason, kind, user_id, *chunk],
            )


def _csv_value(value: Any) -> str:
    if value is None:
        return ""
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, dt.datetime):
        return value.isoformat()
    return str(value)


def _pg_upsert(
    model: type[Model],
    fields: Sequence[Field],
    rows: Sequence[tuple],
    unique_fields: Sequence[str],
    update_fields: Sequence[str],
    compare_fields: Sequence[str],
    user_id: int | None,
    reason: str,
    now: dt.datetime | None,
) -> int:
    """COPY into a temporary table, then one upsert statement that also writes the history."""
    meta = model._meta
    quote = connection.ops.quote_name
    columns = [f.column for f in fields]
    column_sql = ", ".join(quote(c) for c in columns)
    stage = quote(f"impor_stage_{meta.db_table}")
    table = quote(meta.db_table)
    unique_sql = ", ".join(quote(meta.get_field(f).column) for f in unique_fields)
    update_sql = ", ".join(
        f"{quote(meta.get_field(f).column)} = EXCLUDED.{quote(meta.get_field(f).column)}"
        for f in update_fields
    )
    compare = [quote(meta.get_field(f).column) for f in compare_fields]
    distinct = " OR ".join(f"t.{c} IS DISTINCT FROM EXCLUDED.{c}" for c in compare)
    buffer = io.StringIO()
    buffer.writelines(",".join(_csv_value(v) for v in row) + "\n" for row in _adapt(rows, fields))
    buffer.seek(0)
    upsert_sql = (
        f"INSERT INTO {table} AS t ({column_sql}) SELECT {column_sql} FROM {stage} "  # noqa: S608
        f"ON CONFLICT ({unique_sql}) DO UPDATE SET {update_sql} WHERE {distinct}"
    )
    history = _history_model(model)
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {stage}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {stage} ON COMMIT DROP AS "  # noqa: S608
            f"SELECT {column_sql} FROM {table} WITH NO DATA"
        )
        copy_sql = f"COPY {stage} ({column_sql}) FROM STDIN WITH (FORMAT csv)"
        raw = cursor.cursor
        if hasattr(raw, "copy_expert"):  # psycopg2
            raw.copy_expert(copy_sql, buffer)
        else:  # psycopg 3
            with raw.copy(copy_sql) as copy:
                copy.write(buffer.getvalue())
        if history is None:
            cursor.execute(upsert_sql)
            return cursor.rowcount
        history_columns, history_values, params = [], [], []
        for field in history._meta.concrete_fields:
            name = field.attname
            if name == "history_id":
                continue
            history_columns.append(quote(field.column))
            if name == "history_type":
                history_values.append("CASE WHEN impor_inserted THEN '+' ELSE '~' END")
            elif name in ("history_date", "history_change_reason", "history_user_id"):
                history_values.append("%s")
                params.append(
                    {"history_date": now, "history_change_reason": reason}.get(name, user_id)
                )
            else:
                history_values.append(quote(field.column))
        cursor.execute(
            f"WITH up AS ({upsert_sql} RETURNING t.*, (t.xmax = 0) AS impor_inserted) "  # noqa: S608
            f"INSERT INTO {quote(history._meta.db_table)} ({', '.join(history_columns)}) "
            f"SELECT {', '.join(history_values)} FROM up",
            params,
        )
        return cursor.rowcount
