"""Can you give this person everything you hold about them, or erase it? Subject access as one ZIP (README, JSON and
CSV) holding exactly what is theirs; erasure that leaves their email, phone, name and address nowhere in the
database, the exports, the API or the pages, and a rule that would send to them fails saying why."""

import csv
import io
import json
import subprocess
import uuid
import zipfile

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Address, Person
from governance.models import Erasure
from governance.people import erase_person
from inbox.models import ReceivedText
from integrations.log import LogEntry, Status
from tests.factories import PersonFactory, admin_user, auditor_user, make_case
from tests.rules.helpers import decide, make_mapping, make_rule


def message(integration, case, recipient, channel="email", status=Status.SENT, **fields):
    return LogEntry.objects.create(integration=integration, case=case, case_reference=case.reference, channel=channel,
                                   status=status, recipient=recipient, reference=uuid.uuid4().hex,
                                   personalisation={"name": "Zelda", "note": f"for {recipient}"}, **fields)


def text(integration, content, phone, person=None, case=None):
    return ReceivedText.objects.create(integration=integration, notify_id=uuid.uuid4(), user_number=phone[1:],
                                       phone=phone, content=content, received_at=timezone.now(), source="callback",
                                       person=person, case=case)


@pytest.mark.django_db
def test_a_subject_access_zip_holds_exactly_what_is_theirs(client, integration, case_type):
    zelda = PersonFactory(first_name="Zelda", last_name="Quixote", email="zelda@example.org", phone="+447700900987")
    other = PersonFactory(first_name="Otto", last_name="Other", email="otto@example.org", phone="+447700900555")
    cases = [make_case(case_type, people=[(zelda, "Applicant"), (other, "Agent")]) for _ in range(3)]
    unrelated = make_case(case_type, people=[(other, "Applicant")])
    mine = [message(integration, cases[n % 3], "zelda@example.org") for n in range(6)]
    mine += [message(integration, cases[n % 3], "+447700900987", channel="sms") for n in range(3)]
    mine.append(message(integration, cases[0], "Ms Zelda Quixote, 1 High Street, SW1A 2AA", channel="letter"))
    message(integration, cases[0], "otto@example.org")
    message(integration, unrelated, "otto@example.org")
    texts = [text(integration, "YES", "+447700900987", person=zelda, case=cases[0]),
             text(integration, "Is it approved?", "+447700900987")]
    text(integration, "Not hers", "+447700900555", person=other)

    client.force_login(admin_user())
    response = client.get(reverse("governance:subject_access", args=[zelda.pk]))
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert {"README.txt", "person.json", "cases.json", "cases.csv", "messages.json", "messages.csv",
            "received_texts.json", "received_texts.csv", "documents.json"} <= set(archive.namelist())
    person = json.loads(archive.read("person.json"))
    assert (person["email"], person["phone"]) == ("zelda@example.org", "+447700900987")
    assert sorted(c["reference"] for c in json.loads(archive.read("cases.json"))) == sorted(c.reference for c in cases)
    assert sorted(m["id"] for m in json.loads(archive.read("messages.json"))) == sorted(m.pk for m in mine)
    assert sorted(t["id"] for t in json.loads(archive.read("received_texts.json"))) == sorted(t.pk for t in texts)
    rows = list(csv.DictReader(io.StringIO(archive.read("messages.csv").decode())))
    assert len(rows) == 10
    readme = archive.read("README.txt").decode()
    assert "the 3 case(s)" in readme
    assert "the 10 message(s)" in readme
    assert "the 2 text message(s)" in readme


def _dump():
    settings = connection.settings_dict
    result = subprocess.run(["pg_dump", "--data-only", "-h", settings["HOST"] or "127.0.0.1", "-p",
                             str(settings["PORT"] or 5432), "-U", settings["USER"] or "postgres", settings["NAME"]],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.lower()


SECRETS = ("zelda", "quixote", "zq@example.org", "7700900987", "07700 900987", "quillfeather")


@pytest.mark.django_db(transaction=True)
def test_an_erased_persons_details_appear_nowhere(client, api_as, sandbox, notify_key, case_type):
    from integrations.models import Integration
    from integrations.services import integration_save

    integration = integration_save(integration=Integration(name="Planning", enabled=True, base_url=sandbox.base_url),
                                   new_key=notify_key)
    zelda = services.person_save(person=Person(first_name="Zelda", last_name="Quixote", email="zq@example.org",
                                               phone="07700 900987", consent_email=True, consent_sms=True))
    home = services.address_save(address=Address(line_1="17 Quillfeather Crescent", town="Exampleton",
                                                 postcode="SW1A 2AA"))
    services.person_link_address(person=zelda, address=home)
    case = make_case(case_type, field_values={"decision": "Approved", "contact_email": "zq@example.org"},
                     people=[(zelda, "Applicant")])
    make_rule(case_type, make_mapping(integration, case_type=case_type), conditions=[], send_once=False)
    decide(case, case_type)  # the rule's email to her, with her first name in it
    message(integration, case, "Zelda Quixote, 17 Quillfeather Crescent, Exampleton, SW1A 2AA", channel="letter")
    waiting = message(integration, case, "zq@example.org", status=Status.QUEUED)  # not sent yet
    text(integration, "Yes, Zelda Quixote here", "+447700900987", person=zelda, case=case)
    assert "zelda" in _dump()  # the search finds her before

    erasure = erase_person(person=zelda, actor=admin_user(), reason="Erasure request IG-42")
    client.force_login(auditor_user())
    trail = client.get(reverse("governance:audit"), {"object_type": "erasure"}).content.decode()
    assert "Erasure request IG-42" in trail  # who erased whom, when and why: in the audit trail
    client.force_login(admin_user())
    assert "Erasure request IG-42" in client.get(reverse("cases:person_edit", args=[zelda.pk])).content.decode()
    dump = _dump()
    assert [secret for secret in SECRETS if secret in dump] == []
    assert erasure.counts["messages"] == 3
    waiting.refresh_from_db()
    assert (waiting.status, waiting.reason) == (Status.CANCELLED, "Cancelled: the person was erased")
    assert "IG-42" in Erasure.objects.get().reason

    client.force_login(auditor_user())
    export = b"".join(client.get(reverse("log:export")).streaming_content).decode().lower()
    assert [s for s in SECRETS if s in export] == []
    api = json.dumps(api_as(auditor_user()).get("/api/log/").json()).lower()
    assert [s for s in SECRETS if s in api] == []
    client.force_login(admin_user())
    for url in (reverse("cases:case_detail", args=[case.pk]), reverse("cases:person_edit", args=[zelda.pk]),
                reverse("log:list")):
        page = client.get(url).content.decode().lower()
        assert [s for s in SECRETS if s in page] == [], url

    # A rule that would send to her now fails, saying why.
    services.case_update(case=case, status=case_type.statuses.get(name="Under review"))
    decide(case, case_type)
    failed = LogEntry.objects.filter(case=case, status=Status.FAILED).latest("pk")
    assert "was erased on" in failed.reason
