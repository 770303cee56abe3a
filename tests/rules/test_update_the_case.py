"""The "Update the case" action: checked as the case form checks a case, shown in the dry run, and never applied
to existing cases in bulk."""

import pytest
from django.core.exceptions import ValidationError

from mappings.snapshot import snapshot_of
from rules.bulk import NotApplicable, bulk_job_start
from rules.engine import dry_run
from rules.models import Rule, Trigger
from rules.services import rule_save
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def update_rule(case_type, update, **fields):
    return Rule(name="Update", case_type=case_type, trigger=Trigger.STATUS_CHANGED,
                trigger_config={"to": "Decision issued"}, case_update=update, **fields)


@pytest.mark.parametrize(("update", "field", "message"), [
    ([{"set": "field", "key": "decision", "to": ""}], "update_value", "Enter the value the field is set to"),
    ([{"set": "field", "key": "fee", "to": "lots"}], "update_value", "number"),
    ([{"set": "field", "key": "nope", "to": "1"}], "update_field", "Choose one of the case type's fields"),
    ([{"set": "status", "to": "Archived"}], "update_status", "Choose one of the case type's statuses"),
    ([{"set": "consent", "role": "Landlord", "channel": "sms", "to": False}], "update_consent_role", "person roles"),
])
def test_a_change_the_case_could_not_take_is_refused_on_its_field(case_type, update, field, message):
    with pytest.raises(ValidationError) as raised:
        rule_save(rule=update_rule(case_type, update), mapping_templates=[])
    assert message in " ".join(raised.value.message_dict[field])
    assert not Rule.objects.exists()


def test_the_dry_run_says_what_the_rule_would_change(case_type):
    rule = rule_save(rule=update_rule(case_type, [{"set": "field", "key": "site_visit_needed", "to": "yes"},
                                                  {"set": "status", "to": "Closed"}]), mapping_templates=[])
    case = make_case(case_type)
    outcome, _ = dry_run(rule, snapshot_of(case.pk))
    assert outcome == "Would update the case (Site visit needed to yes; status to Closed)"


def test_rules_on_replies_and_rules_that_change_cases_are_not_applied_to_existing_cases(case_type):
    updating = rule_save(rule=update_rule(case_type, [{"set": "status", "to": "Closed"}]), mapping_templates=[])
    with pytest.raises(NotApplicable, match="updates the case"):
        bulk_job_start(rule=updating)
    replies = rule_save(rule=Rule(name="Replies", case_type=case_type, trigger=Trigger.TEXT_RECEIVED,
                                  case_update=[{"set": "status", "to": "Closed"}]), mapping_templates=[])
    with pytest.raises(NotApplicable, match="replies"):
        bulk_job_start(rule=replies)


def test_the_update_is_made_with_the_rule_as_author(case_type):
    from cases import services

    rule_save(rule=update_rule(case_type, [{"set": "field", "key": "site_visit_needed", "to": "yes"}]),
              mapping_templates=[])
    case = make_case(case_type)
    services.case_update(case=case, status=case_type.statuses.get(name="Decision issued"))
    case.refresh_from_db()
    assert case.field_values["site_visit_needed"] is True
    assert case.events.get(kind="field_changed").rule_name == "Update"


def test_rules_on_delivery_statuses_and_replies_are_never_run_by_hand(case_type, integration):
    from rules.services import case_run_rules
    from tests.rules.helpers import make_mapping, make_rule

    mapping = make_mapping(integration, case_type=case_type)
    make_rule(case_type, mapping, name="Fallback", manual=True, trigger=Trigger.DELIVERY_STATUS,
              trigger_config={"status": "failed"}, conditions=[])
    make_rule(case_type, mapping, name="On replies", manual=True, trigger=Trigger.TEXT_RECEIVED, conditions=[])
    make_rule(case_type, mapping, name="By hand", manual=True, conditions=[])
    outcomes = case_run_rules(case=make_case(case_type))
    assert [o.rule.name for o in outcomes] == ["By hand"]


@pytest.mark.parametrize(("trigger", "config", "words"), [
    (Trigger.STATUS_CHANGED, {"to": "Decision issued"}, "Status changed to Decision issued"),
    (Trigger.DELIVERY_STATUS, {"status": "permanent-failure", "channel": "email"},
     "A message's delivery status became permanent-failure, for an email"),
    (Trigger.DELIVERY_STATUS, {"status": "failed"}, "A message's delivery status became any failure"),
    (Trigger.TEXT_RECEIVED, {"test": "starts_with", "word": "YES"}, "A text message received on the case starts with “YES”"),
    (Trigger.TEXT_RECEIVED, {"test": "", "word": ""}, "Any text message received on the case"),
])
def test_the_rules_list_says_each_trigger_in_words(case_type, trigger, config, words):
    assert Rule(case_type=case_type, trigger=trigger, trigger_config=config).trigger_words() == words
