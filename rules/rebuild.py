"""Building a failed message again from its case and mapping template as they are now (the log's "build it
again from the case"). Registered with integrations.log_services when Django starts (rules.apps)."""

from django.db import transaction

from integrations import outbox
from integrations.log_services import NotResendable
from mappings.models import MappingTemplate
from mappings.resolve import resolve
from mappings.snapshot import snapshot_of
from mappings.versions import version_of


def entry_rebuild(*, entry, actor):
    """A new queued entry for the failed `entry`'s case, rule and mapping template; NotResendable with the reasons
    when the message still cannot be built (nothing is written then)."""
    mapping = (MappingTemplate.objects.select_related("integration").prefetch_related("placeholders")
               .filter(pk=entry.mapping_template_id).first())
    if mapping is None:
        raise NotResendable("The mapping template this message was built from has been deleted")
    if not mapping.enabled:
        raise NotResendable(f"The mapping template '{mapping.name}' is disabled: enable it first")
    result = resolve(mapping.spec(), snapshot_of(entry.case_id), reference=outbox.new_reference())
    if not result.ok:
        raise NotResendable("Still cannot be built from the case: " + "; ".join(result.problems))
    with transaction.atomic():
        new = outbox.entry_for(integration=mapping.integration, message=result.message,
                               case=(entry.case_id, entry.case_reference), rule=(entry.rule_id, entry.rule_name),
                               mapping_template=(mapping.pk, mapping.name))
        new.rebuilt_from = entry
        new.rule_version, new.mapping_template_version = entry.rule_version, version_of(mapping)
        new.reason = f"Built again from the case by {actor.get_username()}"
        return outbox.put_many([new])[0]
