"""Plain data of one visit, as the XML builders need it.

The mapper (mapper.py) fills these from the ORM; builders, validation and signing only see
these dataclasses, so they are testable and benchmarkable without a database. Times are aware
datetimes (any zone); builders write them in Asia/Ho_Chi_Minh.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal


@dataclass
class DrugLine:
    code: str  # MA_THUOC (active-ingredient code)
    name: str
    unit: str
    strength: str
    route: str  # DUONG_DUNG code
    dose: str  # LIEU_DUNG
    quantity: Decimal
    unit_price: Decimal
    ordered_at: datetime
    executed_at: datetime | None = None
    group: int = 4  # MA_NHOM 4 = drugs in the list
    scope: int = 1  # PHAM_VI
    ratio: int = 100  # TYLE_TT_BH
    registration: str = ""  # SO_DANG_KY
    tender: str = ""  # TT_THAU
    doctor: str = ""  # MA_BAC_SI
    instructions: str = ""  # CACH_DUNG


@dataclass
class ServiceLine:
    code: str  # MA_DICH_VU (or MA_VAT_TU when is_supply)
    name: str
    quantity: Decimal
    unit_price: Decimal
    ordered_at: datetime
    performed_at: datetime | None = None
    result_at: datetime | None = None
    group: int = 1  # MA_NHOM: 1 lab, 2 imaging, 8 procedure, 13 exam, 10 supply ...
    unit: str = "Lần"
    scope: int = 1
    ratio: int = 100  # TYLE_TT_BH
    service_ratio: int = 100  # TYLE_TT_DV
    bhyt_price: Decimal | None = None  # DON_GIA_BH; None = same as unit_price
    performer: str = ""
    doctor: str = ""
    is_supply: bool = False
    tender: str = ""


@dataclass
class ResultLine:
    service_code: str
    indicator_code: str
    indicator_name: str
    value: str = ""
    unit: str = ""
    description: str = ""
    conclusion: str = ""
    result_at: datetime | None = None
    reader: str = ""


@dataclass
class NoteLine:
    text: str
    at: datetime
    author: str


@dataclass
class SickLeave:
    days: int
    start: date
    end: date
    number: str  # SO_CT
    serial: str  # SO_SERI
    employer: str = ""  # DON_VI
    social_insurance_no: str = ""  # MA_BHXH


@dataclass
class Referral:
    to_facility: str  # MA_NOI_DEN (4750) / MA_CSKCB_DEN (3176): the closing form's destination
    number: str  # SO_CHUYENTUYEN / GIAY_CHUYEN_TUYEN
    reason_code: int = 1  # MA_LYDO_CT
    clinical_signs: str = ""  # DAU_HIEU_LS
    course: str = ""  # QT_BENHLY
    results_summary: str = ""  # TOMTAT_KQ; "" = summarised from the visit's results, if any
    plan: str = ""  # HUONG_DIEU_TRI
    transport: str = ""  # PHUONGTIEN_VC, as the clinician wrote it on the closing form
    condition: str = ""  # TINH_TRANG_CT (3176): the patient's condition at transfer
    from_facility: str = ""  # MA_NOI_DI / MA_CSKCB_DI: who referred the patient to us, if any


@dataclass
class VisitData:
    ma_lk: str
    ma_cskcb: str
    ma_bn: str
    full_name: str
    birth: str  # NGAY_SINH as on the BHYT card: yyyyMMdd0000, or yyyy00000000 (year only)
    sex: str  # GIOI_TINH 1/2/3
    arrived_at: datetime
    ma_khoa: str
    visit_type: str = "01"  # MA_LOAI_KCB
    ma_doituong_kcb: str = "1.1"
    id_number: str = ""  # SO_CCCD
    nationality: str = "000"
    ethnicity: str = "01"
    occupation: str = "00000"
    address: str = ""
    province: str = ""  # MATINH_CU_TRU
    district: str = "000"  # MAHUYEN_CU_TRU (no districts since 01/07/2025)
    ward: str = ""  # MAXA_CU_TRU
    phone: str = ""
    uses_bhyt: bool = False
    card_number: str = ""
    ma_dkbd: str = ""
    card_from: date | None = None
    card_to: date | None = None
    benefit_level: str = ""
    area_code: str = ""  # MA_KHUVUC
    # Benefit engine inputs (kcb06.interchange.core.benefit; docs/interchange.md "Benefit levels").
    facility_level: str = "district"  # benefit.FacilityLevel value
    route: str = "registered"  # benefit.Route value
    five_year_date: date | None = None  # NAM_NAM_LIEN_TUC, from the card check (ngayDu5Nam)
    exemption_certificate_date: date | None = None  # BHXH "giấy miễn cùng chi trả"
    copayments: list[tuple[datetime, Decimal]] = field(default_factory=list)  # this year, before
    reason: str = ""  # LY_DO_VV
    closed_at: datetime | None = None
    admitted_at: datetime | None = None  # NGAY_VAO_NOI_TRU
    admission_reason: str = ""
    admission_diagnosis: str = ""
    final_diagnosis: str = ""
    main_icd: str = ""
    other_icds: list[str] = field(default_factory=list)
    treatment: str = ""  # PP_DIEU_TRI
    outcome: str = "1"  # KET_QUA_DTRI
    discharge_type: str = "1"  # MA_LOAI_RV
    note: str = ""  # GHI_CHU
    follow_up: date | None = None
    weight_kg: Decimal | None = None
    paid_at: datetime | None = None
    doctor_code: str = ""
    doctor_name: str = ""
    head_code: str = ""  # MA_TTDV: BHXH number of the facility head or delegate (no default)
    record_no: str = ""  # MA_HSBA / SO_LUU_TRU
    appointment_number: str = ""  # SO_GIAYHEN_KL; "" = the record number (one paper per visit)
    first_cost: ServiceLine | DrugLine | None = None
    drugs: list[DrugLine] = field(default_factory=list)
    services: list[ServiceLine] = field(default_factory=list)
    results: list[ResultLine] = field(default_factory=list)
    notes: list[NoteLine] = field(default_factory=list)
    sick_leave: SickLeave | None = None
    referral: Referral | None = None
    course_summary: str = ""  # QT_BENHLY (XML8)
    results_summary: str = ""  # TOMTAT_KQ (XML8)
