"""Journey: the applicant's decision email bounces, so the decision reaches them by post.

Nothing is pretended: the sandbox delivers the email to Notify's "permanently failing" address and POSTs its
delivery-status callback, with the token the product made, to the product's own endpoint on a live server. The
caseworker then sees why on the case, the address is marked as not working, and the fallback rule's letter,
linked to the email that failed, is sent.
"""

import pytest
from django.urls import reverse

from cases.models import Address, Person
from integrations import sending
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save
from mappings.models import MappingTemplate, PlaceholderMapping
from notify_sandbox.testing import SandboxServer
from rules.models import Trigger
from tests.rules.helpers import applicant_case, decide, make_mapping, make_rule
from tests.timing import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def notify():
    with SandboxServer(rate_limit="off", delivery_seconds=0.2) as server:
        server.set_faults(callback_retry_seconds=0.5)
        server.key = server.create_key("test")
        yield server


@pytest.fixture
def fallback(notify, case_type, live_server):
    integration = integration_save(integration=Integration(name="Planning", enabled=True, base_url=notify.base_url),
                                   new_key=notify.key)
    token = make_callback_tokens(integration)["delivery_status_token"]
    notify.control("POST", "callbacks", {
        "service_name": "Sandbox service", "callback_type": "delivery_status", "bearer_token": token,
        "url": live_server.url + reverse("notify_callbacks:delivery_status", args=[integration.callback_id])})
    email = make_mapping(integration, case_type=case_type, template_id=notify.create_template(
        "email", subject="Decision", body="Dear ((name)), your application was ((decision))."))
    letter = MappingTemplate.objects.create(
        name="Decision letter", integration=integration, case_type=case_type, channel="letter",
        notify_template_id=notify.create_template("letter", subject="Decision", body="Dear ((name))"),
        template_version=1, recipient={"person_role": "Applicant", "address": {"of": "case", "role": "Property"}})
    PlaceholderMapping.objects.create(mapping_template=letter, placeholder="name",
                                      source={"source": "person", "role": "Applicant", "detail": "full_name"})
    make_rule(case_type, email, conditions=[])
    make_rule(case_type, letter, name="Bounced: by post", trigger=Trigger.DELIVERY_STATUS, conditions=[],
              trigger_config={"status": "permanent-failure", "channel": "email", "mapping_template": email.pk})
    return integration


def test_a_bounced_decision_email_is_followed_by_the_letter(fallback, case_type, client):
    case = applicant_case(case_type, email="perm-fail@simulator.notify")
    case.addresses.add(Address.objects.create(line_1="1 High Street", town="Exampleton", postcode="SW1A 2AA"),
                       through_defaults={"role": "Property"})
    decide(case, case_type)
    email = LogEntry.objects.get(channel="email")
    sending.send_entry(email.pk)  # what the worker does with the queued email

    # Notify's callback reaches the product: the email failed, and the rule queued the letter, linked to it.
    assert wait_until(lambda: LogEntry.objects.filter(channel="letter").exists(), 30)
    email.refresh_from_db()
    assert email.delivery_status == "permanent-failure"
    letter = LogEntry.objects.get(channel="letter")
    assert letter.follows_id == email.pk
    sending.send_entry(letter.pk)
    letter.refresh_from_db()
    assert letter.status == Status.SENT

    applicant = Person.objects.get(case_links__case=case)
    assert applicant.email_failed_at is not None
    assert "The email address does not exist" in applicant.email_failed_reason

    from tests.factories import caseworker_user

    client.force_login(caseworker_user())
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "The email address does not exist" in page
    assert "Sent because an earlier message was not delivered" in page
    assert "Not working" in page


def test_a_delivered_email_sends_no_letter(fallback, case_type):
    case = applicant_case(case_type, email="amira@example.com")
    decide(case, case_type)
    email = LogEntry.objects.get(channel="email")
    sending.send_entry(email.pk)
    assert wait_until(lambda: LogEntry.objects.get(pk=email.pk).delivery_status == "delivered", 30)
    assert not LogEntry.objects.filter(channel="letter").exists()
