"""Saving rules (checked against their case type) and running them on a case by hand."""

from django.core.exceptions import ValidationError
from django.db import transaction

from mappings.snapshot import snapshot_of

from .conditions import MAX_CONDITIONS, check_condition
from .engine import apply_rule
from .models import Action, Rule, Trigger

DATE_SOURCES = ("created", "updated", "closed", "due")


def _status_changed_problems(rule, config, kinds, statuses):
    return {f"trigger_{side}": [f"'{config[side]}' is not a status of {rule.case_type.name}"]
            for side in ("from", "to") if config.get(side) and config[side] not in statuses}


MAX_DAYS = 36_500  # a hundred years either way: enough for any case date, and never a date out of range


def _field_changed_problems(rule, config, kinds, statuses):
    return {} if config.get("field") in kinds else {"trigger_field": ["Choose one of the case type's fields"]}


def _date_reached_problems(rule, config, kinds, statuses):
    problems = {}
    if config.get("date") not in DATE_SOURCES and kinds.get(config.get("date")) != "date":
        problems["trigger_date"] = ["Choose a case date or a date field"]
    offset = config.get("offset_days", 0)
    if not isinstance(offset, int) or isinstance(offset, bool):
        problems["trigger_days"] = ["Enter a whole number of days"]
    elif abs(offset) > MAX_DAYS:
        problems["trigger_days"] = [f"Enter a number of days between -{MAX_DAYS:,} and {MAX_DAYS:,}"]
    return problems


def _time_in_status_problems(rule, config, kinds, statuses):
    problems = {}
    if config.get("status") not in statuses:
        problems["trigger_status"] = ["Choose one of the case type's statuses"]
    if not isinstance(config.get("days"), int) or config["days"] < 1:
        problems["trigger_days"] = ["Enter a number of days, 1 or more"]
    elif config["days"] > MAX_DAYS:
        problems["trigger_days"] = [f"Enter at most {MAX_DAYS:,} days"]
    return problems


DELIVERY_TRIGGER_STATUSES = {
    "failed": "Any failure",
    "delivered": "Delivered (a letter: posted)",
    "permanent-failure": "Permanent failure (the email address or phone number does not exist)",
    "temporary-failure": "Temporary failure (inbox full, phone off)",
    "technical-failure": "Technical failure at Notify",
    "validation-failed": "A letter failed Notify's checks",
    "virus-scan-failed": "A letter's PDF failed the virus scan",
    "returned-letter": "A letter came back undelivered",
}


def _delivery_status_problems(rule, config, kinds, statuses):
    from mappings.models import MappingTemplate

    from .models import Rule

    problems = {}
    if not isinstance(config.get("status"), str) or config["status"] not in DELIVERY_TRIGGER_STATUSES:
        problems["delivery_status"] = ["Choose the delivery status that fires the rule"]
    if config.get("channel") not in (None, "", "email", "sms", "letter") or isinstance(config.get("channel"), list):
        problems["delivery_channel"] = ["Choose email, text message or letter"]
    for name, model, field in ((("mapping_template", MappingTemplate, "delivery_mapping_template")),
                               (("rule", Rule, "delivery_rule"))):
        value = config.get(name)
        if value in (None, ""):
            continue
        if not _is_id(value) or not model.objects.filter(pk=int(value), case_type_id=rule.case_type_id).exists():
            problems[field] = [f"Choose one of the case type's {'mapping templates' if name != 'rule' else 'rules'}"]
    return problems


def _is_id(value):
    return (isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63) or (
        isinstance(value, str) and value.isascii() and value.isdigit() and 0 < int(value) < 2**63)


def _text_received_problems(rule, config, kinds, statuses):
    problems = {}
    if not isinstance(config.get("word", ""), str):
        problems["text_word"] = ["Enter the word as text"]
    elif not isinstance(config.get("test", ""), str) or config.get("test") not in (None, "", "starts_with", "contains",
                                                                                   "equals"):
        problems["text_test"] = ["Choose starts with, contains or equals"]
    elif config.get("test") and not str(config.get("word") or "").strip():
        problems["text_word"] = ["Enter the word the reply is tested for, like STOP"]
    return problems


def _document_added_problems(rule, config, kinds, statuses):
    types = rule.case_type.document_types or []
    if config.get("document_type") not in types:
        return {"document_type": [f"Choose one of the document types of {rule.case_type.name}" if types else
                                  f"{rule.case_type.name} has no document types: add them to the case type first"]}
    return {}


TRIGGER_CHECKS = {
    Trigger.DOCUMENT_ADDED: _document_added_problems,
    Trigger.TEXT_RECEIVED: _text_received_problems,
    Trigger.DELIVERY_STATUS: _delivery_status_problems,
    Trigger.STATUS_CHANGED: _status_changed_problems,
    Trigger.FIELD_CHANGED: _field_changed_problems,
    Trigger.DATE_REACHED: _date_reached_problems,
    Trigger.TIME_IN_STATUS: _time_in_status_problems,
}


def _trigger_problems(rule, kinds, statuses):
    if not isinstance(rule.trigger_config or {}, dict):
        return {"trigger": ["Give the trigger's settings as an object"]}
    check = TRIGGER_CHECKS.get(rule.trigger)
    return check(rule, rule.trigger_config or {}, kinds, statuses) if check else {}


