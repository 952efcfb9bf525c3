"""django-import-export resources for the ``nilai``, ``kampung_kb`` and ``desa`` sheets.

The library provides the admin flow (upload → dry-run preview → confirm) and the export action;
the slow and unsafe parts are replaced:

* reading: :class:`SpreadsheetFormat` hands the uploaded bytes to ``impor.readers`` (hostile
  file checks, python-calamine, explicit coercion) instead of tablib/openpyxl;
* importing: :meth:`EngineResource.import_data` runs ``impor.engine`` (whole-file validation,
  all or nothing, bulk upsert with history, an :class:`~impor.models.ImportRecord`) and
  reports in the library's :class:`~import_export.results.Result`, so its admin views work;
* matching: :class:`NaturalKeyInstanceLoader` looks records up on the WHOLE natural key
  (``CachedInstanceLoader`` keys on the first id field only and matches wrong rows);
* exporting: the resource's rows come from ``impor.exports`` (one query, limited to the
  user's scope) and :class:`SafeXlsxFormat` writes them with the formula guard.
"""

from __future__ import annotations

from typing import Any

import tablib
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.formats.base_formats import Format
from import_export.instance_loaders import BaseInstanceLoader
from import_export.results import Error, Result, RowResult

from impor import coerce, engine
from impor.exports import XLSX_CONTENT_TYPE, export_rows, write_xlsx
from impor.models import DesaProxy, KampungKbProxy, NilaiProxy
from impor.validation import DESA_RECORD_FIELDS, IMPORTERS
from kampung_kb.models import DesaRecord
from penilaian.models import Answer
from regions.models import Desa
from regions.scoping import ANONYMOUS, scope_for

MAX_RESULT_ROWS = 1_000  # rows listed in the admin preview; the error file has them all


class Upload:
    """The raw bytes of an upload, passed from the format to the resource unparsed."""

    def __init__(self, data: bytes, file_name: str = "") -> None:
        self.data = data
        self.file_name = file_name

    def __len__(self) -> int:
        return len(self.data)

    def __bool__(self) -> bool:  # an empty file is refused with its own message, later
        return True


class SpreadsheetFormat(Format):
    """Import format: xlsx (python-calamine) or UTF-8 csv, recognised from the bytes."""

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding  # the bytes are decoded by impor.readers, never here

    def get_title(self) -> str:
        return str(_("Excel workbook (.xlsx) or CSV (UTF-8)"))

    def create_dataset(self, in_stream: Any, **kwargs: Any) -> Upload:
        data = in_stream if isinstance(in_stream, bytes) else bytes(in_stream or b"")
        return Upload(data)

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "xlsx"

    def get_content_type(self) -> str:
        return XLSX_CONTENT_TYPE

    def can_import(self) -> bool:
        return True

    def can_export(self) -> bool:
        return False


class SafeXlsxFormat(Format):
    """Export format: xlsx in the import's columns, text guarded against formula injection."""

    def __init__(self, encoding: str | None = None) -> None:
        self.encoding = encoding

    def get_title(self) -> str:
        return "xlsx"

    def export_data(self, dataset: tablib.Dataset, **kwargs: Any) -> bytes:
        return write_xlsx(dataset.title or "data", dataset.headers or [], dataset)

    def is_binary(self) -> bool:
        return True

    def get_read_mode(self) -> str:
        return "rb"

    def get_extension(self) -> str:
        return "xlsx"

    def get_content_type(self) -> str:
        return XLSX_CONTENT_TYPE

    def can_import(self) -> bool:
        return False

    def can_export(self) -> bool:
        return True


class NaturalKeyInstanceLoader(BaseInstanceLoader):
    """Every instance the dataset's keys name, loaded with one query and matched on the whole
    natural key (``resource.natural_key(row)``)."""

    def __init__(self, resource: EngineResource, dataset: tablib.Dataset | None = None) -> None:
        super().__init__(resource, dataset)
        rows = [] if dataset is None else list(dataset.dict)
        self.instances = resource.load_instances([resource.natural_key(row) for row in rows])

    def get_instance(self, row: dict[str, Any]) -> Any:
        return self.instances.get(self.resource.natural_key(row))


