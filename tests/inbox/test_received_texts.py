"""Replies from citizens: kept once whichever way Notify brings them, put on the right case, and shown safely."""

import datetime
import json
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.validation import normalise_phone
from inbox.models import Match, ReceivedText
from integrations.delivery.tokens import make_callback_tokens
from integrations.log import LogEntry, Status
from rules.models import Trigger
from tests.factories import PersonFactory, make_case
from tests.rules.helpers import make_mapping, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def tokens(integration):
    return make_callback_tokens(integration)


def callback(client, integration, token, *, number="447700900123", message="YES I can attend", text_id=None):
    body = {"id": str(text_id or uuid.uuid4()), "source_number": number, "destination_number": "07700900000",
            "message": message, "date_received": "2026-12-01T10:00:00.000000Z"}
    return client.post(reverse("notify_callbacks:received_text", args=[integration.callback_id]),
                       data=json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")


def person_case(case_type, phone="07700 900123", **kwargs):
    person = PersonFactory(first_name="Amira", phone=normalise_phone(phone))  # as every form and the API store it
    return make_case(case_type, field_values={"decision": "Approved"}, people=[(person, "Applicant")], **kwargs), person


def test_a_reply_from_an_applicants_phone_lands_on_their_case(client, integration, tokens, case_type):
    case, person = person_case(case_type)
    response = callback(client, integration, tokens["received_text_token"])
    assert (response.status_code, response.json()) == (200, {"stored": True, "new": True})
    text = ReceivedText.objects.get()
    assert (text.case_id, text.person_id, text.match, text.phone) == (case.pk, person.pk, Match.MATCHED, "+447700900123")


def test_the_same_reply_twice_is_kept_once(client, integration, tokens, case_type):
    text_id = uuid.uuid4()
    assert callback(client, integration, tokens["received_text_token"], text_id=text_id).json()["new"] is True
    assert callback(client, integration, tokens["received_text_token"], text_id=text_id).json()["new"] is False
    assert ReceivedText.objects.count() == 1


def test_the_delivery_status_token_does_not_open_the_received_text_endpoint(client, integration, tokens):
    assert callback(client, integration, tokens["delivery_status_token"]).status_code == 401
    assert ReceivedText.objects.count() == 0


def test_a_body_that_is_not_a_received_text_is_400(client, integration, tokens):
    response = client.post(reverse("notify_callbacks:received_text", args=[integration.callback_id]),
                           data=json.dumps({"id": "x", "message": "hi"}), content_type="application/json",
                           HTTP_AUTHORIZATION=f"Bearer {tokens['received_text_token']}")
    assert response.status_code == 400
    assert {"id", "source_number", "date_received"} <= set(response.json()["fields"])


def test_a_number_on_several_open_cases_goes_to_the_case_that_last_texted_it(client, integration, tokens, case_type):
    first, person = person_case(case_type)
    second = make_case(case_type, field_values={"decision": "Approved"}, people=[(person, "Applicant")])
    for case, minutes in ((first, 10), (second, 5)):
        LogEntry.objects.create(integration=integration, case=case, channel="sms", recipient="+447700900123",
                                status=Status.SENT, sent_at=timezone.now() - datetime.timedelta(minutes=minutes))
    callback(client, integration, tokens["received_text_token"])
    assert ReceivedText.objects.get().case_id == second.pk


def test_a_stranger_or_an_undecidable_number_waits_for_a_caseworker(client, integration, tokens, case_type):
    from tests.factories import caseworker_user

    callback(client, integration, tokens["received_text_token"], number="447700900555", message="Who is this?")
    text = ReceivedText.objects.get()
    assert (text.case_id, text.match) == (None, Match.UNMATCHED)
    case, _ = person_case(case_type, phone="07700 900777")
    client.force_login(caseworker_user())
    assert "Who is this?" in client.get(reverse("inbox:unmatched")).content.decode()
    wrong = client.post(reverse("inbox:text", args=[text.pk]), {"action": "link", "link-case_reference": "PA-NOPE"})
    assert "There is no case PA-NOPE" in wrong.content.decode()
    client.post(reverse("inbox:text", args=[text.pk]), {"action": "link", "link-case_reference": case.reference})
    text.refresh_from_db()
    assert (text.case_id, text.match) == (case.pk, Match.LINKED)
    refused = client.post(reverse("inbox:text", args=[text.pk]), {"action": "dismiss", "dismiss-reason": "spam"})
    assert "it cannot be dismissed" in refused.content.decode()


def test_a_caseworker_dismisses_a_wrong_number_with_a_reason(client, integration, tokens):
    from tests.factories import caseworker_user

    callback(client, integration, tokens["received_text_token"], number="447700900555", message="wrong number")
    text = ReceivedText.objects.get()
    client.force_login(caseworker_user())
    client.post(reverse("inbox:text", args=[text.pk]), {"action": "dismiss", "dismiss-reason": "Wrong number"})
    text.refresh_from_db()
    assert (text.match, text.dismissed_reason) == (Match.DISMISSED, "Wrong number")


@pytest.mark.parametrize(("test", "word", "reply", "fires"), [
    ("equals", "STOP", "  stop ", True), ("equals", "STOP", "stop please", False),
    ("starts_with", "yes", "Yes I can attend", True), ("starts_with", "yes", "YES, I can", True),
    ("starts_with", "yes", "Yesterday I was out", False), ("starts_with", "no", "Nowhere to park", False),
    ("contains", "visit", "about the VISIT", True), ("contains", "visit", "a revisit", False),
    ("contains", "visit", "no", False)])
def test_a_reply_fires_the_rules_whose_words_it_fits(client, integration, tokens, case_type, test, word, reply, fires):
    case, _ = person_case(case_type)
    make_rule(case_type, make_mapping(integration, case_type=case_type), conditions=[], trigger=Trigger.TEXT_RECEIVED,
              trigger_config={"test": test, "word": word}, name="React to the reply")
    callback(client, integration, tokens["received_text_token"], message=reply)
    assert LogEntry.objects.filter(case=case, rule_name="React to the reply").exists() is fires


HOSTILE = ["<script>alert(1)</script>", "=HYPERLINK(\"http://evil\")", "+1+1", "@SUM(A1)", "-2+3",
           "شكراً، سأحضر", "👍🏽 yes", "x" * 1800]


def test_a_reply_is_never_trusted_on_any_page_or_export(client, integration, tokens, case_type):
    from tests.factories import auditor_user, caseworker_user

    case, _ = person_case(case_type)
    for message in HOSTILE:
        assert callback(client, integration, tokens["received_text_token"], message=message).status_code == 200
    client.force_login(caseworker_user())
    page = client.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "شكراً، سأحضر" in page
    assert "👍🏽 yes" in page
    assert 'dir="auto"' in page
    api = client.get("/api/received-texts/", {"case": case.pk}).json()
    assert {item["content"] for item in api["results"]} == set(HOSTILE)
    client.force_login(auditor_user())
    listing = client.get(reverse("inbox:received")).content.decode()
    assert "<script>alert(1)</script>" not in listing
    export = b"".join(client.get(reverse("inbox:export")).streaming_content).decode()
    for formula in ("=HYPERLINK", "+1+1", "@SUM(A1)", "-2+3"):
        assert f",'{formula}" in export or f",\"'{formula}" in export
    assert ",=HYPERLINK" not in export
    assert ",\"=HYPERLINK" not in export


def test_a_reply_too_long_to_be_a_text_is_refused(client, integration, tokens):
    assert callback(client, integration, tokens["received_text_token"], message="x" * 2001).status_code == 400
    assert ReceivedText.objects.count() == 0


def test_a_strangers_reply_put_on_a_case_by_hand_makes_no_rule_act_for_the_applicant(client, integration, tokens,
                                                                                     case_type):
    from tests.factories import caseworker_user

    case, applicant = person_case(case_type)
    make_rule(case_type, make_mapping(integration, case_type=case_type), conditions=[], trigger=Trigger.TEXT_RECEIVED,
              trigger_config={"test": "equals", "word": "STOP"}, name="React to STOP",
              case_update=[{"set": "consent", "role": "Applicant", "channel": "sms", "to": False}])
    applicant.consent_sms = True
    applicant.save()
    callback(client, integration, tokens["received_text_token"], number="447700900555", message="STOP")
    text = ReceivedText.objects.get()
    client.force_login(caseworker_user())
    client.post(reverse("inbox:text", args=[text.pk]), {"action": "link", "link-case_reference": case.reference})
    text.refresh_from_db()
    applicant.refresh_from_db()
    assert (text.case_id, text.person_id) == (case.pk, None)
    assert applicant.consent_sms is True
    assert not LogEntry.objects.filter(rule_name="React to STOP").exists()


def stop_rule(integration, case_type, role="Applicant"):
    """STOP withdraws the person's text consent and confirms by text (a rule that sends once)."""
    make_rule(case_type, make_mapping(integration, case_type=case_type), conditions=[], trigger=Trigger.TEXT_RECEIVED,
              trigger_config={"test": "equals", "word": "STOP"}, name="STOP",
              case_update=[{"set": "consent", "role": role, "channel": "sms", "to": False}])


def test_a_second_stop_withdraws_consent_again_though_the_confirmation_is_sent_once(client, integration, tokens,
                                                                                   case_type):
    case, applicant = person_case(case_type)
    stop_rule(integration, case_type)
    for _ in range(2):
        applicant.consent_sms = True  # given again in between (the second time)
        applicant.save()
        callback(client, integration, tokens["received_text_token"], message="STOP")
        applicant.refresh_from_db()
        assert applicant.consent_sms is False
    assert LogEntry.objects.filter(rule_name="STOP").count() == 1


def test_an_agents_stop_never_changes_the_applicants_consent(client, integration, tokens, case_type):
    applicant = PersonFactory(first_name="Amira", phone=normalise_phone("07700 900123"), consent_sms=True)
    agent = PersonFactory(first_name="Ben", phone=normalise_phone("07700 900456"), consent_sms=True)
    make_case(case_type, people=[(applicant, "Applicant"), (agent, "Agent")])
    stop_rule(integration, case_type)
    callback(client, integration, tokens["received_text_token"], number="447700900456", message="STOP")
    applicant.refresh_from_db()
    assert applicant.consent_sms is True
    assert not LogEntry.objects.filter(rule_name="STOP").exists()
