"""Import and export in the Django admin, through django-import-export's own flow.

Each importable resource has its own admin entry (a proxy model), with the library's
upload → preview → confirm views. Behind them: ``impor.resources`` (our reader, our engine).
Only admins import (``IMPORT_EXPORT_IMPORT_PERMISSION_CODE`` plus an admin scope); exports hold
only what the user's scope allows. The lists are read-only: data changes through the import
and the programme forms.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from impor import engine
from impor.models import DesaProxy, ImportRecord, KampungKbProxy, NilaiProxy
from impor.resources import (
    DesaResource,
    KampungKbResource,
    NilaiResource,
    SafeXlsxFormat,
    SpreadsheetFormat,
)
from regions.scoping import scope_for


class LabelledImportForm(ImportForm):
    """The library's upload form with our own (translated) labels."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = _("File to import")
        self.fields["format"].label = _("File type")
        self.fields["resource"].label = _("Data")


class LabelledExportForm(ExportForm):
    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["format"].label = _("File type")
        self.fields["resource"].label = _("Data")


class EngineImportExportAdmin(ImportExportMixin, admin.ModelAdmin):
    """django-import-export's admin flow wired to ``impor.engine``."""

    import_formats = [SpreadsheetFormat]
    export_formats = [SafeXlsxFormat]
    import_form_class = LabelledImportForm
    confirm_form_class = ConfirmImportForm
    export_form_class = LabelledExportForm
    import_template_name = "impor/admin/import.html"
    export_template_name = "impor/admin/export.html"
    import_export_change_list_template = "impor/admin/change_list.html"
    # Stored in the default storage, shared by every web process (not a local temp dir).
    tmp_storage_class = "import_export.tmp_storages.MediaStorage"
    # Every applied import is an ImportRecord and every changed row has a history entry;
    # one admin LogEntry per imported row would add 50,000 inserts to a large import.
    skip_admin_log = True
    list_per_page = 50
    scope_field = "region"

    def get_resource_kwargs(self, request, *args, **kwargs):
        return {"user": request.user}

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request), self.scope_field)

    def has_import_permission(self, request) -> bool:
        return scope_for(request.user).is_admin and super().has_import_permission(request)

    def has_export_permission(self, request) -> bool:
        return not scope_for(request.user).is_anonymous and super().has_export_permission(request)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def changelist_view(self, request, extra_context=None):
        extra_context = dict(extra_context or {})
        extra_context["impor_template_url"] = reverse(
            "impor:template", args=[self.resource_classes[0].importer_name]
        )
        return super().changelist_view(request, extra_context)

    def import_action(self, request, **kwargs):
        response = super().import_action(request, **kwargs)
        result = (getattr(response, "context_data", None) or {}).get("result")
        outcome = getattr(result, "impor", None)
        if outcome is not None:
            engine.remember_error_file(request, outcome)
        return response

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        form.add_error("import_file", gettext("The file could not be read."))

    def process_result(self, result, request):
        outcome = getattr(result, "impor", None)
        if outcome is not None and outcome.record is not None:
            messages.success(request, engine.summary(outcome))
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")
        else:
            messages.error(request, engine.summary(outcome) if outcome else gettext("Failed."))
            url = reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_import")
        return HttpResponseRedirect(url)


@admin.register(NilaiProxy)
class NilaiAdmin(EngineImportExportAdmin):
    resource_classes = [NilaiResource]
    scope_field = "assessment__region"
    list_display = ["region_code", "year", "indicator_code", "value", "note", "updated_at"]
    list_filter = [
        "assessment__edition__program",
        "assessment__edition__year",
        "assessment__region",
    ]
    search_fields = ["indicator__code", "assessment__region__code"]
    list_select_related = ["assessment__region", "assessment__edition", "indicator"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(assessment__edition__program__in=["ape", "kla"])

    @admin.display(description=_("region"), ordering="assessment__region__code")
    def region_code(self, obj) -> str:
        return obj.assessment.region.code

    @admin.display(description=_("year"), ordering="assessment__edition__year")
    def year(self, obj) -> int:
        return obj.assessment.edition.year

    @admin.display(description=_("indicator"), ordering="indicator__code")
    def indicator_code(self, obj) -> str:
        return obj.indicator.code


@admin.register(KampungKbProxy)
class KampungKbAdmin(EngineImportExportAdmin):
    resource_classes = [KampungKbResource]
    scope_field = "assessment__region"
    list_display = [
        "desa",
        "year",
        "kampung_kb",
        "capaian_kkbpk",
        "kinerja_patbm",
        "industri_rumahan",
        "akta_kelahiran_persen",
        "program_lintas_sektor",
    ]
    list_filter = ["assessment__edition__year", "assessment__region", "kampung_kb"]
    search_fields = ["desa__code", "desa__name"]
    list_select_related = ["desa", "assessment__edition"]

    @admin.display(description=_("year"), ordering="assessment__edition__year")
    def year(self, obj) -> int:
        return obj.assessment.edition.year


@admin.register(DesaProxy)
class DesaAdmin(EngineImportExportAdmin):
    resource_classes = [DesaResource]
    list_display = ["code", "name", "jenis", "kecamatan", "region"]
    list_filter = ["jenis", "region"]
    search_fields = ["code", "name"]
    list_select_related = ["kecamatan", "region"]


@admin.register(ImportRecord)
class ImportRecordAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "user",
        "resource",
        "file_name",
        "region",
        "rows_total",
        "rows_new",
        "rows_changed",
        "rows_unchanged",
        "duration_ms",
    ]
    list_filter = ["resource", "region"]
    search_fields = ["file_name", "sha256", "user__username"]
    list_select_related = ["user", "region"]
    readonly_fields = [f.name for f in ImportRecord._meta.fields]

    def get_queryset(self, request):
        scope = scope_for(request.user)
        queryset = super().get_queryset(request)
        if scope.is_provincial:
            return queryset
        return queryset.filter(region_id=scope.region_id) if scope.region_id else queryset.none()

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
