"""Journey: an administrator applies "status changed to Decision issued" to the cases that already exist.

Only cases now in that status are covered, the page says so before anything is sent, and the job's page then
says how many messages were sent, failed and skipped, each as it is. Real sandbox over HTTP.
"""

import re

import pytest
from django.urls import reverse

from cases.models import Case
from integrations import sending
from integrations.log import LogEntry
from rules import bulk
from rules.models import BulkJob, Trigger
from tests.factories import make_case
from tests.integrations.test_sending import quiet_broker  # noqa: F401 (a fixture)
from tests.rules.helpers import applicant_case, make_mapping, make_rule

pytestmark = pytest.mark.django_db


def test_the_rule_reaches_only_cases_now_in_the_status_and_the_job_counts_each_outcome(
        client, admin, case_type, integration, sandbox, quiet_broker):  # noqa: F811
    template = sandbox.create_template("email", subject="Decision", body="Dear ((name)), it was ((decision)).")
    rule = make_rule(case_type, make_mapping(integration, template_id=template, case_type=case_type),
                     trigger=Trigger.STATUS_CHANGED, trigger_config={"to": "Decision issued"}, conditions=[])
    decided = case_type.statuses.get(name="Decision issued")
    ready = [applicant_case(case_type) for _ in range(2)]
    no_applicant = make_case(case_type, field_values={"decision": "Approved"})
    others = [applicant_case(case_type) for _ in range(3)]  # still "Received": the rule is not for them
    Case.objects.filter(pk__in=[c.pk for c in [*ready, no_applicant]]).update(status=decided)

    client.force_login(admin)
    page = client.get(reverse("rules:apply", args=[rule.pk])).content.decode()
    assert "cases now in the status “Decision issued”: <strong>3 of the 6 planning application cases</strong>" in page
    assert "Apply to 3 cases" in page

    client.post(reverse("rules:apply", args=[rule.pk]))
    job = BulkJob.objects.get()
    bulk.bulk_job_run(job.pk)  # what the worker runs
    sending.send_entries(list(LogEntry.objects.filter(status="queued").values_list("pk", flat=True)))

    page = client.get(reverse("rules:job", args=[job.pk])).content.decode()
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page))
    assert "Done : 3 of 3 cases checked (100%)" in text
    assert "Sent 2 messages accepted by Notify" in text
    assert "Failed 1 message (1 could not be built from the case)" in text
    assert "Skipped 0 cases" in text
    assert not LogEntry.objects.filter(case__in=others).exists()
