"""Facilities (cơ sở KCB and health departments), departments, devices, staff and API keys."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from kcb06.facilities.adminunits import PROVINCES_2025, province_name


def validate_facility_code(value: str) -> None:
    """MA_CSKCB: 5 characters, the first two the province code of the facility."""
    if not re.fullmatch(r"\d{2}[0-9A-Z]{3}", value or ""):
        raise ValidationError(
            _("Mã cơ sở KCB phải có đúng 5 ký tự: 2 số mã tỉnh và 3 ký tự (ví dụ 01013)."),
            code="facility_code",
        )


class Role(models.TextChoices):
    RECEPTION = "reception", _("Tiếp đón")
    CLINICIAN = "clinician", _("Bác sĩ")
    CASHIER = "cashier", _("Thu ngân")
    FACILITY_ADMIN = "facility_admin", _("Quản trị cơ sở")
    HEALTH_DEPT = "health_dept", _("Sở Y tế / TTYT (xem tổng hợp)")
    AUDITOR = "auditor", _("Kiểm tra, giám sát")
    # A self-service kiosk's login: kiosk pages only; card checks run under the facility's
    # lookup officer (Facility.lookup_officer), since a device has no CCCD of its own.
    KIOSK = "kiosk", _("Ki-ốt tự phục vụ")


class FacilityKind(models.TextChoices):
    HEALTH_DEPT = "so_yte", _("Sở Y tế")
    DISTRICT_CENTRE = "ttyt", _("Trung tâm Y tế khu vực")
    HOSPITAL = "benh_vien", _("Bệnh viện")
    POLYCLINIC = "pkdk", _("Phòng khám đa khoa")
    COMMUNE_STATION = "tram_y_te", _("Trạm y tế xã/phường")

    @classmethod
    def treating(cls) -> set[str]:
        return {cls.DISTRICT_CENTRE, cls.HOSPITAL, cls.POLYCLINIC, cls.COMMUNE_STATION}


class FormerRouteLevel(models.TextChoices):
    """The facility's route level before 01/01/2025 ("tuyến chuyên môn kỹ thuật"): with the
    facility kind it sets the share a self-referred BHYT patient gets (benefit engine,
    kcb06.interchange.core.benefit; docs/interchange.md "Benefit levels")."""

    BY_KIND = "", _("Theo loại cơ sở (trạm y tế xã: cấp ban đầu; cơ sở khác: tuyến huyện)")
    DISTRICT = "district", _("Tuyến huyện")
    PROVINCIAL = "provincial", _("Tuyến tỉnh")
    CENTRAL = "central", _("Tuyến trung ương")


class Facility(models.Model):
    code = models.CharField(
        _("mã cơ sở KCB (MA_CSKCB)"),
        max_length=5,
        unique=True,
        null=True,
        blank=True,
        validators=[validate_facility_code],
        help_text=_("Bắt buộc với cơ sở khám chữa bệnh; để trống với Sở Y tế."),
    )
    name = models.CharField(_("tên cơ sở"), max_length=255)
    kind = models.CharField(_("loại"), max_length=16, choices=FacilityKind.choices)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("đơn vị quản lý"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    province_code = models.CharField(
        _("tỉnh/thành (từ 01/07/2025)"),
        max_length=2,
        choices=[(code, name) for code, name in PROVINCES_2025.items()],
    )
    ward_code = models.CharField(_("mã xã/phường"), max_length=5, blank=True)
    ward_name = models.CharField(_("xã/phường"), max_length=128, blank=True)
    old_province_code = models.CharField(
        _("mã tỉnh cũ (trước 01/07/2025)"),
        max_length=2,
        blank=True,
        help_text=_("Mã tỉnh cũ vẫn còn trên thẻ BHYT và số định danh cá nhân."),
    )
    street = models.CharField(_("số nhà, đường"), max_length=255, blank=True)
    portal_username = models.CharField(
        _("tài khoản cổng BHXH"),
        max_length=64,
        blank=True,
        help_text=_("Mật khẩu không lưu ở đây: đặt trong biến môi trường KCB06_PORTAL_PASSWORD."),
    )
    portal_ma_tinh = models.CharField(
        _("mã tỉnh gửi Cổng BHXH (maTinh)"),
        max_length=2,
        blank=True,
        default="",
        validators=[RegexValidator(r"^[0-9]{2}$", _("Mã tỉnh gồm 2 chữ số."))],
        help_text=_(
            "Để trống: dùng mã tỉnh/thành từ 01/07/2025 của cơ sở (QĐ 19/2025/QĐ-TTg). Chỉ "
            "điền khi BHXH tỉnh yêu cầu mã khác (ví dụ mã tỉnh cũ đầu mã cơ sở)."
        ),
    )
    lookup_officer = models.ForeignKey(
        "StaffProfile",
        verbose_name=_("cán bộ tra cứu thẻ BHYT của ki-ốt"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_(
            "Cổng BHXH chỉ trả lời tra cứu kèm họ tên và số CCCD của cán bộ tra cứu đã đăng ký "
            "với BHXH. Ki-ốt không có CCCD nên tra cứu dưới tên cán bộ này."
        ),
    )
    former_route_level = models.CharField(
        _("tuyến cũ (trước 01/01/2025)"),
        max_length=12,
        blank=True,
        default="",
        choices=FormerRouteLevel.choices,
        help_text=_("Quyết định mức hưởng BHYT khi người bệnh tự đến khám không đúng nơi đăng ký."),
    )
    is_active = models.BooleanField(_("đang hoạt động"), default=True)

    class Meta:
        verbose_name = _("cơ sở y tế")
        verbose_name_plural = _("cơ sở y tế")
        ordering = ["code", "name"]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}" if self.code else self.name

    @property
    def portal_province_code(self) -> str:
        """maTinh of every file sent to the BHXH portal: the province the facility belongs to
        now (docs/interchange.md, "maTinh"); the facility code's first two digits only when
        nothing else is known."""
        return self.portal_ma_tinh or self.province_code or (self.code or "")[:2]

    def clean(self) -> None:
        if self.kind in FacilityKind.treating() and not self.code:
            raise ValidationError({"code": _("Cơ sở khám chữa bệnh phải có mã MA_CSKCB.")})
        if (
            self.code
            and self.province_code
            and not (self.code[:2] == self.province_code or self.code[:2] == self.old_province_code)
        ):
            raise ValidationError(
                {"code": _("Hai số đầu của mã cơ sở phải là mã tỉnh (mới hoặc cũ) của cơ sở.")}
            )
        if self.parent_id and self.parent_id == self.pk:
            raise ValidationError({"parent": _("Cơ sở không thể là đơn vị quản lý của chính nó.")})
        if self.lookup_officer_id and self.lookup_officer.facility_id != self.pk:
            raise ValidationError(
                {"lookup_officer": _("Cán bộ tra cứu phải là nhân viên của chính cơ sở này.")}
            )

    @property
    def address(self) -> str:
        parts = [self.street, self.ward_name, province_name(self.province_code)]
        return ", ".join(p for p in parts if p)

    def descendant_ids(self) -> set[int]:
        """Own id plus every facility below it (few levels, so a loop of small queries)."""
        found = {self.pk}
        frontier = [self.pk]
        while frontier:
            frontier = list(
                Facility.objects.filter(parent_id__in=frontier).values_list("pk", flat=True)
            )
            frontier = [pk for pk in frontier if pk not in found]
            found.update(frontier)
        return found


class Department(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("cơ sở"), on_delete=models.PROTECT, related_name="departments"
    )
    code = models.CharField(_("mã khoa (MA_KHOA)"), max_length=20)
    name = models.CharField(_("tên khoa/phòng"), max_length=255)
    room = models.CharField(_("phòng khám số"), max_length=32, blank=True)
    accepts_patients = models.BooleanField(_("nhận người bệnh"), default=True)
    self_service = models.BooleanField(
        _("chọn được ở ki-ốt"),
        default=True,
        help_text=_("Bỏ chọn với khoa cấp cứu và khoa chỉ nhận người bệnh qua quầy tiếp đón."),
    )
    sort_order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)

    class Meta:
        verbose_name = _("khoa/phòng")
        verbose_name_plural = _("khoa/phòng")
        ordering = ["facility", "sort_order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "code"], name="department_code_per_facility"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"


class DeviceKind(models.TextChoices):
    SCANNER = "scanner", _("Máy quét QR")
    KIOSK = "kiosk", _("Ki-ốt tự phục vụ")
    QUEUE_SCREEN = "queue_screen", _("Màn hình gọi số")
    PRINTER = "printer", _("Máy in phiếu")


class Device(models.Model):
    facility = models.ForeignKey(
        Facility, verbose_name=_("cơ sở"), on_delete=models.PROTECT, related_name="devices"
    )
    kind = models.CharField(_("loại thiết bị"), max_length=16, choices=DeviceKind.choices)
    name = models.CharField(_("tên"), max_length=128)
    location = models.CharField(_("vị trí đặt"), max_length=255)
    department = models.ForeignKey(
        Department, verbose_name=_("khoa/phòng"), null=True, blank=True, on_delete=models.SET_NULL
    )
    serial = models.CharField(_("số sê-ri"), max_length=64, blank=True)
    is_active = models.BooleanField(_("đang dùng"), default=True)

    class Meta:
        verbose_name = _("thiết bị")
        verbose_name_plural = _("thiết bị")
        ordering = ["facility", "kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name} ({self.location})"


class StaffProfile(models.Model):
    """Links a login to one facility and one role: least privilege is decided from this."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff"
    )
    facility = models.ForeignKey(
        Facility, verbose_name=_("cơ sở"), on_delete=models.PROTECT, related_name="staff"
    )
    role = models.CharField(_("vai trò"), max_length=20, choices=Role.choices)
    full_name = models.CharField(_("họ và tên"), max_length=255)
    id_number = models.CharField(
        _("số định danh cá nhân"),
        max_length=12,
        blank=True,
        help_text=_("Cổng BHXH yêu cầu họ tên và số CCCD của cán bộ tra cứu thẻ."),
    )
    practitioner_code = models.CharField(_("mã chứng chỉ hành nghề"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("nhân viên")
        verbose_name_plural = _("nhân viên")

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_role_display()}, {self.facility})"


class ApiKey(models.Model):
    """Per-facility key for other software (HIS). Only a SHA-256 of the secret is stored."""

    facility = models.ForeignKey(
        Facility, verbose_name=_("cơ sở"), on_delete=models.PROTECT, related_name="api_keys"
    )
    name = models.CharField(_("tên/hệ thống dùng khóa"), max_length=128)
    prefix = models.CharField(_("tiền tố"), max_length=12, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    acting_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("tài khoản thực hiện"),
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("Nhân viên đứng tên các thao tác gọi qua khóa này (ví dụ tra cứu thẻ BHYT)."),
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("thu hồi lúc"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("dùng lần cuối"), null=True, blank=True)

    class Meta:
        verbose_name = _("khóa API")
        verbose_name_plural = _("khóa API")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
