"""Visits (đợt khám) keyed by MA_LK."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class VisitStatus(models.TextChoices):
    OPEN = "open", _("Đang khám")
    CLOSED = "closed", _("Đã kết thúc")
    CANCELLED = "cancelled", _("Đã hủy")


class Visit(models.Model):
    ma_lk = models.CharField(_("mã liên kết (MA_LK)"), max_length=100, unique=True)
    facility = models.ForeignKey(
        "facilities.Facility",
        verbose_name=_("cơ sở"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    patient = models.ForeignKey(
        "patients.Patient",
        verbose_name=_("người bệnh"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    department = models.ForeignKey(
        "facilities.Department",
        verbose_name=_("khoa/phòng"),
        on_delete=models.PROTECT,
        related_name="visits",
    )
    arrived_at = models.DateTimeField(_("thời gian đến (NGAY_VAO)"))
    visit_date = models.DateField(_("ngày khám (giờ Việt Nam)"))
    visit_type = models.CharField(_("loại KCB (MA_LOAI_KCB)"), max_length=2, default="01")
    reason = models.CharField(_("lý do vào viện (LY_DO_VV)"), max_length=1024, blank=True)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=VisitStatus.choices, default=VisitStatus.OPEN
    )
    closed_at = models.DateTimeField(_("kết thúc lúc (NGAY_RA)"), null=True, blank=True)
    # BHYT verdict at check-in, as used for this visit.
    eligibility_outcome = models.CharField(_("kết quả kiểm tra thẻ"), max_length=12, blank=True)
    portal_code = models.CharField(_("mã kết quả cổng BHXH"), max_length=8, blank=True)
    card_number = models.CharField(_("mã thẻ BHYT"), max_length=15, blank=True)
    card_valid_from = models.DateField(_("thẻ có giá trị từ"), null=True, blank=True)
    card_valid_to = models.DateField(_("thẻ có giá trị đến"), null=True, blank=True)
    ma_dkbd = models.CharField(_("nơi ĐKBĐ (MA_DKBD)"), max_length=5, blank=True)
    benefit_level = models.CharField(_("mức hưởng"), max_length=1, blank=True)
    uses_bhyt = models.BooleanField(_("khám BHYT"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("đợt khám")
        verbose_name_plural = _("đợt khám")
        indexes = [
            models.Index(fields=["facility", "visit_date"], name="visit_facility_date"),
            models.Index(fields=["patient", "arrived_at"], name="visit_patient_arrived"),
        ]

    def __str__(self) -> str:
        return self.ma_lk
