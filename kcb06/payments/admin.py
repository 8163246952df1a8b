"""A facility's cashier settings in the admin (registration fee, bank statement layout),
limited to the admin's own facility like the other facility settings."""

from django import forms
from django.contrib import admin

from kcb06.facilities.admin import FacilityScopedAdmin

from .models import PaymentSettings
from .statements import LAYOUTS


class PaymentSettingsForm(forms.ModelForm):
    statement_layout = forms.ChoiceField(
        label="Mẫu sao kê ngân hàng", choices=[(k, v["name"]) for k, v in LAYOUTS.items()]
    )

    class Meta:
        model = PaymentSettings
        fields = ["facility", "registration_fee", "statement_layout"]


@admin.register(PaymentSettings)
class PaymentSettingsAdmin(FacilityScopedAdmin):
    form = PaymentSettingsForm
    list_display = ("facility", "registration_fee", "statement_layout")
