from django.apps import AppConfig


class EidConfig(AppConfig):
    """Simulator of an e-ID authentication provider (VNeID app QR). The real protocol of a
    licensed provider is unknown to us; this speaks kcb06's adapter interface (docs/portalsim.md)."""

    name = "portalsim.eid"
    label = "portalsim_eid"
