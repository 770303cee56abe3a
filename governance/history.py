"""The change history of settings, read from django-simple-history's records: who changed what and when, with each
field before and after, for one object (with its parts: a rule's actions, a mapping template's placeholders, a
case type's fields and statuses) or across all of them (the audit trail)."""

import json
from dataclasses import dataclass, field
from itertools import islice

from django.contrib.auth.models import Group, User

from cases.models import CaseType, FieldDefinition, Status
from integrations.models import Integration
from mappings.models import MappingTemplate, PlaceholderMapping
from rules.models import Action, Rule

from .models import RetentionPolicy

# object type -> (model, words, the type it is a part of and the field naming it, or None)
TRACKED = {
    "integration": (Integration, "Integration", None),
    "mapping_template": (MappingTemplate, "Mapping template", None),
    "placeholder": (PlaceholderMapping, "Placeholder of a mapping template", ("mapping_template", "mapping_template_id")),
    "rule": (Rule, "Rule", None),
    "action": (Action, "Action of a rule", ("rule", "rule_id")),
    "case_type": (CaseType, "Case type", None),
    "field": (FieldDefinition, "Field of a case type", ("case_type", "case_type_id")),
    "status": (Status, "Status of a case type", ("case_type", "case_type_id")),
    "user": (User, "User and roles", None),
    "retention_policy": (RetentionPolicy, "Retention policy", None),
}
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}
# Events in the audit trail that are not settings' history.
OTHER_TYPES = {"erasure": "Erasure of a person"}
NOT_SHOWN = {"id", "created_at", "updated_at", "password", "last_login"}


@dataclass
class Change:
    object_type: str
    object_id: int
    label: str
    version: int
    at: object
    user: str
    action: str
    changes: list = field(default_factory=list)  # [(field words, before, after)]
    parent: tuple | None = None  # (object type, id)
    number: int | None = None  # the nth version of this object (its history id is `version`)
    reason: str = ""

    @property
    def type_words(self):
        return TRACKED[self.object_type][1] if self.object_type in TRACKED else OTHER_TYPES[self.object_type]


def _shown(value):
    if value is None or value == "":
        return "(empty)"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def _words(model, name):
    try:
        words = str(model._meta.get_field(name).verbose_name)
    except Exception:  # a field the model no longer has
        words = name.replace("_", " ")
    return words[:1].upper() + words[1:]


def _readable(model, name, value):
    """A stored value as a person reads it: a choice by its label, a related object by its name."""
    try:
        model_field = model._meta.get_field(name)
    except Exception:
        return _shown(value)
    if model_field.choices and value not in (None, ""):
        return str(dict(model_field.flatchoices).get(value, value))
    if model_field.is_relation and value is not None:
        related = model_field.related_model.objects.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} (deleted)"
    return _shown(value)


def _group_names(values):
    ids = [item.get("group") for item in values or [] if isinstance(item, dict)]
    names = dict(Group.objects.filter(pk__in=ids).values_list("pk", "name"))
    return ", ".join(sorted(names.get(i, f"#{i}") for i in ids)) or "(none)"


def _field_change(model, name, old, new):
    if name == "key_hint":  # never the key: only that it changed, and its last 4 characters
        return ("API key", "—", f"key changed (…{str(new)[-4:]})" if new else "key removed")
    if name == "groups":
        return ("Roles", _group_names(old), _group_names(new))
    return (_words(model, name), _readable(model, name, old), _readable(model, name, new))


def _tracked_names(record):
    return {f.name for f in record.tracked_fields} - NOT_SHOWN


def _value(record, field):
    return getattr(record, field.attname, None)


def _diff(record, previous, model):
    """Each tracked field that differs (editable or not: the key's hint is not editable), then the roles."""
    changes = [_field_change(model, f.name, _value(previous, f), _value(record, f))
               for f in sorted(record.tracked_fields, key=lambda f: f.name)
               if f.name not in NOT_SHOWN and _value(previous, f) != _value(record, f)]
    if record._history_m2m_fields:
        delta = record.diff_against(previous, included_fields={f.name for f in record._history_m2m_fields})
        changes += [_field_change(model, c.field, c.old, c.new) for c in delta.changes]
    return changes


def changes_of(record, model):
    """[(field words, before, after)] for one history record: against the record before it, or every field set when
    it was created."""
    names = _tracked_names(record)
    if record.history_type == "~" and record.prev_record is not None:
        return _diff(record, record.prev_record, model)
    if record.history_type == "+":
        fields = sorted((f for f in record.tracked_fields if f.name in names and f.name != "groups"),
                        key=lambda f: f.name)
        rows = [_field_change(model, f.name, None, _value(record, f)) for f in fields
                if _value(record, f) not in (None, "", [], {})]
        return [(words, "—", after) for words, _, after in rows]
    return []


