"""One version of a setting as it was (its fields and its parts at that moment), and putting a rule or a mapping
template back to an earlier version. A message's log entry names the versions it was built from."""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from mappings.models import MappingTemplate, PlaceholderMapping
from mappings.services import mapping_template_save
from rules.models import Action, Rule
from rules.services import rule_save

from .history import NOT_SHOWN, TRACKED, _readable, _words

RESTORABLE = {"rule", "mapping_template"}
RULE_FIELDS = ("name", "enabled", "order", "trigger", "trigger_config", "condition_mode", "case_update", "conditions",
               "send_once", "manual")
MAPPING_FIELDS = ("name", "enabled", "notify_template_id", "recipient", "email_reply_to_id", "sms_sender_id",
                  "skip_failed_contacts", "document_type", "postage", "file_confirm_email", "file_retention_weeks")


class NotRestorable(Exception):
    pass


def version_record(object_type, version):
    model = TRACKED[object_type][0]
    return model.history.select_related("history_user").filter(history_id=version).first()


def _fields(model, obj, leave_out=()):
    """(words, value) of each tracked field of a history record, or of an instance as it was (as_of)."""
    names = sorted({f.name for f in model.history.model.tracked_fields} - NOT_SHOWN - {"groups", *leave_out})
    return [(_words(model, name), _readable(model, name, getattr(obj, name + "_id", None) if _is_relation(model, name)
                                            else getattr(obj, name, None))) for name in names]


def _is_relation(model, name):
    try:
        return model._meta.get_field(name).is_relation
    except Exception:
        return False


def parts_moment(record):
    """When to read a version's parts (a rule's actions, a mapping template's placeholders): a save writes the object
    first and its parts just after, so a version's parts are the ones standing just before the next version."""
    following = record.next_record
    if following is None:
        return timezone.now()
    return following.history_date - datetime.timedelta(microseconds=1)


def snapshot(object_type, record):
    """{"fields": [(words, value)], "parts": [(words, [[(words, value)]])]}: the object as this version was, and
    its parts (placeholders, actions, fields, statuses) as they were at that moment."""
    model = TRACKED[object_type][0]
    parts = []
    for part_model, words, parent in TRACKED.values():
        if parent and parent[0] == object_type:
            rows = part_model.history.as_of(parts_moment(record)).filter(**{parent[1]: record.id}).order_by("pk")
            parts.append((words, [_fields(part_model, part, leave_out={parent[0]}) for part in rows]))
    return {"fields": _fields(model, record), "parts": parts}


def restore(object_type, version, *, obj):
    """Put a rule or a mapping template back as the version was; a new version that says so. ValidationError when
    that version no longer fits (a mapping template deleted since, a Notify template changed)."""
    if object_type not in RESTORABLE:
        raise NotRestorable("Only a rule or a mapping template can be put back to an earlier version")
    record = version_record(object_type, version)
    if record is None or record.id != obj.pk:
        raise NotRestorable("That is not a version of this object")
    if record.history_type == "-":
        raise NotRestorable("That version is the object's deletion")
    with transaction.atomic():
        if object_type == "rule":
            return _restore_rule(obj, record)
        return _restore_mapping(obj, record)


def _restore_rule(rule, record):
    for name in RULE_FIELDS:
        setattr(rule, name, getattr(record, name))
    ids = list(Action.history.as_of(parts_moment(record)).filter(rule_id=rule.pk).order_by("order", "pk")
               .values_list("mapping_template_id", flat=True))
    found = {m.pk: m for m in MappingTemplate.objects.filter(pk__in=ids)}
    missing = [i for i in ids if i not in found]
    if missing:
        raise ValidationError(f"That version sent {len(missing)} mapping template(s) deleted since: it cannot be put "
                              "back as it was")
    rule._change_reason = f"Put back to version {record.history_id}"
    return rule_save(rule=rule, mapping_templates=[found[i] for i in ids])


def _restore_mapping(mapping, record):
    for name in MAPPING_FIELDS:
        setattr(mapping, name, getattr(record, name))
    rows = {row.placeholder: {"source": row.source, "optional": row.optional, "citizen_text": row.citizen_text}
            for row in PlaceholderMapping.history.as_of(parts_moment(record)).filter(mapping_template_id=mapping.pk)}
    mapping._change_reason = f"Put back to version {record.history_id}"
    return mapping_template_save(mapping=mapping, rows=rows)


def restorable_object(object_type, pk):
    model = {"rule": Rule, "mapping_template": MappingTemplate}.get(object_type)
    return model.objects.filter(pk=pk).first() if model else None
