from django.apps import AppConfig


class CatalogueConfig(AppConfig):
    """The facility's approved catalogues (drugs, services, supplies, staff, departments, beds)."""

    name = "kcb06.catalogue"
    label = "catalogue"
    verbose_name = "Danh mục dùng chung của cơ sở"
