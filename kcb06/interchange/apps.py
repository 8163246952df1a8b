from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    """XML 4750 tables, signatures and the delivery outbox."""

    name = "kcb06.interchange"
    label = "interchange"
    verbose_name = "Liên thông dữ liệu"

    def ready(self) -> None:
        from kcb06.interchange import certificates, receivers
        from kcb06.interchange.core import signing

        receivers.connect()
        signing.set_registry_lookup(certificates.registered_p12)
