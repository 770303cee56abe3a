"""The rules engine: which rules a case event fires, and applying a rule to a case.

Runs inside the transaction of the case change (cases.events.case_event_recorded), so the messages a
rule queues commit or roll back with the change. It never stops a case from saving: a message that
cannot be resolved becomes a failed log entry with its reasons, and an unexpected error in one rule
is logged, recorded, and rolled back to a savepoint while the case change goes on.
"""

import contextvars
import logging
import re
from dataclasses import dataclass

from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations import outbox
from integrations.delivery import statuses as delivery_statuses
from integrations.log import LogEntry, Status
from mappings.resolve import resolve
from mappings.snapshot import snapshot_of
from mappings.versions import version_of

from .conditions import all_match
from .models import Action, Rule, RuleRun, Trigger

logger = logging.getLogger(__name__)

TRIGGER_FOR_EVENT = {
    "created": Trigger.CASE_CREATED,
    "updated": Trigger.CASE_UPDATED,
    "status_changed": Trigger.STATUS_CHANGED,
    "field_changed": Trigger.FIELD_CHANGED,
    "document_added": Trigger.DOCUMENT_ADDED,
}
# Set while the engine applies rules: case events caused by a rule's own effects do not fire rules again.
_applying = contextvars.ContextVar("rules_applying", default=False)


@dataclass
class Outcome:
    """What applying a rule to a case did: 'applied' (with its log entries), 'unmatched' (conditions not
    met), 'skipped' (already sent once) or 'error', with a reason."""

    rule: Rule
    case_id: int
    result: str
    reason: str = ""
    entries: tuple = ()


def trigger_matches(rule, event_data):
    """Whether an event's details fit the rule's trigger settings (from/to status, field and value; the delivery
    status, channel, mapping template and rule of a message)."""
    config = rule.trigger_config or {}
    if rule.trigger == Trigger.DELIVERY_STATUS:
        return delivery_matches(config, event_data)
    if rule.trigger == Trigger.TEXT_RECEIVED:
        return text_matches(config, event_data.get("content", ""))
    if rule.trigger == Trigger.DOCUMENT_ADDED:
        return config.get("document_type") == event_data.get("document_type")
    if rule.trigger == Trigger.STATUS_CHANGED:
        return all(not config.get(side) or config[side] == event_data.get(side) for side in ("from", "to"))
    if rule.trigger == Trigger.FIELD_CHANGED:
        if config.get("field") != event_data.get("key"):
            return False
        wanted = config.get("to")
        return wanted in (None, "") or str(wanted).lower() == str(event_data.get("new")).lower()
    return True


def delivery_matches(config, event):
    wanted = config.get("status") or "failed"
    if wanted == "failed":
        status_ok = event["status"] in delivery_statuses.FAILED
    elif wanted == "delivered":
        status_ok = event["status"] in delivery_statuses.DELIVERED
    else:
        status_ok = event["status"] == wanted
    return status_ok and all(not config.get(name) or str(config[name]) == str(event.get(name) or "")
                             for name in ("channel", "mapping_template", "rule"))


def text_matches(config, content):
    """Whether a reply fits the trigger's test: its first word is the word ("YES, I can" starts with YES,
    "Yesterday" does not), it holds the word as a whole word, or it is exactly the word; compared without regard
    to capitals, with the ends trimmed. Any reply when no test is set."""
    test, word = config.get("test") or "", str(config.get("word") or "").strip()
    if not test or not word:
        return True
    text = str(content).strip()
    if test == "equals":
        return text.casefold() == word.casefold()
    pattern = rf"(?<!\w){re.escape(word)}(?!\w)"
    if test == "starts_with":
        return re.match(pattern, text, re.IGNORECASE) is not None
    return re.search(pattern, text, re.IGNORECASE) is not None


def _acts_for(rule, roles):
    """Whether every person the rule acts on (consent changed, message sent) holds one of `roles` on the case: a
    reply from the Agent never changes the Applicant's consent or texts the Applicant."""
    wanted = {op.get("role") for op in rule.case_update or [] if op.get("set") == "consent"}
    for action in rule.actions.all():
        recipient = action.mapping_template.recipient or {}
        wanted.add(recipient.get("role") if recipient.get("source") == "person" else recipient.get("person_role"))
    wanted.discard(None)
    return {role.casefold() for role in wanted} <= {role.casefold() for role in roles}


def _guarded(receiver):
    """A receiver of Notify's news (a delivery status, a reply) that never stops the news being stored: a database
    error goes up (the callback answers 5xx and Notify tries again); any other error is logged and the news kept."""

    def guarded(*args, **kwargs):
        try:
            return receiver(*args, **kwargs)
        except DatabaseError:
            raise
        except Exception:
            logger.exception("Rules could not react to %s", receiver.__name__)
            return None

    guarded.__name__ = receiver.__name__
    return guarded


