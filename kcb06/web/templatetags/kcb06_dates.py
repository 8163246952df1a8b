"""`{{ value|vn_date }}`: dd/mm/yyyy for a date, a datetime, or an ISO date string.

Dates and datetimes already print dd/mm/yyyy through kcb06/formats; this filter is for values
that reach a template as ISO text (a verdict serialised for the session or a JSON column).
Anything else is shown as it is.
"""

from datetime import date, datetime

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def vn_date(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y")
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10]).strftime("%d/%m/%Y")
        except ValueError:
            return value
    return value
