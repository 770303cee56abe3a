"""A caseworker's text reply from the case: through a text-message mapping template one of whose placeholders is
"typed by the caseworker when sending". Checked against Notify's limits before it is queued."""

from dataclasses import dataclass

from django.db import transaction

from integrations import outbox
from mappings.models import MappingTemplate
from mappings.resolve import resolve
from mappings.sms_length import sms_length
from mappings.snapshot import snapshot_of

MAX_TYPED = 918


class ReplyRefused(Exception):
    pass


@dataclass
class ReplyCheck:
    text: str  # the whole message as Notify will get it
    length: object  # mappings.sms_length.SmsLength
    problems: list


def reply_templates(case):
    """The case type's enabled text-message mapping templates with a placeholder typed when sending."""
    return (MappingTemplate.objects.filter(case_type_id=case.case_type_id, channel="sms", enabled=True,
                                           placeholders__source__source="entered")
            .select_related("integration").distinct().order_by("name"))


def _resolved(case, mapping, typed):
    snapshot = {**snapshot_of(case.pk), "entered": typed}
    return resolve(mapping.spec(), snapshot, reference=outbox.new_reference())


def reply_check(*, case, mapping, typed):
    """What would be sent: the whole text, its length and fragments as Notify counts them, and any problem."""
    problems = []
    if len(typed or "") > MAX_TYPED:
        problems.append(f"Type at most {MAX_TYPED} characters")
    result = _resolved(case, mapping, typed)
    if not result.ok:
        return ReplyCheck("", sms_length(typed or ""), problems + list(result.problems))
    body = _body(mapping, result.message.personalisation)
    length = sms_length(body)
    if length.too_long:
        problems.append(f"The text would be {length.characters} characters; Notify sends at most 918")
    return ReplyCheck(body, length, problems)


def _body(mapping, personalisation):
    """The Notify template's body with the values in (for counting; Notify renders it the same way)."""
    from integrations.models import NotifyTemplate

    template = NotifyTemplate.objects.filter(integration_id=mapping.integration_id,
                                             notify_id=mapping.notify_template_id).first()
    body = template.body if template else "".join(str(v) for v in personalisation.values())
    for name, value in personalisation.items():
        body = body.replace(f"(({name}))", str(value))
    return body


@transaction.atomic
def case_reply(*, case, mapping, typed, actor):
    """Queue the reply on the outbox (it shows in the case's conversation). Raises ReplyRefused saying why not."""
    if mapping not in reply_templates(case):
        raise ReplyRefused("Choose a text message template for replies of this case type")
    check = reply_check(case=case, mapping=mapping, typed=typed)
    if check.problems:
        raise ReplyRefused("; ".join(check.problems))
    result = _resolved(case, mapping, typed)
    return outbox.put(integration=mapping.integration, message=result.message, case=(case.pk, case.reference),
                      rule=(None, f"Reply by {actor.get_username()}"), mapping_template=(mapping.pk, mapping.name))
