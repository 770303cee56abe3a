"""The "Update the case" action: checked as the case form checks a case, shown in the dry run, and never applied
to existing cases in bulk."""

import pytest
from django.core.exceptions import ValidationError

from mappings.snapshot import snapshot_of
from rules.bulk import NotApplicable, bulk_job_start
from rules.engine import dry_run
from rules.models import Rule, Trigger
from rules.services import rule_save
from tests.factories import PersonFactory, make_case

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


@pytest.mark.parametrize("config", [
    {"status": ["failed"]}, {"status": "failed", "mapping_template": "abc"}, {"status": "failed", "rule": {"x": 1}}])
def test_a_delivery_trigger_of_the_wrong_shape_is_a_400_not_a_500(case_type, api_as, config):
    from tests.factories import admin_user

    response = api_as(admin_user()).post("/api/rules/", {
        "name": "Odd", "case_type": case_type.pk, "trigger": "delivery_status", "trigger_config": config,
        "case_update": [{"set": "status", "to": "Closed"}]}, format="json")
    assert response.status_code == 400, response.content


@pytest.mark.parametrize("update", [[{"set": "consent", "role": "Applicant", "channel": "sms", "to": "false"}],
                                    [{"set": "status", "to": ["Closed"]}], [{"set": "field", "key": {"a": 1}}],
                                    ["not an object"]])
def test_a_case_update_of_the_wrong_shape_is_a_400_not_a_500(case_type, api_as, update):
    from tests.factories import admin_user

    response = api_as(admin_user()).post("/api/rules/", {
        "name": "Odd", "case_type": case_type.pk, "trigger": "case_updated", "case_update": update}, format="json")
    assert response.status_code == 400, response.content


def test_a_rule_never_reacts_to_its_own_failed_messages(case_type, integration):
    from integrations.delivery.record import record
    from integrations.log import LogEntry, Status
    from tests.rules.helpers import make_mapping, make_rule

    rule = make_rule(case_type, make_mapping(integration, case_type=case_type), name="Any failure: try again",
                     trigger=Trigger.DELIVERY_STATUS, trigger_config={"status": "failed"}, conditions=[],
                     send_once=False)
    case = make_case(case_type, field_values={"decision": "Approved"},
                     people=[(PersonFactory(first_name="A", email="a@example.com"),
                              "Applicant")])
    own = LogEntry.objects.create(integration=integration, case=case, channel="email", rule_id=rule.pk,
                                  rule_name=rule.name, recipient="a@example.com", status=Status.SENT,
                                  notify_id="7b3b4a0e-96a1-4a6a-9d5e-0c5b8f2c1a11")
    record(integration=integration, status="permanent-failure", source="callback", notify_id=own.notify_id)
    assert LogEntry.objects.count() == 1
