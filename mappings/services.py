"""Saving, previewing and deleting mapping templates."""

from django.core.exceptions import ValidationError
from django.db import transaction

from integrations.models import NotifyTemplate
from integrations.notify.client import NotifyGateway
from integrations.notify.errors import NotifyError
from integrations.notify.files import described, is_document

from .checks import check_recipient, check_source, drift
from .models import Channel, MappingTemplate, PlaceholderMapping
from .resolve import resolve
from .snapshot import snapshot_of


def _kinds(case_type):
    return {f.key: f.kind for f in case_type.fields.all()}


def cached_template(mapping):
    return NotifyTemplate.objects.filter(integration=mapping.integration_id, notify_id=mapping.notify_template_id).first()


def _precompiled_check(mapping):
    types = mapping.case_type.document_types or []
    if mapping.document_type not in types:
        return {"document_type": [f"Choose one of the document types of {mapping.case_type.name}"
                                  if types else f"{mapping.case_type.name} has no document types: add them to the "
                                                "case type first"]}
    return {}


def _row_problems(mapping, rows, kinds):
    errors = {}
    for name, row in rows.items():
        problems = check_source(row["source"], kinds, mapping.case_type.document_types or [])
        if (row["source"] or {}).get("source") == "document" and mapping.channel != Channel.EMAIL:
            problems = [*problems, "A case document can only be sent in an email"]
        if problems:
            errors[f"placeholder:{name}"] = problems
    return errors


def mapping_template_check(*, mapping, rows):
    """Field-level problems ({name: [messages]}) with a mapping template and its placeholder rows."""
    if mapping.channel == Channel.PRECOMPILED:
        return _precompiled_check(mapping)
    errors = {}
    kinds = _kinds(mapping.case_type)
    template = cached_template(mapping)
    if template is None:
        errors["notify_template_id"] = ["Choose one of the integration's Notify templates (fetch them if it is new)"]
    elif template.type != mapping.channel:
        errors["notify_template_id"] = [f"That is a{'n' if template.type == 'email' else ''} {template.type} "
                                        f"template: choose a{'n' if mapping.channel == 'email' else ''} {mapping.channel} one"]
    problems = check_recipient(mapping.channel, mapping.recipient or {}, kinds)
    if problems:
        errors["recipient"] = problems
    errors.update(_row_problems(mapping, rows, kinds))
    if template is not None and template.type == mapping.channel:
        missing, extra = drift(template.placeholders, rows)
        for name in missing:
            errors[f"placeholder:{name}"] = [f"Choose what fills (({name})): the Notify template needs it"]
        if extra:
            errors["__all__"] = [f"The Notify template no longer has {', '.join(f'(({n}))' for n in extra)}: "
                                 "those mappings will be removed when you save"]
    return errors


@transaction.atomic
def mapping_template_save(*, mapping, rows):
    """Save a mapping template and its placeholder rows ({name: {"source", "optional", "citizen_text"}}).

    Raises ValidationError with field-level messages; nothing is saved then.
    """
    errors = mapping_template_check(mapping=mapping, rows=rows)
    blocking = {k: v for k, v in errors.items() if k != "__all__"}
    if blocking:
        raise ValidationError(blocking)
    if mapping.channel == Channel.PRECOMPILED:  # the PDF is the letter: no Notify template, no placeholders
        mapping.notify_template_name, mapping.template_version = "", None
        mapping.save()
        mapping.placeholders.all().delete()
        return mapping
    template = cached_template(mapping)
    mapping.notify_template_name = template.name
    mapping.template_version = template.version
    mapping.save()
    wanted = {p.lower().replace(" ", "") for p in template.placeholders}
    _save_rows(mapping, {name: row for name, row in rows.items() if name.lower().replace(" ", "") in wanted})
    return mapping


def _save_rows(mapping, rows):
    """The placeholder rows changed in place (each change, addition and removal then shows once in the history)."""
    existing = {row.placeholder: row for row in mapping.placeholders.all()}
    for name, row in existing.items():
        if name not in rows:
            row.delete()
    for name, given in rows.items():
        values = {"source": given["source"], "optional": given.get("optional", False),
                  "citizen_text": given.get("citizen_text", False)}
        row = existing.get(name)
        if row is None:
            PlaceholderMapping.objects.create(mapping_template=mapping, placeholder=name, **values)
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            row.save()


def mapping_template_preview(*, mapping, case):
    """What the mapping gives for the case: recipient, personalisation, and Notify's rendering or the problems."""
    result = resolve(mapping.spec(), snapshot_of(case.pk), reference="preview")
    preview = {"problems": result.problems, "recipient": None, "personalisation": {}, "subject": None, "body": None,
               "notify_error": None}
    if not result.ok:
        return preview
    message = result.message
    if message.document:
        preview.update(recipient="The address printed in the PDF", document=message.document,
                       postage=message.postage)
        return preview
    # A case document is shown as the link Notify puts in its place (the file is not sent to preview it).
    personalisation = {name: (f"https://documents.service.gov.uk/d/… (a link to download "
                              f"{value['document']['filename']})" if is_document(value) else value)
                       for name, value in message.personalisation.items()}
    preview.update(recipient=message.recipient,
                   personalisation={name: described(value) for name, value in message.personalisation.items()})
    try:
        rendered = NotifyGateway(mapping.integration).preview(mapping.notify_template_id, personalisation)
    except NotifyError as error:
        preview["notify_error"] = error.reason
    else:
        preview.update(subject=rendered.get("subject"), body=rendered.get("body"))
    return preview


def mapping_template_delete(*, mapping):
    """Delete a mapping template that no rule uses; ValidationError naming the rules otherwise."""
    rules = sorted({action.rule.name for action in mapping.actions.select_related("rule")})
    if rules:
        raise ValidationError(f"Rules use this mapping template: {', '.join(rules)}. Change those rules first.")
    mapping.delete()


def mapping_templates_for(integration):
    return MappingTemplate.objects.filter(integration=integration).select_related("case_type")
