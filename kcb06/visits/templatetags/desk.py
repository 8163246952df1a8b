"""Template filters of the desk pages: the verdict's ISO dates and field names as a Vietnamese
reader expects them."""

from datetime import date

from django import template

register = template.Library()

FIELD_VI = {"full_name": "Họ và tên", "date_of_birth": "Ngày sinh", "sex": "Giới tính"}


@register.filter
def dmy(value) -> str:
    """An ISO date (as the verdict stores it) or a date as dd/mm/yyyy; anything else as is."""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    text = str(value or "")
    try:
        return date.fromisoformat(text).strftime("%d/%m/%Y")
    except ValueError:
        return text


@register.filter
def field_vi(name: str) -> str:
    return FIELD_VI.get(name, name)
