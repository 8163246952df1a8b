"""The facility's approved catalogues, each row with its validity dates.

One item (a drug product from one tender, a service, a supply, a staff member, a department, a
bed) may have several rows, one per validity period (a price change mid-year closes one row and
opens the next). A line of a visit takes the row valid on the visit's date
(kcb06.catalogue.services.valid_on). Columns follow the XML 4750 field names they feed.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueRow(models.Model):
    facility = models.ForeignKey("facilities.Facility", on_delete=models.CASCADE, related_name="+")
    code = models.CharField(_("mã"), max_length=255)
    name = models.CharField(_("tên"), max_length=1024)
    valid_from = models.DateField(_("hiệu lực từ (TU_NGAY)"))
    valid_to = models.DateField(_("hiệu lực đến (DEN_NGAY)"), null=True, blank=True)
    # Item identity across periods (kcb06.catalogue.parsing.item_key) and folded search text.
    key = models.CharField(max_length=600, editable=False)
    folded = models.CharField(max_length=2048, editable=False)
    batch = models.ForeignKey(
        "catalogue.ImportBatch", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        abstract = True
        ordering = ["code", "valid_from"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


def _catalogue_meta(name: str, plural: str, prefix: str):
    return type(
        "Meta",
        (),
        {
            "verbose_name": name,
            "verbose_name_plural": plural,
            "ordering": ["code", "valid_from"],
            "indexes": [
                models.Index(fields=["facility", "code", "valid_from"], name=f"{prefix}_code"),
                models.Index(fields=["facility", "key", "valid_from"], name=f"{prefix}_key"),
            ],
            "constraints": [
                models.UniqueConstraint(
                    fields=["facility", "key", "valid_from"], name=f"{prefix}_period_once"
                )
            ],
        },
    )


class Drug(CatalogueRow):
    """Danh mục thuốc (XML2): MA_THUOC, TEN_THUOC, HAM_LUONG, DUONG_DUNG, SO_DANG_KY, TT_THAU,
    DON_GIA, PHAM_VI, MA_NHOM."""

    strength = models.CharField(_("hàm lượng (HAM_LUONG)"), max_length=1024, blank=True)
    route = models.CharField(_("đường dùng (DUONG_DUNG)"), max_length=4, blank=True)
    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    registration = models.CharField(_("số đăng ký (SO_DANG_KY)"), max_length=255)
    tender = models.CharField(_("thông tin thầu (TT_THAU)"), max_length=50, blank=True)
    price = models.DecimalField(_("đơn giá (DON_GIA)"), max_digits=15, decimal_places=3)
    scope = models.PositiveSmallIntegerField(_("phạm vi (PHAM_VI)"), default=1)
    group = models.PositiveSmallIntegerField(_("mã nhóm (MA_NHOM)"), default=4)

    Meta = _catalogue_meta(_("thuốc trong danh mục"), _("danh mục thuốc"), "cat_drug")


class Service(CatalogueRow):
    """Danh mục dịch vụ kỹ thuật (XML3): MA_DICH_VU per the national code list."""

    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    price = models.DecimalField(_("đơn giá (DON_GIA)"), max_digits=15, decimal_places=3)
    group = models.PositiveSmallIntegerField(_("mã nhóm (MA_NHOM)"))

    Meta = _catalogue_meta(
        _("dịch vụ trong danh mục"), _("danh mục dịch vụ kỹ thuật"), "cat_service"
    )


class Supply(CatalogueRow):
    """Danh mục vật tư y tế (XML3, MA_VAT_TU)."""

    unit = models.CharField(_("đơn vị tính"), max_length=50, blank=True)
    tender = models.CharField(_("thông tin thầu (TT_THAU)"), max_length=50)
    price = models.DecimalField(_("đơn giá (DON_GIA)"), max_digits=15, decimal_places=3)
    group = models.PositiveSmallIntegerField(_("mã nhóm (MA_NHOM)"), default=10)

    Meta = _catalogue_meta(_("vật tư trong danh mục"), _("danh mục vật tư y tế"), "cat_supply")


class Staff(CatalogueRow):
    """Danh mục nhân viên y tế: MA_BAC_SI (mã định danh y tế / chứng chỉ hành nghề)."""

    certificate = models.CharField(_("số chứng chỉ hành nghề"), max_length=64, blank=True)
    practice_scope = models.CharField(_("phạm vi chuyên môn"), max_length=1024, blank=True)
    department = models.CharField(_("mã khoa"), max_length=20, blank=True)

    Meta = _catalogue_meta(_("nhân viên trong danh mục"), _("danh mục nhân viên y tế"), "cat_staff")


class DepartmentEntry(CatalogueRow):
    """Danh mục khoa (MA_KHOA)."""

    Meta = _catalogue_meta(_("khoa trong danh mục"), _("danh mục khoa"), "cat_dept")


class Bed(CatalogueRow):
    """Danh mục giường (MA_GIUONG: H/T/C/K + 3 digits) by department."""

    department = models.CharField(_("mã khoa"), max_length=20)

    Meta = _catalogue_meta(_("giường trong danh mục"), _("danh mục giường bệnh"), "cat_bed")


class ImportBatch(models.Model):
    """One uploaded file: its parsed rows wait here until the admin confirms the preview."""

    PENDING, APPLIED, DISCARDED = "pending", "applied", "discarded"
    STATES = [(PENDING, _("Chờ xác nhận")), (APPLIED, _("Đã áp dụng")), (DISCARDED, _("Đã hủy"))]

    facility = models.ForeignKey("facilities.Facility", on_delete=models.CASCADE, related_name="+")
    catalogue = models.CharField(_("danh mục"), max_length=16)
    filename = models.CharField(_("tệp"), max_length=255)
    state = models.CharField(max_length=10, choices=STATES, default=PENDING)
    rows = models.JSONField(default=list)
    diff = models.JSONField(default=dict)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    applied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    applied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at"]
        verbose_name = _("lần nhập danh mục")
        verbose_name_plural = _("các lần nhập danh mục")
