from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Document,
    Edition,
    EvidenceLink,
    Group,
    Indicator,
    IndicatorOwner,
    Level,
    Notification,
    ProgramYear,
    ReturnCategory,
    ReturnReason,
    VerifiedSnapshot,
    WorkflowEvent,
)
from regions.scoping import scope_for


class RegionScopedAdmin(admin.ModelAdmin):
    """Limits the admin's rows to the staff user's scope (a regional staff user sees only their
    region; another region's object is "not found")."""

    scope_field = "region"

    def get_queryset(self, request):
        return scope_for(request.user).filter(super().get_queryset(request), self.scope_field)


class ScopedHistoryAdmin(SimpleHistoryAdmin, RegionScopedAdmin):
    """simple_history's admin, whose history pages fall back to deleted records: out of scope
    they are "not found" too."""

    def _check_in_scope(self, request, object_id) -> None:
        if scope_for(request.user).is_provincial:
            return
        if not self.get_queryset(request).filter(pk=unquote(object_id)).exists():
            raise Http404

    def history_view(self, request, object_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_view(request, object_id, extra_context)

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        self._check_in_scope(request, object_id)
        return super().history_form_view(request, object_id, version_id, extra_context)


class ReadOnlyAdmin(RegionScopedAdmin):
    """Records written only by the workflow: viewable, never added or changed by hand."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["program", "year", "name", "version", "provisional"]
    list_filter = ["program", "year", "provisional"]
    search_fields = ["name", "version"]
    inlines = [LevelInline]


@admin.register(ProgramYear)
class ProgramYearAdmin(SimpleHistoryAdmin):
    """The current evaluation year per programme: the pages open on it."""

    list_display = ("program", "year", "updated_at")
    list_editable = ("year",)

    def has_add_permission(self, request) -> bool:
        # One row per programme (a database constraint); the migration made them all.
        from penilaian.models import Program

        return super().has_add_permission(request) and (
            ProgramYear.objects.count() < len(Program.values)
        )

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Group)
class GroupAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "edition", "order", "max_score", "provisional"]
    list_filter = ["edition__program", "edition__year"]
    search_fields = ["code", "name"]
    list_select_related = ["edition"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["code", "short_text", "edition", "group", "kind", "max_score", "owner_kind"]
    list_filter = ["edition__program", "edition__year", "kind", "owner_kind", "provisional"]
    search_fields = ["code", "text"]
    list_select_related = ["edition", "group", "owner_kind"]

    @admin.display(description="indikator")
    def short_text(self, obj):
        return obj.text[:80]


@admin.register(IndicatorOwner)
class IndicatorOwnerAdmin(ScopedHistoryAdmin):
    list_display = ["region", "indicator_code", "owner_kind"]
    list_filter = ["region", "owner_kind"]
    search_fields = ["indicator_code"]
    list_select_related = ["region", "owner_kind"]


class AnswerInline(admin.TabularInline):
    """Values are shown here but changed only through the assessment page, the API or the
    import (``penilaian.services.save_values``: validation, lock, version, history)."""

    model = Answer
    extra = 0
    fields = ["indicator", "value", "note", "carried_over", "updated_at"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("indicator")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Assessment)
class AssessmentAdmin(ScopedHistoryAdmin):
    list_display = ["edition", "region", "status", "updated_at"]
    list_filter = ["edition__program", "edition__year", "status", "region"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["edition", "region"]
    # Status changes go through the workflow (events, notifications, snapshots), never here.
    readonly_fields = ["edition", "region", "status", "version", "updated_by"]
    inlines = [AnswerInline]

    def has_add_permission(self, request, obj=None):
        return False  # an assessment starts when its region opens it (with carry-over)


@admin.register(AwardResult)
class AwardResultAdmin(admin.ModelAdmin):
    list_display = ["region", "program", "year", "result", "confidence", "conflicting"]
    list_filter = ["program", "year", "conflicting", "region"]
    search_fields = ["region__name", "result", "note"]
    list_select_related = ["region"]


class EvidenceLinkInline(admin.TabularInline):
    model = EvidenceLink
    extra = 0
    fields = ["assessment", "indicator", "created_by", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


EDITABLE_DOCUMENT_FIELDS = {"title", "doc_kind", "number", "issued_on", "valid_until", "issuer"}


@admin.register(ReturnCategory)
class ReturnCategoryAdmin(admin.ModelAdmin):
    """The return reason taxonomy; a reason no longer used is made inactive, never deleted."""

    list_display = ["name", "code", "order", "requires_text", "active"]
    list_editable = ["order", "requires_text", "active"]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Document)
class DocumentAdmin(ScopedHistoryAdmin):
    """Uploads go through the assessment page (content checks); here only the title and the
    document's metadata change."""

    list_display = ["title", "region", "original_name", "content_type", "size", "uploaded_at"]
    list_filter = ["region", "content_type"]
    search_fields = ["title", "original_name", "sha256"]
    list_select_related = ["region"]
    fields = [
        "title",
        "doc_kind",
        "number",
        "issued_on",
        "valid_until",
        "issuer",
        "region",
        "download",
        "original_name",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
    ]
    readonly_fields = [f for f in fields if f not in EDITABLE_DOCUMENT_FIELDS]
    inlines = [EvidenceLinkInline]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("file"))
    def download(self, obj):
        url = reverse("penilaian:document_download", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(ScopedHistoryAdmin, ReadOnlyAdmin):
    scope_field = "assessment__region"
    list_display = ["document", "indicator", "assessment", "created_by", "created_at"]
    list_filter = ["assessment__edition__program", "assessment__edition__year"]
    search_fields = ["document__title", "indicator__code"]
    list_select_related = [
        "document",
        "indicator",
        "assessment__edition",
        "assessment__region",
        "created_by",
    ]


@admin.register(ReturnReason)
class ReturnReasonAdmin(ReadOnlyAdmin):
    scope_field = "assessment__region"
    list_display = [
        "assessment",
        "indicator",
        "desa_code",
        "round",
        "resolved",
        "changed_at",
        "created_by",
    ]
    list_filter = ["resolved", "assessment__edition__program", "assessment__edition__year"]
    search_fields = ["reason", "indicator__code", "desa_code"]
    list_select_related = ["assessment__edition", "assessment__region", "indicator", "created_by"]


@admin.register(WorkflowEvent)
class WorkflowEventAdmin(ReadOnlyAdmin):
    scope_field = "assessment__region"
    list_display = ["assessment", "action", "from_status", "to_status", "user", "created_at"]
    list_filter = ["action", "assessment__edition__program", "assessment__edition__year"]
    search_fields = ["reason", "assessment__region__code", "assessment__region__name"]
    list_select_related = ["assessment__edition", "assessment__region", "user"]


@admin.register(VerifiedSnapshot)
class VerifiedSnapshotAdmin(ReadOnlyAdmin):
    scope_field = "assessment__region"
    list_display = ["assessment", "score", "level_name", "verified_by", "verified_at"]
    list_filter = ["assessment__edition__program", "assessment__edition__year"]
    list_select_related = ["assessment__edition", "assessment__region", "verified_by"]

    def has_delete_permission(self, request, obj=None):
        return False  # "as verified" is never changed or removed


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Superusers see every notification; other staff only their own."""

    list_display = ["user", "message", "created_at", "read_at"]
    list_filter = ["read_at"]
    search_fields = ["message", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user", "assessment"]

    def get_queryset(self, request):
        qs = super().get_queryset(request)
        return qs if request.user.is_superuser else qs.filter(user_id=request.user.pk)

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False
