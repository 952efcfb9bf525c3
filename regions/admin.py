from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from regions.models import Assignment, Desa, Kecamatan, Opd, OpdKind, Preference, Region


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent"]
    list_filter = ["kind"]
    search_fields = ["code", "name"]
    list_select_related = ["parent"]


@admin.register(Kecamatan)
class KecamatanAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name"]
    list_select_related = ["region"]


@admin.register(Desa)
class DesaAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "jenis", "kecamatan", "region"]
    list_filter = ["jenis", "region"]
    search_fields = ["code", "name", "kecamatan__name"]
    list_select_related = ["kecamatan", "region"]
    readonly_fields = ["region"]


@admin.register(OpdKind)
class OpdKindAdmin(admin.ModelAdmin):
    list_display = ["code", "short", "name"]
    search_fields = ["code", "short", "name"]


@admin.register(Opd)
class OpdAdmin(admin.ModelAdmin):
    list_display = ["name", "region", "kind"]
    list_filter = ["region", "kind"]
    search_fields = ["name"]
    list_select_related = ["region", "kind"]


@admin.register(Assignment)
class AssignmentAdmin(SimpleHistoryAdmin):
    list_display = ["user", "role", "region", "opd"]
    list_filter = ["role", "region"]
    search_fields = ["user__username", "user__first_name", "user__last_name"]
    list_select_related = ["user", "region", "opd"]
    autocomplete_fields = ["user"]


@admin.register(Preference)
class PreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email_notifications"]
    list_filter = ["email_notifications"]
    search_fields = ["user__username", "user__email"]
    list_select_related = ["user"]
    autocomplete_fields = ["user"]
