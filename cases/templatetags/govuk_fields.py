"""Template filters for the shared GOV.UK field include (templates/includes/field.html)."""

from django import template

register = template.Library()


@register.filter
def input_value(field):
    """A bound field's value as its widget writes it into an input: a date as the ISO date that
    `<input type="date">` needs (a date rendered through the template's own format would be refused by the
    browser and saved back empty)."""
    value = field.field.widget.format_value(field.value())
    return "" if value is None else value
