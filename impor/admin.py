"""Import and export in the Django admin, through django-import-export's own flow.

Each importable resource has its own admin entry (a proxy model), with the library's
upload → preview → confirm views. Behind them: ``impor.resources`` (our reader, our engine).
Only admins import (``IMPORT_EXPORT_IMPORT_PERMISSION_CODE`` plus an admin scope); exports hold
only what the user's scope allows. The lists are read-only: data changes through the import
and the programme forms.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from import_export.admin import ImportExportMixin
from import_export.forms import ConfirmImportForm, ExportForm, ImportForm

from impor import engine
from impor.models import DesaProxy, ImportRecord, KampungKbProxy, NilaiProxy
from impor.readers import MAX_UPLOAD_BYTES
from impor.resources import (
    DesaResource,
    KampungKbResource,
    NilaiResource,
    SafeXlsxFormat,
    SpreadsheetFormat,
    Upload,
)
from regions.scoping import scope_for


class LabelledImportForm(ImportForm):
    """The library's upload form with our own (translated) labels."""

    def __init__(self, formats, resources, **kwargs):
        super().__init__(formats, resources, **kwargs)
        self.fields["import_file"].label = _("File to import")
        self.fields["format"].label = _("File type")
        self.fields["resource"].label = _("Data")

    def clean_import_file(self):
        """Too large is refused from the upload's size, before its bytes are read."""
        upload = self.cleaned_data["import_file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                gettext("The file is too large (maximum %(mb)s MB).")
                % {"mb": MAX_UPLOAD_BYTES // 2**20}
            )
        return upload


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

    # --- the upload → preview → confirm steps, on /impor/'s footing ---
    #
    # The library's views write every upload to MEDIA_ROOT/django-import-export/ before any
    # check, keep it for a day, read it back twice, and answer a second confirm of the same
    # preview with a 500. Ours check the upload's size first, run the engine's dry run on the
    # bytes, store only a file whose preview may be applied (``engine.hold``, this session
    # only), and hand it over exactly once on confirm (``engine.take``), deleting it.

    def import_action(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        context = self.get_import_context_data()
        import_form = self.create_import_form(request)
        resource_kwargs = self.get_import_resource_kwargs(request, form=import_form, **kwargs)
        resources = [cls(**resource_kwargs) for cls in self.get_import_resource_classes(request)]
        if request.POST and import_form.is_valid():
            upload = import_form.cleaned_data["import_file"]
            data = b"".join(upload.chunks())
            resource = self.choose_import_resource_class(import_form, request)(**resource_kwargs)
            result = resource.import_data(
                Upload(data, upload.name), dry_run=True, file_name=upload.name, user=request.user
            )
            outcome = result.impor
            engine.remember_error_file(request, outcome)
            context["result"] = result
            if outcome.can_apply:
                token = engine.hold(request, outcome, data)
                context["confirm_form"] = self.confirm_form_class(
                    initial={
                        "import_file_name": token,
                        "original_file_name": upload.name,
                        "format": import_form.cleaned_data["format"],
                        "resource": import_form.cleaned_data.get("resource", ""),
                    }
                )
        context.update(self.admin_site.each_context(request))
        context["title"] = gettext("Import")
        context["form"] = import_form
        context["opts"] = self.model._meta
        context["media"] = self.media + import_form.media
        context["fields_list"] = [
            (r.get_display_name(), [f.column_name for f in r.get_user_visible_fields()])
            for r in resources
        ]
        context["import_error_display"] = self.import_error_display
        request.current_app = self.admin_site.name
        return TemplateResponse(request, [self.import_template_name], context)

    @method_decorator(require_POST)
    def process_import(self, request, **kwargs):
        if not self.has_import_permission(request):
            raise PermissionDenied
        form = self.create_confirm_form(request)
        resource_class = self.resource_classes[0]
        token = form.data.get("import_file_name", "") if form.is_valid() else ""
        held = engine.take(request, resource_class.importer_name, token)
        if held is None:  # expired, another session's, or already confirmed (a double click)
            messages.error(request, engine.expired_message())
            return HttpResponseRedirect(self._url("import"))
        data, entry = held
        resource = resource_class(**self.get_import_resource_kwargs(request, form=form, **kwargs))
        result = resource.import_data(
            Upload(data, entry["file_name"]),
            dry_run=False,
            file_name=entry["file_name"],
            user=request.user,
        )
        return self.process_result(result, request)

    def _url(self, name: str) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}",
            current_app=self.admin_site.name,
        )

    def add_data_read_fail_error_to_form(self, form, e) -> None:
        form.add_error("import_file", gettext("The file could not be read."))

    def process_result(self, result, request):
        outcome = getattr(result, "impor", None)
        if outcome is not None and outcome.record is not None:
            messages.success(request, engine.summary(outcome))
            return HttpResponseRedirect(self._url("changelist"))
        if outcome is not None and outcome.no_changes:  # the data changed since the preview
            messages.info(request, engine.summary(outcome))
            return HttpResponseRedirect(self._url("changelist"))
        if outcome is not None:
            engine.remember_error_file(request, outcome)
        messages.error(request, engine.summary(outcome) if outcome else gettext("Failed."))
        return HttpResponseRedirect(self._url("import"))


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
