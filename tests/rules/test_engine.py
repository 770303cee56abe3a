"""The rules engine on real PostgreSQL: triggers, conditions, consent, run-once, problems as log entries."""

import threading

import pytest
from django.db import connection

from cases import services
from integrations.log import FailureKind, LogEntry, Status
from rules.models import RuleRun, Trigger
from tests.factories import make_case
from tests.rules.helpers import TEMPLATE_ID, applicant_case, decide, make_rule


@pytest.mark.django_db
def test_a_status_change_queues_the_message_in_the_same_transaction(case_type, mapping):
    rule = make_rule(case_type, mapping)
    case = applicant_case(case_type)
    decide(case, case_type)
    entry = LogEntry.objects.get()
    assert (entry.status, entry.case_id, entry.rule_id, entry.mapping_template_id) == (
        Status.QUEUED, case.pk, rule.pk, mapping.pk)
    assert entry.recipient == case.people.get().email
    assert entry.personalisation == {"name": "Amira", "decision": "Approved"}
    assert (entry.template_id, entry.template_version, entry.case_reference) == (TEMPLATE_ID, 1, case.reference)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("config", "status", "fires"),
    [
        ({"to": "Decision issued"}, "Decision issued", True),
        ({"to": "Decision issued"}, "Under review", False),
        ({"from": "Received"}, "Under review", True),
        ({"from": "Under review"}, "Decision issued", False),
        ({}, "Closed", True),
    ],
)
def test_status_changed_fires_only_for_its_from_and_to(case_type, mapping, config, status, fires):
    make_rule(case_type, mapping, trigger_config=config)
    case = applicant_case(case_type)
    decide(case, case_type, status)
    assert LogEntry.objects.count() == (1 if fires else 0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("config", "changes", "fires"),
    [
        ({"field": "decision"}, {"decision": "Refused"}, True),
        ({"field": "decision", "to": "refused"}, {"decision": "Refused"}, True),
        ({"field": "decision", "to": "Approved"}, {"decision": "Refused"}, False),
        ({"field": "fee"}, {"decision": "Refused"}, False),
        ({"field": "decision"}, {"decision": "Approved"}, False),  # unchanged: no event
    ],
)
def test_field_changed_fires_for_its_field_and_value(case_type, mapping, config, changes, fires):
    make_rule(case_type, mapping, trigger=Trigger.FIELD_CHANGED, trigger_config=config, conditions=[])
    case = applicant_case(case_type)
    services.case_update(case=case, field_values=changes)
    assert LogEntry.objects.count() == (1 if fires else 0)


@pytest.mark.django_db
def test_case_created_and_updated_triggers(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.CASE_CREATED, trigger_config={}, conditions=[], send_once=False)
    make_rule(case_type, mapping, trigger=Trigger.CASE_UPDATED, trigger_config={}, conditions=[], send_once=False,
              name="On update")
    case = make_case(case_type, field_values={"decision": "Approved"})
    assert list(LogEntry.objects.values_list("rule_name", flat=True)) == ["Send the decision"]
    services.case_update(case=case, summary="Changed")
    assert LogEntry.objects.filter(rule_name="On update").count() == 1


@pytest.mark.django_db
def test_no_consent_no_message(case_type, mapping):
    make_rule(case_type, mapping)
    decide(applicant_case(case_type, consent=False), case_type)
    assert LogEntry.objects.count() == 0


@pytest.mark.django_db
def test_a_rule_sends_once_per_case_unless_told_otherwise(case_type, mapping):
    once = make_rule(case_type, mapping, trigger=Trigger.CASE_UPDATED, trigger_config={}, conditions=[])
    case = applicant_case(case_type)
    for summary in ("a", "b", "c"):
        services.case_update(case=case, summary=summary)
    assert LogEntry.objects.count() == 1
    once.send_once = False
    once.save()
    services.case_update(case=case, summary="d")
    assert LogEntry.objects.count() == 2
    assert RuleRun.objects.get(rule=once, case=case).runs == 2


@pytest.mark.django_db
def test_the_applicant_gets_the_decision_once_the_missing_data_is_filled_in(case_type, mapping):
    """A failed message does not count as sent: a rule that sends once sends when the case is fixed."""
    make_rule(case_type, mapping, conditions=[])
    case = applicant_case(case_type)
    services.case_update(case=case, field_values={"decision": ""})
    decide(case, case_type)
    failed = LogEntry.objects.get()
    assert (failed.status, failed.reason) == (Status.FAILED, "((decision)): Field 'Decision' is empty")
    decide(case, case_type, "Under review")
    services.case_update(case=case, field_values={"decision": "Approved"})
    decide(case, case_type)
    sent = LogEntry.objects.exclude(pk=failed.pk).get()
    assert (sent.status, sent.personalisation["decision"]) == (Status.QUEUED, "Approved")
    decide(case, case_type, "Under review")
    decide(case, case_type)  # now it has been sent (is on its way): once is once
    assert LogEntry.objects.count() == 2


@pytest.mark.django_db
def test_a_resolving_problem_is_a_failed_entry_and_the_case_still_saves(case_type, mapping):
    make_rule(case_type, mapping, conditions=[])
    case = applicant_case(case_type, email="")
    decide(case, case_type)
    case.refresh_from_db()
    assert case.status.name == "Decision issued"
    entry = LogEntry.objects.get()
    assert (entry.status, entry.failure_kind) == (Status.FAILED, FailureKind.VALIDATION)
    assert entry.reason == "Applicant has no email address"


@pytest.mark.django_db
def test_a_disabled_mapping_or_integration_is_recorded_not_sent(case_type, mapping):
    make_rule(case_type, mapping, conditions=[], send_once=False)
    case = applicant_case(case_type)
    mapping.integration.enabled = False
    mapping.integration.save()
    decide(case, case_type)
    assert LogEntry.objects.get().reason == "Not sent: the integration 'Planning' is disabled"
    mapping.enabled = False
    mapping.save()
    decide(case, case_type, "Under review")
    decide(case, case_type)
    assert LogEntry.objects.order_by("-id").first().reason == "The mapping template 'Decision email' is disabled"


@pytest.mark.django_db
def test_a_broken_rule_does_not_stop_the_case_or_other_rules(case_type, mapping, monkeypatch):
    make_rule(case_type, mapping, conditions=[], name="Broken")
    make_rule(case_type, mapping, conditions=[], name="Fine")
    from rules import engine

    real = engine.apply_integration

    def explode(action, snapshot, rule, follows=None):
        if rule.name == "Broken":
            raise RuntimeError("boom")
        return real(action, snapshot, rule, follows)

    monkeypatch.setattr(engine, "apply_integration", explode)
    case = applicant_case(case_type)
    decide(case, case_type)
    case.refresh_from_db()
    assert case.status.name == "Decision issued"
    assert list(LogEntry.objects.values_list("rule_name", flat=True)) == ["Fine"]


@pytest.mark.django_db(transaction=True)
def test_run_once_holds_under_50_concurrent_updates(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.CASE_UPDATED, trigger_config={}, conditions=[])
    case = applicant_case(case_type)
    start = threading.Barrier(10)
    errors = []

    def update(n):
        try:
            start.wait()
            for i in range(5):
                services.case_update(case=case, summary=f"update {n}-{i}")
        except Exception as error:  # collected and asserted below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=update, args=(n,)) for n in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert LogEntry.objects.count() == 1
