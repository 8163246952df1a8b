from django.apps import AppConfig


class AuditConfig(AppConfig):
    """Append-only, hash-chained audit trail."""

    name = "kcb06.audit"
    label = "audit"
    verbose_name = "Nhật ký truy cập"

    def ready(self):
        from kcb06.audit import signals  # noqa: F401