@_guarded
def on_text_received(text, **kwargs):
    """Signal receiver (inbox.services.text_received_on_case): apply the rules that react to a reply on a case, for
    the person who sent it (only rules that act on that person's roles on the case)."""
    if not text.case_id or _applying.get():
        return
    from cases.models import Case, CasePerson

    case = Case.objects.filter(pk=text.case_id).first()
    if case is None:
        return
    roles = set(CasePerson.objects.filter(case=case, person_id=text.person_id).values_list("role", flat=True))
    rules = [rule for rule in rules_for(case.case_type_id, Trigger.TEXT_RECEIVED)
             if trigger_matches(rule, {"content": text.content}) and _acts_for(rule, roles)]
    if rules:
        snapshot = snapshot_of(case.pk)
        for rule in rules:
            apply_rule(rule, case, snapshot, database_errors_raise=True)


@_guarded
def on_delivery_status(entry, status, **kwargs):
    """Signal receiver (integrations.delivery.record.delivery_status_changed): apply the rules that react to a
    message's new delivery status, in the transaction that recorded it. What they send follows that message."""
    if not entry.case_id or _applying.get():
        return
    from cases.models import Case

    case = Case.objects.filter(pk=entry.case_id).first()
    if case is None:
        return
    event = {"status": status, "channel": entry.channel, "mapping_template": entry.mapping_template_id,
             "rule": entry.rule_id}
    # A rule never reacts to its own messages: a failing fallback must not send its fallback again and again.
    rules = [rule for rule in rules_for(case.case_type_id, Trigger.DELIVERY_STATUS)
             if rule.pk != entry.rule_id and trigger_matches(rule, event)]
    if rules:
        snapshot = snapshot_of(case.pk)
        for rule in rules:
            apply_rule(rule, case, snapshot, follows=entry.pk, database_errors_raise=True)


def rules_for(case_type_id, trigger):
    return (
        Rule.objects.filter(enabled=True, case_type_id=case_type_id, trigger=trigger)
        .prefetch_related("actions__mapping_template__placeholders", "actions__mapping_template__integration")
        .order_by("order", "id")
    )


def on_case_event(event, **kwargs):
    """Signal receiver: apply the rules this event fires."""
    if _applying.get():
        return
    trigger = TRIGGER_FOR_EVENT.get(event.kind)
    if trigger is None:
        return
    rules = [rule for rule in rules_for(event.case.case_type_id, trigger) if trigger_matches(rule, event.data)]
    if rules:
        snapshot = snapshot_of(event.case_id)
        for rule in rules:
            apply_rule(rule, event.case, snapshot)


def sent_for(rule_id, case_ids):
    """The cases among `case_ids` that a message of this rule reached or is still on its way to.

    A failed message does not count: a rule that sends once sends again once the case's data is fixed.
    """
    return set(LogEntry.objects.filter(rule_id=rule_id, case_id__in=case_ids).exclude(status=Status.FAILED)
               .order_by().values_list("case_id", flat=True).distinct())


def _claim_run(rule, case):
    """Record the run; False when the rule sends once and a message of it already reached this case (or is on
    its way).

    The unique (rule, case) row is the guard: of two concurrent transactions, the second waits on the
    first's insert (or its lock of the row) and then sees the first's message, so a burst of updates to one
    case sends once.
    """
    try:
        with transaction.atomic():
            _, created = RuleRun.objects.get_or_create(rule=rule, case=case)
    except IntegrityError:
        created = False
    if created:
        return True
    if rule.send_once:
        RuleRun.objects.select_for_update().filter(rule=rule, case=case).first()  # waits for a concurrent run
        if sent_for(rule.pk, [case.pk]):
            return False
    RuleRun.objects.filter(rule=rule, case=case).update(runs=F("runs") + 1, last_run_at=timezone.now())
    return True


def entry_for_action(action, snapshot, rule):
    """The (unsaved) log entry of one Apply integration action for a case: the message, or why there is none."""
    mapping = action.mapping_template
    origin = {"case": (snapshot["id"], snapshot["reference"]), "rule": (rule.pk, rule.name),
              "mapping_template": (mapping.pk, mapping.name)}
    if not mapping.enabled:
        return outbox.failed_entry_for(integration=mapping.integration, channel=mapping.notify_channel,
                                       problems=[f"The mapping template '{mapping.name}' is disabled"], **origin)
    result = resolve(mapping.spec(), snapshot, reference=outbox.new_reference())
    if not result.ok:
        entry = outbox.failed_entry_for(integration=mapping.integration, channel=mapping.notify_channel,
                                        problems=result.problems, template_id=mapping.notify_template_id, **origin)
    else:
        entry = outbox.entry_for(integration=mapping.integration, message=result.message, **origin)
    entry.rule_version, entry.mapping_template_version = version_of(rule), version_of(mapping)
    return entry


