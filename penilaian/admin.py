from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from penilaian.models import (
    Answer,
    Assessment,
    AwardResult,
    Edition,
    Group,
    Indicator,
    IndicatorOwner,
    Level,
)


class LevelInline(admin.TabularInline):
    model = Level
    extra = 0


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    list_display = ["program", "year", "name", "version", "provisional"]
    list_filter = ["program", "year", "provisional"]
    search_fields = ["name", "version"]
    inlines = [LevelInline]


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
class IndicatorOwnerAdmin(SimpleHistoryAdmin):
    list_display = ["region", "indicator_code", "owner_kind"]
    list_filter = ["region", "owner_kind"]
    search_fields = ["indicator_code"]
    list_select_related = ["region", "owner_kind"]


class AnswerInline(admin.TabularInline):
    model = Answer
    extra = 0
    raw_id_fields = ["indicator"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["edition", "region", "status", "updated_at"]
    list_filter = ["edition__program", "edition__year", "status", "region"]
    search_fields = ["region__name", "region__code"]
    list_select_related = ["edition", "region"]
    inlines = [AnswerInline]


@admin.register(AwardResult)
class AwardResultAdmin(admin.ModelAdmin):
    list_display = ["region", "program", "year", "result", "confidence", "conflicting"]
    list_filter = ["program", "year", "conflicting", "region"]
    search_fields = ["region__name", "result", "note"]
    list_select_related = ["region"]
