from django.contrib import admin

from akuntabilitas.models import Handover, ReminderThreshold, RiskRule, SentReminder, Stage


@admin.register(Stage)
class StageAdmin(admin.ModelAdmin):
    """The evaluation calendar: stages, national windows and the province's own deadlines."""

    list_display = [
        "year",
        "program",
        "name",
        "starts_on",
        "ends_on",
        "internal_deadline",
        "example",
    ]
    list_filter = ["year", "program", "example"]
    list_editable = ["starts_on", "ends_on", "internal_deadline", "example"]
    ordering = ["-year", "program", "order"]


@admin.register(RiskRule)
class RiskRuleAdmin(admin.ModelAdmin):
    list_display = ["program", "min_completeness", "days_left"]


@admin.register(ReminderThreshold)
class ReminderThresholdAdmin(admin.ModelAdmin):
    list_display = ["days_before", "active"]
    list_editable = ["active"]


@admin.register(Handover)
class HandoverAdmin(admin.ModelAdmin):
    """Handovers are made on the region's OPD page; here they are only read."""

    list_display = ["created_at", "region", "from_user", "to_user", "role", "reason", "done_by"]
    list_filter = ["region"]
    list_select_related = ["region", "from_user", "to_user", "done_by"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SentReminder)
class SentReminderAdmin(HandoverAdmin):
    list_display = ["sent_on", "user", "region", "stage", "days_before", "item", "emailed"]
    list_filter = ["sent_on", "days_before"]
    list_select_related = ["user", "region", "stage"]
