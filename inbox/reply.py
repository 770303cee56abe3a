"""A caseworker's text reply from the case: through a text-message mapping template one of whose placeholders is
"typed by the caseworker when sending". Checked against Notify's limits before it is queued."""

import hashlib
import re
from dataclasses import dataclass

from django.db import transaction

from integrations import outbox
from mappings.models import MappingTemplate
from mappings.resolve import resolve
from mappings.sms_length import sms_length
from mappings.snapshot import snapshot_of
from mappings.sources import find_person
from mappings.versions import version_of

MAX_TYPED = 918
PLACEHOLDER = re.compile(r"\(\(([^()?]+)\)\)")


class ReplyRefused(Exception):
    pass


@dataclass
class ReplyCheck:
    text: str  # the whole message as Notify will get it
    length: object  # mappings.sms_length.SmsLength
    problems: list
    to: str = ""  # who gets it: the number, and whose it is

    @property
    def digest(self):
        """Names exactly what was checked, so Send sends that and nothing edited since."""
        return hashlib.sha256(f"{self.to}\n{self.text}".encode()).hexdigest()


def reply_templates(case):
    """The case type's enabled text-message mapping templates with a placeholder typed when sending."""
    return (MappingTemplate.objects.filter(case_type_id=case.case_type_id, channel="sms", enabled=True,
                                           placeholders__source__source="entered")
            .select_related("integration").distinct().order_by("name"))


def _resolved(case, mapping, typed):
    snapshot = {**snapshot_of(case.pk), "entered": typed}
    return snapshot, resolve(mapping.spec(), snapshot, reference=outbox.new_reference())


def _recipient_problems(mapping, snapshot):
    """A person who has not agreed to texts (or withdrew, by replying STOP), or whose number Notify could not
    reach, is not texted from the case."""
    source = mapping.recipient or {}
    if source.get("source") != "person":
        return [], ""
    person = find_person(snapshot, source.get("role"))
    if person is None:
        return [], ""
    name = " ".join(p for p in (person.get("first_name"), person.get("last_name")) if p)
    problems = []
    if not person.get("consent_sms"):
        problems.append(f"{name} ({source.get('role')}) has not agreed to be contacted by text message, or withdrew "
                        f"it (for example by replying STOP)")
    if person.get("phone_failed_at"):
        problems.append(f"{name}'s phone number is marked as not working: Notify could not deliver to it")
    return problems, name


def reply_check(*, case, mapping, typed):
    """What would be sent and to whom: the whole text, its length and fragments as Notify counts them, and any
    problem that stops it."""
    problems = []
    if len(typed or "") > MAX_TYPED:
        problems.append(f"Type at most {MAX_TYPED} characters")
    snapshot, result = _resolved(case, mapping, typed)
    if not result.ok:
        return ReplyCheck("", sms_length(typed or ""), problems + list(result.problems))
    person_problems, name = _recipient_problems(mapping, snapshot)
    body = _body(mapping, result.message.personalisation)
    length = sms_length(body)
    if length.too_long:
        problems.append(f"The text would be {length.characters} characters; Notify sends at most 918")
    to = f"{result.message.recipient} ({name})" if name else result.message.recipient
    return ReplyCheck(body, length, person_problems + problems, to)


def _body(mapping, personalisation):
    """The Notify template's body with the values in (for counting; Notify renders it the same way)."""
    from integrations.models import NotifyTemplate

    template = NotifyTemplate.objects.filter(integration_id=mapping.integration_id,
                                             notify_id=mapping.notify_template_id).first()
    body = template.body if template else "".join(str(v) for v in personalisation.values())
    # One pass, as Notify fills a template: a typed "((reference))" is sent as typed, never filled in.
    return PLACEHOLDER.sub(lambda m: str(personalisation.get(m.group(1).strip(), m.group(0))), body)


@transaction.atomic
def case_reply(*, case, mapping, typed, actor, checked=None):
    """Queue the reply on the outbox (it shows in the case's conversation). Raises ReplyRefused saying why not;
    with `checked` (a ReplyCheck digest), also when the text or its recipient changed since it was checked."""
    if mapping not in reply_templates(case):
        raise ReplyRefused("Choose a text message template for replies of this case type")
    check = reply_check(case=case, mapping=mapping, typed=typed)
    if check.problems:
        raise ReplyRefused("; ".join(check.problems))
    if checked is not None and checked != check.digest:
        raise ReplyRefused("The text changed since you checked it: check it again before sending")
    _, result = _resolved(case, mapping, typed)
    entry = outbox.entry_for(integration=mapping.integration, message=result.message, case=(case.pk, case.reference),
                             rule=(None, f"Reply by {actor.get_username()}"), mapping_template=(mapping.pk, mapping.name))
    entry.mapping_template_version = version_of(mapping)
    return outbox.put_many([entry])[0]
