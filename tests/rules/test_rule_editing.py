"""Saving rules through the service, the editor and the API; bulk apply jobs; running rules on a case."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from cases.models import Case
from integrations.log import LogEntry
from rules.models import BulkJob, JobStatus, Rule, Trigger
from rules.services import rule_save
from tests.rules.helpers import CONSENTED, applicant_case

pytestmark = pytest.mark.django_db


def draft(case_type, **fields):
    defaults = {"name": "Send the decision", "case_type": case_type, "trigger": Trigger.STATUS_CHANGED,
                "trigger_config": {"to": "Decision issued"}, "conditions": [CONSENTED]}
    return Rule(**{**defaults, **fields})


def test_a_good_rule_saves_with_its_actions(case_type, mapping):
    rule = rule_save(rule=draft(case_type), mapping_templates=[mapping])
    assert [a.mapping_template_id for a in rule.actions.all()] == [mapping.pk]


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"trigger_config": {"to": "Pending"}}, {"trigger_to": ["'Pending' is not a status of Planning application"]}),
        ({"trigger": Trigger.FIELD_CHANGED, "trigger_config": {"field": "colour"}},
         {"trigger_field": ["Choose one of the case type's fields"]}),
        ({"trigger": Trigger.TIME_IN_STATUS, "trigger_config": {"status": "Received", "days": 0}},
         {"trigger_days": ["Enter a number of days, 1 or more"]}),
        ({"conditions": [{"subject": {"source": "field", "key": "colour"}, "operator": "equals", "value": "x"}]},
         {"condition_1": ["Choose something of the case to check: a field, a date, the status, a person or an address"]}),
        ({"conditions": [{"subject": {"source": "field", "key": "fee"}, "operator": "before", "value": "today"}]},
         {"condition_1": ["'is before' does not fit a number value: use equals, is greater than, is empty, "
                          "is not empty, is less than, does not equal"]}),
    ],
)
def test_bad_rules_get_field_errors(case_type, mapping, fields, errors):
    with pytest.raises(ValidationError) as caught:
        rule_save(rule=draft(case_type, **fields), mapping_templates=[mapping])
    assert caught.value.message_dict == errors
    assert not Rule.objects.exists()


def test_an_action_needs_an_enabled_mapping_and_integration(case_type, mapping):
    mapping.enabled = False
    mapping.save()
    with pytest.raises(ValidationError) as caught:
        rule_save(rule=draft(case_type), mapping_templates=[mapping])
    assert caught.value.message_dict == {"actions": ["The mapping template 'Decision email' is disabled"]}
    mapping.enabled = True
    mapping.save()
    mapping.integration.enabled = False
    mapping.integration.save()
    with pytest.raises(ValidationError, match="The integration 'Planning' of 'Decision email' is disabled"):
        rule_save(rule=draft(case_type), mapping_templates=[mapping])
    with pytest.raises(ValidationError, match="Choose at least one mapping template"):
        rule_save(rule=draft(case_type), mapping_templates=[])


def test_the_editor_saves_a_rule_with_consent_and_a_condition(client, admin, case_type, mapping):
    client.force_login(admin)
    url = reverse("rules:create") + f"?case_type={case_type.pk}"
    response = client.post(url, {
        "name": "Decision email", "trigger": Trigger.STATUS_CHANGED, "trigger_to": "Decision issued",
        "consent_role": "Applicant", "consent": ["email"], "condition_mode": "all", "condition_1": "field:fee",
        "operator_1": "greater_than", "value_1": "100", "actions": [mapping.pk], "send_once": "on", "enabled": "on",
        "order": 0})
    assert response.status_code == 302, response.content.decode()[:3000]
    rule = Rule.objects.get()
    assert rule.trigger_config == {"to": "Decision issued"}
    assert rule.conditions == [CONSENTED,
                               {"subject": {"source": "field", "key": "fee"}, "operator": "greater_than", "value": "100"}]
    page = client.get(reverse("rules:edit", args=[rule.pk])).content.decode()
    assert 'value="email" checked' in page


def test_the_editor_shows_a_bad_condition_on_its_row(client, admin, case_type, mapping):
    client.force_login(admin)
    response = client.post(reverse("rules:create") + f"?case_type={case_type.pk}", {
        "name": "Bad", "trigger": Trigger.CASE_UPDATED, "consent_role": "Applicant", "condition_mode": "all",
        "condition_1": "field:fee", "operator_1": "contains", "value_1": "x", "actions": [mapping.pk], "order": 0})
    assert response.status_code == 200
    assert "does not fit a number value" in response.content.decode()
    assert not Rule.objects.exists()


def test_the_dry_run_shows_what_would_be_sent_without_sending(client, admin, case_type, mapping):
    rule = rule_save(rule=draft(case_type, conditions=[]), mapping_templates=[mapping])
    case = applicant_case(case_type)
    client.force_login(admin)
    page = client.get(reverse("rules:dry_run", args=[rule.pk])).content.decode()
    assert case.reference in page
    assert f"to {case.people.get().email}" in page
    assert LogEntry.objects.count() == 0


def test_the_api_creates_applies_and_cancels(api_as, admin, case_type, mapping, django_capture_on_commit_callbacks):
    api = api_as(admin)
    body = {"name": "Decision", "case_type": case_type.pk, "trigger": "status_changed",
            "trigger_config": {"to": "Decision issued"}, "conditions": [CONSENTED], "actions": [mapping.pk]}
    assert api.post("/api/rules/", {**body, "trigger_config": {"to": "Nope"}}, format="json").json() == {
        "trigger_to": ["'Nope' is not a status of Planning application"]}
    created = api.post("/api/rules/", body, format="json")
    assert created.status_code == 201, created.json()
    applicant_case(case_type)  # in the initial status: a rule "status changed to Decision issued" does not cover it
    decided = applicant_case(case_type)
    Case.objects.filter(pk=decided.pk).update(status=case_type.statuses.get(name="Decision issued"))
    with django_capture_on_commit_callbacks(execute=False):
        job = api.post(f"/api/rules/{created.json()['id']}/apply/").json()
    assert (job["status"], job["total"], job["url"]) == ("queued", 1, f"/api/rule-jobs/{job['id']}")
    cancelled = api.post(f"/api/rule-jobs/{job['id']}/cancel/").json()
    assert cancelled["status"] == JobStatus.CANCELLED
    assert BulkJob.objects.get().status == JobStatus.CANCELLED


def test_running_rules_on_a_case(api_as, caseworker, case_type, mapping):
    rule_save(rule=draft(case_type, manual=True), mapping_templates=[mapping])
    case = applicant_case(case_type)
    result = api_as(caseworker).post(f"/api/cases/{case.pk}/run-rules/").json()
    assert [(r["rule"], r["result"]) for r in result] == [("Send the decision", "applied")]
    assert LogEntry.objects.get().pk == result[0]["log_entries"][0]
    again = api_as(caseworker).post(f"/api/cases/{case.pk}/run-rules/").json()
    assert again[0]["result"] == "skipped"
    assert Case.objects.count() == 1


def test_the_trigger_is_chosen_from_real_triggers_only(admin_client, case_type):
    page = admin_client.get(reverse("rules:create"), {"case_type": case_type.pk}).content.decode()
    assert "---------" not in page
    assert page.count('name="trigger"') == 9  # six case triggers, a delivery status, a text received, a document


def test_the_mapping_source_for_the_case_type_reads_naturally(case_type):
    from mappings.options import source_options

    labels = [label for _, options in source_options(fields=[], person_roles=[], address_roles=[])
              for _, label in options]
    assert "Type of case" in labels
    assert "Case case type" not in labels


def test_the_dry_run_says_would_fail_with_the_reason_when_a_message_cannot_be_built(admin_client, case_type,
                                                                                     mapping):
    from tests.factories import make_case

    rule = rule_save(rule=Rule(name="Decision", case_type=case_type, trigger=Trigger.CASE_UPDATED, conditions=[]),
                     mapping_templates=[mapping])
    make_case(case_type, field_values={"decision": ""})
    page = admin_client.get(reverse("rules:dry_run", args=[rule.pk])).content.decode()
    assert "Would fail" in page
    assert "Would send" not in page
    assert "not sent: The case has no linked Applicant" in page
