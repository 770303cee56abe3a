"""Reading mapping templates: whether each still fits its Notify template as last fetched."""

from integrations.models import NotifyTemplate

from .checks import drift


def template_mismatch(mapping, cached=None, *, looked_up=False):
    """Why a mapping template no longer fits its Notify template as last fetched, in words, or None.

    The cache is refreshed when an administrator fetches templates, on a schedule (TEMPLATE_REFRESH_SECONDS)
    and by sends, so a template changed in Notify is flagged without waiting for a send to fail.
    """
    if not mapping.notify_template_id:  # a letter from a case document has no Notify template
        return None
    if not looked_up:
        cached = NotifyTemplate.objects.filter(integration_id=mapping.integration_id,
                                               notify_id=mapping.notify_template_id).first()
    if cached is None:
        return ("Notify no longer has its template “%s”: choose another Notify template"
                % (mapping.notify_template_name or mapping.notify_template_id))
    missing, _ = drift(cached.placeholders, [row.placeholder for row in mapping.placeholders.all()])
    if not missing:
        return None
    changed = (f"The Notify template is now version {cached.version} (this mapping was made for version "
               f"{mapping.template_version}) and" if cached.version != mapping.template_version
               else "The Notify template")
    names = ", ".join(f"(({name}))" for name in missing)
    return f"{changed} needs {names}, which this mapping template does not fill: messages from it will fail"


def template_mismatches(mappings):
    """{mapping id: reason} for the mapping templates that no longer fit, in two queries however many."""
    mappings = list(mappings)
    wanted = {(m.integration_id, m.notify_template_id) for m in mappings}
    cached = {(t.integration_id, t.notify_id): t for t in NotifyTemplate.objects.filter(
        integration_id__in={i for i, _ in wanted}, notify_id__in={n for _, n in wanted})}
    found = {}
    for mapping in mappings:
        reason = template_mismatch(mapping, cached.get((mapping.integration_id, mapping.notify_template_id)),
                                   looked_up=True)
        if reason:
            found[mapping.pk] = reason
    return found
