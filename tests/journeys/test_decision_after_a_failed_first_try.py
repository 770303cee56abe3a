"""Journey: the applicant gets the decision even though the first try failed.

A caseworker issues a decision before filling in the Decision field, so the rule's email fails. The rule still
sends once the data is there, and an administrator can build the failed message again from the case as it is
now: after a case fix, and after a Notify template change and a mapping update. Real sandbox over HTTP.
"""

import pytest
from django.urls import reverse

from cases import services
from integrations import sending
from integrations.log import LogEntry, Status
from mappings.models import PlaceholderMapping
from tests.integrations.test_sending import quiet_broker  # noqa: F401 (a fixture)
from tests.rules.helpers import applicant_case, decide, make_mapping, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def decision_rule(case_type, integration, sandbox):
    template = sandbox.create_template("email", name="Decision", subject="Decision",
                                       body="Dear ((name)), your application was ((decision)).")
    mapping = make_mapping(integration, template_id=template, case_type=case_type)
    make_rule(case_type, mapping, conditions=[])
    return mapping, template


def _decided_without_a_decision(case_type):
    case = applicant_case(case_type)
    services.case_update(case=case, field_values={"decision": ""})
    decide(case, case_type)
    failed = LogEntry.objects.get()
    assert failed.status == Status.FAILED
    return case, failed


def test_an_admin_builds_the_failed_decision_again_once_the_case_is_fixed(case_type, decision_rule, sandbox, client,
                                                                         admin, quiet_broker):  # noqa: F811
    case, failed = _decided_without_a_decision(case_type)
    client.force_login(admin)
    page = client.get(reverse("log:detail", args=[failed.pk])).content.decode()
    assert "Build it again from the case" in page
    assert "Send exactly the same again" not in page  # there is no message to send again as it was

    refused = client.post(reverse("log:rebuild", args=[failed.pk]), follow=True).content.decode()
    assert "Still cannot be built from the case: ((decision)): Field &#x27;Decision&#x27; is empty" in refused
    assert LogEntry.objects.count() == 1  # nothing written while the case is still incomplete

    services.case_update(case=case, field_values={"decision": "Approved"})
    response = client.post(reverse("log:rebuild", args=[failed.pk]))
    rebuilt = LogEntry.objects.exclude(pk=failed.pk).get()
    assert response.url == reverse("log:detail", args=[rebuilt.pk])
    assert (rebuilt.rebuilt_from_id, rebuilt.personalisation["decision"]) == (failed.pk, "Approved")
    sending.send_entry(rebuilt.pk)
    rebuilt.refresh_from_db()
    assert rebuilt.status == Status.SENT
    received = sandbox.notifications(reference=rebuilt.reference)[0]["personalisation"]
    assert received == {"name": "Amira", "decision": "Approved"}
    again = client.post(reverse("log:rebuild", args=[failed.pk]), follow=True).content.decode()
    assert f"already built again, as log entry {rebuilt.pk}" in again  # a second click sends nothing more
    assert LogEntry.objects.count() == 2


def test_after_a_notify_template_change_the_updated_mapping_builds_a_message_that_sends(
        case_type, decision_rule, sandbox, admin, api_as, settings, quiet_broker):  # noqa: F811
    mapping, template = decision_rule
    case = applicant_case(case_type)
    decide(case, case_type)
    first = LogEntry.objects.get()
    sandbox.create_template("email", name="Decision", subject="Decision", template_id=template,
                            body="Dear ((name)), your application was ((decision)). Ref ((reference)).")
    settings.TEMPLATE_CACHE_SECONDS = 0
    sending.send_entry(first.pk)
    first.refresh_from_db()
    assert first.status == Status.FAILED
    assert "changed after this message was built (version 1 then, 2 now) and now needs ((reference))" in first.reason

    PlaceholderMapping.objects.create(mapping_template=mapping, placeholder="reference",
                                      source={"source": "case", "detail": "reference"})
    mapping.template_version = 2
    mapping.save()
    response = api_as(admin).post(f"/api/log/{first.pk}/rebuild/")
    assert response.status_code == 201, response.content
    rebuilt = LogEntry.objects.get(pk=response.json()["id"])
    sending.send_entry(rebuilt.pk)
    rebuilt.refresh_from_db()
    assert rebuilt.status == Status.SENT
    received = sandbox.notifications(reference=rebuilt.reference)[0]["personalisation"]
    assert received["reference"] == case.reference