class EngineResource(resources.ModelResource):
    """A resource whose import runs ``impor.engine`` and whose export is scoped."""

    importer_name = ""

    def __init__(self, user=None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.user = user

    @classmethod
    def get_display_name(cls) -> str:
        return str(IMPORTERS[cls.importer_name].label)

    @property
    def scope(self):
        return scope_for(self.user) if self.user is not None else ANONYMOUS

    # --- natural keys ---------------------------------------------------------------------------

    def natural_key(self, row: dict[str, Any]) -> tuple:
        raise NotImplementedError  # defined by each resource below

    def load_instances(self, keys: list[tuple]) -> dict[tuple, Any]:
        raise NotImplementedError  # defined by each resource below

    def get_queryset(self) -> QuerySet:
        """Scoped: the library's default (``Model.objects.all()``) would ignore the user."""
        raise NotImplementedError  # defined by each resource below

    # --- import -------------------------------------------------------------------------------

    def import_data(
        self,
        dataset: Any,
        dry_run: bool = False,
        raise_errors: bool = False,
        use_transactions: bool | None = None,
        collect_failed_rows: bool = False,
        rollback_on_validation_errors: bool = False,
        **kwargs: Any,
    ) -> Result:
        user = kwargs.get("user") or self.user
        file_name = kwargs.get("file_name") or getattr(dataset, "file_name", "") or "upload.xlsx"
        if isinstance(dataset, Upload):
            data = dataset.data
        else:  # a tablib Dataset handed over in code: checked like a csv upload
            data = dataset.export("csv").encode("utf-8")
            file_name = file_name.rsplit(".", 1)[0] + ".csv"
        run = engine.preview if dry_run else engine.apply
        outcome = run(self.importer_name, data, file_name, user)
        return to_result(outcome, self)

    # --- export -------------------------------------------------------------------------------

    def export(self, queryset: QuerySet | None = None, **kwargs: Any) -> tablib.Dataset:
        columns, rows = export_rows(self.importer_name, self.scope, queryset)
        return tablib.Dataset(*rows, headers=list(columns), title=self.importer_name)


def to_result(outcome: engine.Preview, resource: EngineResource) -> Result:
    """The engine's outcome in the library's terms (its admin templates and messages)."""
    result = Result()
    result.impor = outcome
    importer = outcome.importer
    result.diff_headers = list(importer.columns)
    if outcome.refused:
        result.append_base_error(Error(outcome.refused))
        return result
    plan = outcome.plan
    result.total_rows = plan.total
    result.totals[RowResult.IMPORT_TYPE_NEW] = plan.new
    result.totals[RowResult.IMPORT_TYPE_UPDATE] = plan.changed
    result.totals[RowResult.IMPORT_TYPE_SKIP] = plan.unchanged
    result.totals[RowResult.IMPORT_TYPE_INVALID] = plan.invalid
    if plan.errors:
        by_row: dict[int, dict[str, list[str]]] = {}
        for error in plan.errors:
            by_row.setdefault(error.row, {}).setdefault(error.column or NON_FIELD_ERRORS, [])
            by_row[error.row][error.column or NON_FIELD_ERRORS].append(error.message)
        cells = dict(plan.table.rows)
        names = [importer.canonical(h) if h else None for h in plan.table.headers]
        for number in sorted(by_row)[:MAX_RESULT_ROWS]:
            values = {
                name: coerce.as_text(value)
                for name, value in zip(names, cells.get(number, []), strict=False)
                if name in importer.columns
            }
            row = {column: values.get(column, "") for column in importer.columns}
            result.append_invalid_row(number, row, ValidationError(by_row[number]))
        return result
    for change in plan.preview:
        row_result = RowResult()
        row_result.import_type = (
            RowResult.IMPORT_TYPE_NEW if change.kind == "new" else RowResult.IMPORT_TYPE_UPDATE
        )
        row_result.number = change.row
        row_result.diff = [change.key, change.before, change.after]
        result.rows.append(row_result)
    return result


# --- the three resources ---


class NilaiResource(EngineResource):
    """Indicator values (APE, KLA): ``kode_wilayah``, ``tahun``, ``kode_indikator``, ``nilai``,
    ``catatan``."""

    importer_name = "nilai"
    kode_wilayah = fields.Field(attribute="assessment__region__code", column_name="kode_wilayah")
    tahun = fields.Field(
        attribute="assessment__edition__year", column_name="tahun", widget=widgets.IntegerWidget()
    )
    kode_indikator = fields.Field(attribute="indicator__code", column_name="kode_indikator")
    nilai = fields.Field(attribute="value", column_name="nilai", widget=widgets.DecimalWidget())
    catatan = fields.Field(attribute="note", column_name="catatan")

    class Meta:
        model = NilaiProxy
        fields = ("kode_wilayah", "tahun", "kode_indikator", "nilai", "catatan")
        export_order = fields
        import_id_fields = ("kode_wilayah", "tahun", "kode_indikator")
        instance_loader_class = NaturalKeyInstanceLoader

    def natural_key(self, row: dict[str, Any]) -> tuple:
        year, _error = coerce.as_year(row.get("tahun"))
        return (
            coerce.as_region_code(row.get("kode_wilayah")),
            year,
            coerce.as_code(row.get("kode_indikator")),
        )

    def get_queryset(self) -> QuerySet:
        return self.scope.filter(Answer.objects.all(), "assessment__region")

    def load_instances(self, keys: list[tuple]) -> dict[tuple, Any]:
        queryset = self.get_queryset().filter(
            assessment__region__code__in={k[0] for k in keys},
            assessment__edition__year__in={k[1] for k in keys},
            indicator__code__in={k[2] for k in keys},
        )
        wanted = set(keys)
        found = {}
        for answer in queryset.select_related(
            "assessment__region", "assessment__edition", "indicator"
        ):
            key = (
                answer.assessment.region.code,
                answer.assessment.edition.year,
                answer.indicator.code,
            )
            if key in wanted:
                found[key] = answer
        return found


class KampungKbResource(EngineResource):
    """Kampung KB data per desa and year (contract §6 columns)."""

    importer_name = "kampung_kb"
    kode_desa = fields.Field(attribute="desa__code", column_name="kode_desa")
    tahun = fields.Field(
        attribute="assessment__edition__year", column_name="tahun", widget=widgets.IntegerWidget()
    )

    class Meta:
        model = KampungKbProxy
        fields = ("kode_desa", "tahun", *DESA_RECORD_FIELDS)
        export_order = fields
        import_id_fields = ("kode_desa", "tahun")
        instance_loader_class = NaturalKeyInstanceLoader

    def natural_key(self, row: dict[str, Any]) -> tuple:
        year, _error = coerce.as_year(row.get("tahun"))
        return (coerce.as_desa_code(row.get("kode_desa")), year)

    def get_queryset(self) -> QuerySet:
        return self.scope.filter(DesaRecord.objects.all(), "assessment__region")

    def load_instances(self, keys: list[tuple]) -> dict[tuple, Any]:
        queryset = self.get_queryset().filter(
            desa__code__in={k[0] for k in keys},
            assessment__edition__year__in={k[1] for k in keys},
        )
        wanted = set(keys)
        found = {}
        for record in queryset.select_related("desa", "assessment__edition"):
            key = (record.desa.code, record.assessment.edition.year)
            if key in wanted:
                found[key] = record
        return found


class DesaResource(EngineResource):
    """Desa and kelurahan: ``kode_desa``, ``nama``, ``kode_kecamatan``, ``jenis``."""

    importer_name = "desa"
    kode_desa = fields.Field(attribute="code", column_name="kode_desa")
    nama = fields.Field(attribute="name", column_name="nama")
    kode_kecamatan = fields.Field(attribute="kecamatan__code", column_name="kode_kecamatan")
    jenis = fields.Field(attribute="jenis", column_name="jenis")

    class Meta:
        model = DesaProxy
        fields = ("kode_desa", "nama", "kode_kecamatan", "jenis")
        export_order = fields
        import_id_fields = ("kode_desa",)
        instance_loader_class = NaturalKeyInstanceLoader

    def natural_key(self, row: dict[str, Any]) -> tuple:
        return (coerce.as_desa_code(row.get("kode_desa")),)

    def get_queryset(self) -> QuerySet:
        return self.scope.filter(Desa.objects.all(), "region")

    def load_instances(self, keys: list[tuple]) -> dict[tuple, Any]:
        return {(d.code,): d for d in self.get_queryset().filter(code__in={k[0] for k in keys})}


RESOURCES: dict[str, type[EngineResource]] = {
    "nilai": NilaiResource,
    "kampung_kb": KampungKbResource,
    "desa": DesaResource,
}
