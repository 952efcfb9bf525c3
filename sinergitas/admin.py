"""Admin pages for meetings, their reference lists, participants, documents and follow-ups.

Querysets go through the scoping helper, so a staff user tied to one region sees only the
meetings covering it.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from regions.scoping import scope_for
from sinergitas.models import (
    FollowUp,
    IssueTopic,
    Meeting,
    MeetingDocument,
    ParticipantKind,
    Participation,
)
from sinergitas.queries import visible_meetings


def _visible_meeting_ids(request):
    return visible_meetings(scope_for(request.user)).values("pk")


@admin.register(ParticipantKind)
class ParticipantKindAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


@admin.register(IssueTopic)
class IssueTopicAdmin(admin.ModelAdmin):
    list_display = ["name", "code", "order", "active"]
    list_editable = ["order", "active"]
    list_filter = ["active"]
    search_fields = ["code", "name"]


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0


class MeetingDocumentInline(admin.TabularInline):
    model = MeetingDocument
    extra = 0
    raw_id_fields = ["document"]
    readonly_fields = ["created_by", "created_at"]


class FollowUpInline(admin.TabularInline):
    model = FollowUp
    extra = 0
    fields = ["what", "region", "owner_kind", "owner_opd", "due_date", "status"]
    raw_id_fields = ["owner_opd"]


@admin.register(Meeting)
class MeetingAdmin(SimpleHistoryAdmin):
    list_display = ["date", "title", "venue", "organiser", "serves_ape", "serves_kla"]
    list_filter = ["regions", "serves_ape", "serves_kla", "serves_kampung_kb", "issues"]
    search_fields = ["title", "venue", "organiser", "purpose", "issues_other", "notes"]
    date_hierarchy = "date"
    filter_horizontal = ["regions", "issues"]
    readonly_fields = ["created_by", "created_at", "updated_at"]
    inlines = [ParticipationInline, MeetingDocumentInline, FollowUpInline]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk__in=_visible_meeting_ids(request))

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(FollowUp)
class FollowUpAdmin(SimpleHistoryAdmin):
    list_display = ["what_short", "meeting", "region", "owner", "due_date", "status"]
    list_filter = ["status", "region", "owner_kind"]
    search_fields = ["what", "note", "meeting__title"]
    date_hierarchy = "due_date"
    list_select_related = ["meeting", "region", "owner_kind", "owner_opd"]
    raw_id_fields = ["meeting", "owner_opd"]

    @admin.display(description=_("follow-up"))
    def what_short(self, obj):
        return obj.what[:80]

    @admin.display(description=_("owner"))
    def owner(self, obj):
        return obj.owner_label

    def get_queryset(self, request):
        return super().get_queryset(request).filter(meeting_id__in=_visible_meeting_ids(request))


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["meeting", "kind", "count"]
    list_filter = ["kind"]
    list_select_related = ["meeting", "kind"]
    raw_id_fields = ["meeting"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(meeting_id__in=_visible_meeting_ids(request))


@admin.register(MeetingDocument)
class MeetingDocumentAdmin(admin.ModelAdmin):
    list_display = ["meeting", "document", "role", "created_at"]
    list_filter = ["role"]
    list_select_related = ["meeting", "document"]
    raw_id_fields = ["meeting", "document"]
    readonly_fields = ["created_by", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(meeting_id__in=_visible_meeting_ids(request))
