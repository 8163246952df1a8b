from django import template

from kcb06.facilities.models import Role

register = template.Library()


@register.filter
def role_label(value: str) -> str:
    return dict(Role.choices).get(value, value or "—")


@register.filter
def action_label(value: str) -> str:
    from kcb06.audit.views import _ACTION_LABELS

    return _ACTION_LABELS.get(value, value)
