"""Master patient index: one Patient per person, identifiers kept with their history."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Sex(models.TextChoices):
    MALE = "male", _("Nam")
    FEMALE = "female", _("Nữ")
    UNDETERMINED = "undetermined", _("Chưa xác định")


class Patient(models.Model):
    full_name = models.CharField(_("họ và tên"), max_length=255)
    # Lower-case, diacritics removed, words sorted: lets "nguyen van a" find "Nguyễn Văn A".
    # No index of its own: patient_name_year leads with it, and search by a word of the name
    # uses patient_name_trgm.
    name_key = models.CharField(max_length=255, editable=False)
    date_of_birth = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"), db_index=True)
    dob_precision = models.CharField(
        _("độ chính xác ngày sinh"),
        max_length=5,
        default="day",
        choices=[("day", _("đủ ngày")), ("year", _("chỉ năm"))],
    )
    sex = models.CharField(_("giới tính"), max_length=12, choices=Sex.choices)
    address = models.CharField(_("địa chỉ"), max_length=1024, blank=True)
    province_code = models.CharField(_("mã tỉnh cư trú"), max_length=3, blank=True)
    ward_code = models.CharField(_("mã xã cư trú"), max_length=5, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=15, blank=True)
    nationality_code = models.CharField(_("mã quốc tịch"), max_length=3, default="000")
    ethnicity_code = models.CharField(_("mã dân tộc"), max_length=2, default="01")
    occupation_code = models.CharField(_("mã nghề nghiệp"), max_length=5, default="00000")
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("đã gộp vào"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        db_index=False,  # patient_merged_into: only merged records are indexed
    )
    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True)

    class Meta:
        verbose_name = _("người bệnh")
        verbose_name_plural = _("người bệnh")
        indexes = [
            models.Index(fields=["name_key", "birth_year"], name="patient_name_year"),
            # Almost no record is merged away: a partial index costs a new patient nothing.
            models.Index(
                fields=["merged_into"],
                name="patient_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.full_name}"

    @property
    def initials(self) -> str:
        return "".join(word[0] for word in self.full_name.split() if word).upper()


class IdentifierKind(models.TextChoices):
    ID_NUMBER = "id_number", _("Số định danh cá nhân (CCCD)")
    OLD_ID_NUMBER = "old_id_number", _("Số CMND 9 số")
    BHYT_CARD = "bhyt_card", _("Mã thẻ BHYT")
    BHXH_NUMBER = "bhxh_number", _("Mã số BHXH")
    # An ID number given at a facility where its holder's record was unknown, with a name, date
    # of birth or sex that differ from that record: kept on the facility's own record, never
    # the hard key (docs/reception.md, "Identity").
    CLAIMED_ID_NUMBER = "claimed_id", _("Số định danh khai báo (chưa đối chiếu)")


class PatientIdentifier(models.Model):
    """An identifier of a patient; inactive rows are history (cancelled numbers, old cards)."""

    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="identifiers",
        db_index=False,  # identifier_patient_kind leads with patient
    )
    kind = models.CharField(_("loại"), max_length=16, choices=IdentifierKind.choices)
    value = models.CharField(_("giá trị"), max_length=32)
    is_active = models.BooleanField(_("đang dùng"), default=True)
    added_at = models.DateTimeField(_("thêm lúc"), auto_now_add=True)

    class Meta:
        verbose_name = _("định danh")
        verbose_name_plural = _("định danh")
        indexes = [
            models.Index(fields=["kind", "value"], name="identifier_kind_value"),
            # "Does this record hold another ID number?" (likely duplicates, per candidate) and
            # a patient's identifiers: on the patient's own rows, whatever the statistics say.
            # With only the patient index, a fresh table's planner ANDed it with the partial
            # one_active_id_number index and read every ID number per candidate
            # (docs/measurements.md#identifier-index).
            models.Index(fields=["patient", "kind"], name="identifier_patient_kind"),
        ]
        constraints = [
            # The personal ID number is the hard key: one active holder at a time.
            models.UniqueConstraint(
                fields=["kind", "value"],
                condition=Q(is_active=True, kind="id_number"),
                name="one_active_id_number",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} …{self.value[-4:]}"


class PatientFacility(models.Model):
    """The facilities where a patient is known: the basis of facility scoping."""

    patient = models.ForeignKey(Patient, on_delete=models.CASCADE, related_name="facility_links")
    facility = models.ForeignKey(
        "facilities.Facility", on_delete=models.PROTECT, related_name="patient_links"
    )
    first_seen = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["patient", "facility"], name="patient_facility_once")
        ]


class PatientMerge(models.Model):
    """One merge of a duplicate record into the surviving one; `moved` lists every row moved so
    the merge can be undone exactly (other apps add their own keys through the signal)."""

    source = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_out")
    target = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="merges_in")
    moved = models.JSONField(default=dict)
    reason = models.CharField(_("lý do gộp"), max_length=512, blank=True)
    merged_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    merged_at = models.DateTimeField(auto_now_add=True)
    undone_by = models.ForeignKey(
        "auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    undone_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("lần gộp hồ sơ")
        verbose_name_plural = _("lần gộp hồ sơ")


class IdentityEvidence(models.TextChoices):
    """What a change of a patient's identity data rests on (docs/reception.md, "Identity")."""

    CHIP_SCAN = "chip_scan", _("Quét QR CCCD (họ tên, ngày sinh, giới tính khớp hồ sơ)")
    VNEID = "vneid", _("Xác thực VNeID")
    CLERK_CORRECTION = "clerk_correction", _("Nhân viên sửa theo giấy tờ")
    REVERT = "revert", _("Hoàn tác")


class IdentityChange(models.Model):
    """One change of a patient's identity data (name, date of birth, sex, address): old and new
    values, who, where, when, why and on what evidence. Rows are never updated except to note
    that a later change reverted this one; the patient's history is these rows in order."""

    patient = models.ForeignKey(
        Patient,
        on_delete=models.CASCADE,
        related_name="identity_changes",
        db_index=False,  # identitychange_patient_at leads with patient
    )
    # {field: {"old": value, "new": value}}, dates as ISO text.
    changes = models.JSONField(_("thay đổi"))
    evidence = models.CharField(_("căn cứ"), max_length=20, choices=IdentityEvidence.choices)
    reason = models.CharField(_("lý do"), max_length=512, blank=True)
    facility = models.ForeignKey(
        "facilities.Facility", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by = models.ForeignKey(
        "auth.User", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    changed_by_name = models.CharField(max_length=255, blank=True)
    changed_at = models.DateTimeField(_("lúc"), auto_now_add=True)
    reverts = models.ForeignKey(
        "self",
        verbose_name=_("hoàn tác thay đổi"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="reverted_by",
    )

    class Meta:
        verbose_name = _("thay đổi thông tin định danh")
        verbose_name_plural = _("thay đổi thông tin định danh")
        indexes = [
            models.Index(fields=["patient", "changed_at"], name="identitychange_patient_at"),
        ]