def _change(object_type, record):
    model, _, parent = TRACKED[object_type]
    user = record.history_user.get_username() if record.history_user_id and record.history_user else ""
    return Change(object_type=object_type, object_id=record.id, label=str(record.instance) if record.history_type
                  != "-" else str(record), version=record.history_id, at=record.history_date, user=user,
                  action=ACTIONS.get(record.history_type, record.history_type), changes=changes_of(record, model),
                  parent=(parent[0], getattr(record, parent[1])) if parent else None,
                  reason=record.history_change_reason or "")


def _records(object_type, *, object_id=None, parent_id=None, user=None, since=None, until=None):
    model, _, parent = TRACKED[object_type]
    records = model.history.select_related("history_user").order_by("-history_date", "-history_id")
    if object_id is not None:
        records = records.filter(id=object_id)
    if parent_id is not None:
        records = records.filter(**{parent[1]: parent_id})
    return _window(records, "history_user__username", "history_date", user, since, until)


def _window(queryset, user_field, date_field, user, since, until):
    """The rows made by that user (any case) between those moments: the audit trail's filters, for any table."""
    if user:
        queryset = queryset.filter(**{f"{user_field}__iexact": user})
    if since:
        queryset = queryset.filter(**{f"{date_field}__gte": since})
    if until:
        queryset = queryset.filter(**{f"{date_field}__lt": until})
    return queryset


def _merged(streams, limit):
    """The newest `limit` changes of several streams (each newest first), that changed something."""
    heads = [iter(stream) for stream in streams]
    pending = [(next(it, None), it) for it in heads]
    out = []
    while len(out) < limit:
        pending = [(change, it) for change, it in pending if change is not None]
        if not pending:
            break
        pending.sort(key=lambda pair: (pair[0].at, pair[0].version), reverse=True)
        change, it = pending[0]
        pending[0] = (next(it, None), it)
        if change.changes or change.action != "changed":
            out.append(change)
    return out


def version_number(object_type, object_id, version):
    """Which version of the object a history id is (1 for its first), as people count."""
    model = TRACKED[object_type][0]
    return model.history.filter(id=object_id, history_id__lte=version).count()


def _numbered(changes):
    """Each change's version number among its own object's (one query per kind of object)."""
    wanted = {}
    for change in changes:
        if change.object_type in TRACKED:
            wanted.setdefault(change.object_type, set()).add(change.object_id)
    order = {}
    for kind, ids in wanted.items():
        for object_id, version in (TRACKED[kind][0].history.filter(id__in=ids).order_by("history_id")
                                   .values_list("id", "history_id")):
            order.setdefault((kind, object_id), []).append(version)
    for change in changes:
        versions = order.get((change.object_type, change.object_id), [])
        change.number = versions.index(change.version) + 1 if change.version in versions else None
    return changes


def _erasures(user=None, since=None, until=None):
    from .models import Erasure

    erasures = _window(Erasure.objects.select_related("erased_by").order_by("-erased_at", "-pk"),
                       "erased_by__username", "erased_at", user, since, until)
    for erasure in erasures.iterator(chunk_size=200):
        counts = ", ".join(f"{n} {what.replace('_', ' ')}" for what, n in erasure.counts.items())
        yield Change(object_type="erasure", object_id=erasure.person_id or 0, label=f"Person {erasure.person_id}",
                     version=erasure.pk, at=erasure.erased_at,
                     user=erasure.erased_by.get_username() if erasure.erased_by else "", action="erased",
                     changes=[("Reason", "—", erasure.reason), ("Removed", "—", counts)])


def _stream(object_type, **filters):
    return (_change(object_type, record) for record in _records(object_type, **filters).iterator(chunk_size=200))


def object_history(object_type, object_id, limit=200):
    """The object's changes and its parts', newest first."""
    streams = [_stream(object_type, object_id=object_id)]
    streams += [_stream(kind, parent_id=object_id) for kind, (_, _, parent) in TRACKED.items()
                if parent and parent[0] == object_type]
    return _numbered(_merged(streams, limit))


def audit_trail(*, object_type=None, object_id=None, user=None, since=None, until=None, limit=500):
    """Changes across every kind of object, newest first, filtered."""
    if object_type == "erasure":
        return list(islice(_erasures(user, since, until), limit))
    kinds = [object_type] if object_type else list(TRACKED)
    if object_id is not None and object_type:
        return object_history(object_type, object_id, limit) if not (user or since or until) else list(islice(
            (c for c in object_history(object_type, object_id, 10_000)
             if (not user or c.user == user) and (not since or c.at >= since) and (not until or c.at < until)), limit))
    streams = [_stream(kind, user=user, since=since, until=until) for kind in kinds]
    if not object_type:
        streams.append(_erasures(user, since, until))
    return _numbered(_merged(streams, limit))
