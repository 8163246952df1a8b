from django.contrib import admin

from kcb06.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """Read-only view for superusers; auditors use the audit page of the web UI."""

    list_display = ["at", "username", "role", "action", "object_type", "patient_id", "purpose"]
    list_filter = ["action", "role"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_module_permission(self, request):
        return request.user.is_superuser