def _field_update_problems(rule, op, kinds):
    from cases.validation import clean_field_values

    if not isinstance(op.get("key"), str) or op["key"] not in kinds:
        return {"update_field": ["Choose one of the case type's fields"]}
    if op.get("to") in (None, ""):
        return {"update_value": ["Enter the value the field is set to"]}
    _, field_errors = clean_field_values(rule.case_type.fields.all(), {op["key"]: op.get("to")}, partial=True)
    return {"update_value": list(field_errors.values())} if field_errors else {}


def _consent_update_problems(rule, op):
    problems = {}
    if not isinstance(op.get("channel"), str) or op["channel"] not in ("email", "sms", "letter"):
        problems["update_consent_channel"] = ["Choose email, text message or letter"]
    if not isinstance(op.get("role"), str) or op["role"] not in (rule.case_type.person_roles or ["Applicant"]):
        problems["update_consent_role"] = ["Choose one of the case type's person roles"]
    if not isinstance(op.get("to"), bool):
        problems["update_consent_to"] = ["Say whether consent is given (true) or withdrawn (false)"]
    return problems


def _case_update_problems(rule, kinds, statuses):
    """The "Update the case" action checked against the case type, as the case form checks a case."""
    problems = {}
    if not isinstance(rule.case_update or [], list) or not all(isinstance(op, dict) for op in rule.case_update or []):
        return {"update_status": ["Give the case update as a list of changes"]}
    for op in rule.case_update or []:
        kind = op.get("set")
        if kind == "status":
            if not isinstance(op.get("to"), str) or op["to"] not in statuses:
                problems["update_status"] = ["Choose one of the case type's statuses"]
        elif kind == "field":
            problems.update(_field_update_problems(rule, op, kinds))
        elif kind == "consent":
            problems.update(_consent_update_problems(rule, op))
        else:
            problems["update_status"] = [f"'{kind}' is not something a rule can update"]
    return problems


def rule_check(*, rule, mapping_templates):
    """Field-level problems with a rule: its trigger settings, conditions and actions."""
    case_type = rule.case_type
    kinds = {f.key: f.kind for f in case_type.fields.all()}
    statuses = set(case_type.statuses.values_list("name", flat=True))
    errors = _trigger_problems(rule, kinds, statuses)
    if len(rule.conditions or []) > MAX_CONDITIONS:
        errors["conditions"] = [f"A rule has at most {MAX_CONDITIONS} conditions"]
    for number, condition in enumerate((rule.conditions or [])[:MAX_CONDITIONS], start=1):
        problems = check_condition(condition, kinds)
        if problems:
            errors[f"condition_{number}"] = problems
    errors.update(_case_update_problems(rule, kinds, statuses))
    if not mapping_templates and not rule.case_update:
        errors["actions"] = ["Choose at least one mapping template to apply, or a change to the case"]
    for mapping in mapping_templates:
        if mapping.case_type_id != case_type.pk:
            errors.setdefault("actions", []).append(f"'{mapping.name}' is for {mapping.case_type.name} cases")
        elif not mapping.enabled:
            errors.setdefault("actions", []).append(f"The mapping template '{mapping.name}' is disabled")
        elif not mapping.integration.enabled:
            errors.setdefault("actions", []).append(
                f"The integration '{mapping.integration.name}' of '{mapping.name}' is disabled")
    return errors


@transaction.atomic
def rule_save(*, rule, mapping_templates):
    """Save a rule and its Apply integration actions; ValidationError with field messages otherwise."""
    errors = rule_check(rule=rule, mapping_templates=mapping_templates)
    if errors:
        raise ValidationError(errors)
    rule.save()
    _save_actions(rule, mapping_templates)
    return rule


def _save_actions(rule, mapping_templates):
    """The Apply integration actions changed in place, so the history shows only what changed."""
    existing = {action.mapping_template_id: action for action in rule.actions.all()}
    wanted = {mapping.pk: order for order, mapping in enumerate(mapping_templates)}
    for mapping_id, action in existing.items():
        if mapping_id not in wanted:
            action.delete()
        elif action.order != wanted[mapping_id]:
            action.order = wanted[mapping_id]
            action.save()
    for mapping in mapping_templates:
        if mapping.pk not in existing:
            Action.objects.create(rule=rule, mapping_template=mapping, order=wanted[mapping.pk])


# Rules that react to a message or a reply only make sense when that happens: never run by hand.
EVENT_ONLY_TRIGGERS = (Trigger.DELIVERY_STATUS, Trigger.TEXT_RECEIVED)


def case_run_rules(*, case):
    """Apply the case type's rules that caseworkers may run by hand, now. Returns their outcomes."""
    rules = (Rule.objects.filter(case_type=case.case_type_id, enabled=True, manual=True)
             .exclude(trigger__in=EVENT_ONLY_TRIGGERS)
             .prefetch_related("actions__mapping_template__placeholders", "actions__mapping_template__integration"))
    snapshot = snapshot_of(case.pk)
    with transaction.atomic():
        return [apply_rule(rule, case, snapshot) for rule in rules]
