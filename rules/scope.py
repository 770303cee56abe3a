"""Which existing cases "apply to existing cases" covers, by the rule's trigger.

A trigger is an event, and existing cases have no event to replay, so each trigger is read as the state it
leads to:
- case created / case updated: every case of the type;
- status changed to X: cases now in X (with only "from X": cases no longer in X);
- field changed (to a value): cases whose field now has that value (or any value);
- date reached: cases whose date, plus the offset, is today or earlier;
- time in status: cases now in the status that entered it at least N days ago;
- a message's delivery status became X: cases with a message (of the channel, mapping template, rule) now at X.
The rule's conditions and "sends once" apply on top, as they do for events.
"""

import datetime

from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind

from .models import Trigger

CASE_DATE_COLUMNS = {"created": "created_at__date", "updated": "updated_at__date", "closed": "closed_at__date",
                     "due": "due_date"}


def existing_cases(rule, *, today=None):
    """The cases of the rule's type that its trigger covers now (a queryset), and what that means in words."""
    cases = Case.objects.filter(case_type_id=rule.case_type_id)
    config = rule.trigger_config or {}
    today = today or timezone.localdate()
    if rule.trigger == Trigger.STATUS_CHANGED:
        return _by_status(cases, config)
    if rule.trigger == Trigger.FIELD_CHANGED:
        return _by_field(rule, cases, config)
    if rule.trigger == Trigger.DATE_REACHED:
        return _by_date(cases, config, today)
    if rule.trigger == Trigger.TIME_IN_STATUS:
        return _by_time_in_status(cases, config, today)
    if rule.trigger == Trigger.DELIVERY_STATUS:
        return _by_delivery(cases, config)
    if rule.trigger == Trigger.TEXT_RECEIVED:
        return cases.filter(received_texts__isnull=False).distinct(), "cases that received a text message"
    if rule.trigger == Trigger.DOCUMENT_ADDED:
        wanted = config.get("document_type")
        return (cases.filter(documents__document_type=wanted, documents__deleted_at__isnull=True).distinct(),
                f"cases that have a “{wanted}” document")
    return cases, f"every {rule.case_type.name.lower()} case"


def _by_status(cases, config):
    if config.get("to"):
        return cases.filter(status__name=config["to"]), f"cases now in the status “{config['to']}”"
    if config.get("from"):
        return cases.exclude(status__name=config["from"]), f"cases no longer in the status “{config['from']}”"
    return cases, "every case"


def _by_field(rule, cases, config):
    key = config.get("field") or ""
    label = rule.case_type.fields.filter(key=key).values_list("label", flat=True).first() or key
    if config.get("to") not in (None, ""):
        wanted = str(config["to"])
        return (cases.filter(**{f"field_values__{key}__iexact": wanted}),
                f"cases whose “{label}” is now “{wanted}”")
    filled = Q(**{f"field_values__{key}__isnull": False}) & ~Q(**{f"field_values__{key}": ""})
    return cases.filter(filled), f"cases with a value in “{label}”"


def _by_date(cases, config, today):
    offset = int(config.get("offset_days") or 0)
    latest = today - datetime.timedelta(days=offset)
    name = config.get("date") or ""
    when = f"{offset} days after" if offset > 0 else (f"{-offset} days before" if offset < 0 else "on")
    words = f"cases where today is {when} their “{name}” date, or later"
    if name in CASE_DATE_COLUMNS:
        return cases.filter(**{f"{CASE_DATE_COLUMNS[name]}__lte": latest}), words
    # Date fields hold ISO strings, which order as dates.
    return cases.filter(**{f"field_values__{name}__lte": latest.isoformat()}), words


def _by_time_in_status(cases, config, today):
    status, days = config.get("status") or "", int(config.get("days") or 0)
    entered = (CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.STATUS_CHANGED, data__to=status)
               .order_by("-created_at").values("created_at")[:1])
    latest = today - datetime.timedelta(days=days)
    in_status = cases.filter(status__name=status).annotate(entered_at=Subquery(entered))
    matching = in_status.filter(Q(entered_at__date__lte=latest) | Q(entered_at__isnull=True, created_at__date__lte=latest))
    return (Case.objects.filter(pk__in=matching.values("pk")),
            f"cases in the status “{status}” for {days} days or more")


def _by_delivery(cases, config):
    from integrations.delivery import statuses
    from integrations.log import LogEntry

    wanted = config.get("status") or "failed"
    pool = {"failed": statuses.FAILED, "delivered": statuses.DELIVERED}.get(wanted, {wanted})
    entries = LogEntry.objects.filter(delivery_status__in=sorted(pool), case__isnull=False)
    for name, column in (("channel", "channel"), ("mapping_template", "mapping_template_id"), ("rule", "rule_id")):
        if config.get(name):
            entries = entries.filter(**{column: config[name]})
    return cases.filter(pk__in=entries.values("case_id")), f"cases with a message whose delivery status is now “{wanted}”"
