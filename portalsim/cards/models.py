from django.db import models


class Card(models.Model):
    """A synthetic citizen's BHYT card as the portal knows it.

    `dob` is the text the portal returns (dd/MM/yyyy, or yyyy for people whose record holds only
    a year). `forced_code` makes the card answer a fixed maKetQua (001, 002, 100, 110, 120-124,
    130, 500, ...) after the officer and name checks — one fixture card per result code.
    """

    card_number = models.CharField(max_length=15, unique=True)
    bhxh_number = models.CharField(max_length=10, db_index=True)
    id_number = models.CharField(max_length=12, blank=True, db_index=True)
    full_name = models.CharField(max_length=255)
    dob = models.CharField(max_length=10)
    sex = models.CharField(max_length=8)  # "Nam" | "Nữ"
    address = models.CharField(max_length=255, blank=True)
    ma_dkbd = models.CharField(max_length=5)
    cq_bhxh = models.CharField(max_length=255, blank=True)
    valid_from = models.DateField()
    valid_to = models.DateField()
    five_year_date = models.DateField(null=True, blank=True)
    area_code = models.CharField(max_length=2, blank=True)
    forced_code = models.CharField(max_length=3, blank=True)
    new_card_number = models.CharField(max_length=15, blank=True)
    new_valid_from = models.DateField(null=True, blank=True)
    new_valid_to = models.DateField(null=True, blank=True)
    new_ma_dkbd = models.CharField(max_length=5, blank=True)
    note = models.CharField(max_length=255, blank=True)
    # The card's episodes with a co-payment, as BHXH aggregates them for the co-payment lookup
    # (TraCuuTienMCCT): [{"maCskcb", "ngayVao", "ngayRa" (yyyy-mm-dd), "maDoiTuongKCB",
    # "tBNCCT" (that episode's co-payment), "tBNCCTMCCT" (its exempt part)}].
    copayments = models.JSONField(default=list, blank=True)