def apply_integration(action, snapshot, rule, follows=None):
    """Resolve the action's mapping template for the case and hand the message to the outbox (or record why not).
    `follows`: the log entry whose delivery status caused it (channel fallback)."""
    entry = entry_for_action(action, snapshot, rule)
    entry.follows_id = follows
    return outbox.put_many([entry])[0]


def update_case(rule, case):
    """The rule's "Update the case" action: set the status, set fields, give or withdraw a linked person's consent.
    Each change is a case event whose author is the rule (rules.services checks the updates when the rule is
    saved; a case type changed since then makes the change fail here, rolling the rule back, as any rule error)."""
    if not rule.case_update:
        return
    from cases import services as case_services

    status_name = next((op["to"] for op in rule.case_update if op.get("set") == "status"), None)
    fields = {op["key"]: op["to"] for op in rule.case_update if op.get("set") == "field"}
    if status_name or fields:
        status = case.case_type.statuses.get(name=status_name) if status_name else None
        case_services.case_update(case=case, status=status, field_values=fields or None, by_rule=rule.name)
    for op in rule.case_update:
        if op.get("set") == "consent":
            case_services.case_set_consent(case=case, role=op["role"], channel=op["channel"], value=op["to"] is True,
                                           by_rule=rule.name)


def apply_rule(rule, case, snapshot, *, today=None, follows=None, database_errors_raise=False):
    """Apply one rule to one case now: conditions, the case update, the run-once guard, then each message.

    Never raises, except a database error when `database_errors_raise` (a Notify callback's caller must answer 5xx
    so that Notify tries again, rather than lose what the rule would have done). "Sends once" holds back only the
    messages: the case update is made every time the rule fires (a second STOP withdraws consent again).
    """
    if not all_match(rule.conditions, snapshot, mode=rule.condition_mode, today=today):
        return Outcome(rule, case.pk, "unmatched", "The case does not meet the conditions")
    token = _applying.set(True)
    try:
        with transaction.atomic():
            if rule.case_update:
                update_case(rule, case)
                snapshot = snapshot_of(case.pk)  # the messages see the case as the update left it
            if not _claim_run(rule, case):
                return Outcome(rule, case.pk, "skipped", "Already sent for this case (sends once)")
            actions = list(rule.actions.all())
            entries = tuple(apply_integration(action, snapshot, rule, follows) for action in actions)
        return Outcome(rule, case.pk, "applied", entries=entries)
    except DatabaseError:
        if database_errors_raise:
            raise
        logger.exception("Rule %s failed on case %s", rule.pk, case.pk, extra={"rule_id": rule.pk, "case_id": case.pk})
        return Outcome(rule, case.pk, "error", "The rule could not be applied; see the server log")
    except Exception:  # one broken rule must not stop the case change or the other rules
        logger.exception("Rule %s failed on case %s", rule.pk, case.pk, extra={"rule_id": rule.pk, "case_id": case.pk})
        return Outcome(rule, case.pk, "error", "The rule could not be applied; see the server log")
    finally:
        _applying.reset(token)


def dry_run(rule, snapshot):
    """What the rule would do for the case right now, without sending: (outcome, [(action, resolution)]).

    The outcome is "Would send" only when every action's message resolves; otherwise "Would fail", with each
    failing action's reasons beside it.
    """
    if not all_match(rule.conditions, snapshot, mode=rule.condition_mode):
        return "The case does not meet the conditions", []
    if rule.send_once and sent_for(rule.pk, [snapshot["id"]]):
        return "Already sent for this case (sends once)", []
    resolutions = [(action, resolve(action.mapping_template.spec(), snapshot, reference="dry-run"))
                   for action in Action.objects.filter(rule=rule).select_related("mapping_template")]
    update = f"Would update the case ({update_words(rule)})" if rule.case_update else ""
    if not resolutions:
        return update or "Would do nothing", resolutions
    outcome = "Would send" if all(resolution.ok for _, resolution in resolutions) else "Would fail"
    return (f"{update}, then {outcome[0].lower()}{outcome[1:]}" if update else outcome), resolutions


def update_words(rule):
    """The rule's "Update the case" action in words: "status to Closed; Visit confirmed to yes; ..."."""
    labels = dict(rule.case_type.fields.values_list("key", "label"))
    words = []
    for op in rule.case_update or []:
        if op.get("set") == "status":
            words.append(f"status to {op.get('to')}")
        elif op.get("set") == "field":
            words.append(f"{labels.get(op.get('key'), op.get('key'))} to {op.get('to')}")
        elif op.get("set") == "consent":
            verb = "give" if op.get("to") else "withdraw"
            words.append(f"{verb} {op.get('role')}'s consent to {op.get('channel')}")
    return "; ".join(words)
