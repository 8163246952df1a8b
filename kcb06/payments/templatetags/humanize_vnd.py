from django import template

register = template.Library()


@register.filter
def vnd(value) -> str:
    """150000 -> "150.000 đ" (Vietnamese thousands separator)."""
    try:
        return f"{int(value):,} đ".replace(",", ".")
    except (TypeError, ValueError):
        return ""
