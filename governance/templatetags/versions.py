"""`{% version_number "rule" entry.rule_id entry.rule_version %}`: which version of the object a history id is."""

from django import template

from governance.history import version_number as number_of

register = template.Library()


@register.simple_tag
def version_number(object_type, object_id, version):
    return number_of(object_type, object_id, version) if object_id and version else ""
