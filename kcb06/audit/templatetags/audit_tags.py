"""Vietnamese words for the audit trail's codes (kcb06.audit.browse), for templates."""

from django import template

from kcb06.audit import browse

register = template.Library()
register.filter("role_label", browse.role_label)
register.filter("action_label", browse.action_label)
register.filter("object_label", browse.object_label)
register.filter("purpose_label", browse.purpose_label)
register.filter("via_label", browse.via_label)
