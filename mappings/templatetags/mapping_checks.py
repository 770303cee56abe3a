"""`{% template_mismatch mapping as reason %}`: why a mapping template no longer fits its Notify template, or None.
For pages of other apps (the integration, rules) that must not import mappings."""

from django import template

from mappings.selectors import template_mismatch as mismatch

register = template.Library()


@register.simple_tag
def template_mismatch(mapping):
    return mismatch(mapping)


@register.simple_tag
def template_mismatches_of(integration):
    """[(mapping, reason)] for the integration's mapping templates that no longer fit their Notify templates
    (three queries however many there are)."""
    from mappings.selectors import template_mismatches

    mappings = list(integration.mapping_templates.prefetch_related("placeholders"))
    found = template_mismatches(mappings)
    return [(mapping, found[mapping.pk]) for mapping in mappings if mapping.pk in found]


@register.simple_tag
def template_mismatches_among(mappings):
    """{mapping id: reason} for these mapping templates (for a page that lists many: no query per row)."""
    from mappings.selectors import template_mismatches

    return template_mismatches(mappings)


@register.filter
def reason_for(found, mapping):
    """`found|reason_for:mapping`: the reason a listed mapping template no longer fits, or None."""
    return found.get(getattr(mapping, "pk", mapping))
