"""How long personal data is kept, and how it is deleted: the daily purge removes what the policy says is due, in
batches that skip rows a sender holds, and a purge stopped halfway is finished by the next run without doing
anything twice or touching anything inside the policy."""

import datetime
import threading
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from documents.pdfwrite import text_pdf
from documents.services import document_add
from governance.models import RetentionPolicy
from governance.retention import apply_retention
from inbox.models import ReceivedText
from integrations.log import LogEntry, Status
from tests.documents.helpers import with_document_types
from tests.factories import admin_user, auditor_user, make_case

NOW = timezone.now()


def entry(integration, days_old, status=Status.SENT, **fields):
    made = LogEntry.objects.create(integration=integration, channel="email", status=status,
                                   recipient=f"{uuid.uuid4().hex[:8]}@example.com",
                                   personalisation={"name": "Amira"}, reference=uuid.uuid4().hex, **fields)
    LogEntry.objects.filter(pk=made.pk).update(created_at=NOW - datetime.timedelta(days=days_old))
    return made


@pytest.fixture
def policy(db):
    policy = RetentionPolicy.current()
    policy.personal_data_days, policy.record_days, policy.document_days_after_close = 30, 365, 90
    policy.save()
    return policy


@pytest.mark.django_db
def test_personal_data_past_the_policy_is_removed_and_the_record_stays(policy, integration, client):
    old, recent = entry(integration, 40), entry(integration, 20)
    waiting = entry(integration, 40, status=Status.RETRYING)  # still on its way: never touched
    ancient = entry(integration, 400)
    counts_before = LogEntry.objects.filter(status=Status.SENT).count()
    run = apply_retention(now=NOW)
    old.refresh_from_db()
    recent.refresh_from_db()
    waiting.refresh_from_db()
    assert (old.recipient, old.personalisation, old.personal_data_removed_by) == ("", {}, "retention")
    assert recent.recipient
    assert recent.personalisation
    assert waiting.recipient
    assert not LogEntry.objects.filter(pk=ancient.pk).exists()
    assert (run.personal_data_removed, run.records_deleted) == (2, 1)  # the ancient one first lost its data
    assert LogEntry.objects.filter(status=Status.SENT).count() == counts_before - 1  # only the deleted record
    client.force_login(auditor_user())
    page = client.get(reverse("log:detail", args=[old.pk])).content.decode()
    assert f"Personal data removed on {NOW:%-d %B %Y} under the retention policy" in page


@pytest.mark.django_db
def test_received_texts_and_documents_of_closed_cases_go_too(policy, integration, case_type):
    text = ReceivedText.objects.create(integration=integration, notify_id=uuid.uuid4(), user_number="447700900123",
                                       phone="+447700900123", content="YES", source="callback",
                                       received_at=NOW - datetime.timedelta(days=31))
    with_document_types(case_type, "Decision notice")
    closed, open_case = make_case(case_type), make_case(case_type)
    for case in (closed, open_case):
        document_add(case=case, document_type="Decision notice",
                     upload=SimpleUploadedFile("n.pdf", text_pdf([["Notice"]])))
    type(closed).objects.filter(pk=closed.pk).update(closed_at=NOW - datetime.timedelta(days=91))
    apply_retention(now=NOW)
    text.refresh_from_db()
    assert (text.content, text.user_number, text.phone) == ("", "", "")
    gone = closed.documents.get()
    assert gone.deleted
    assert gone.delete_reason == "Deleted under the retention policy: 90 days after the case closed"
    assert not open_case.documents.get().deleted


@pytest.mark.django_db
def test_a_purge_stopped_halfway_is_finished_by_the_next_without_doing_anything_twice(policy, integration):
    due = [entry(integration, 40 + n) for n in range(25)]
    kept = [entry(integration, 10) for _ in range(5)]
    first = apply_retention(now=NOW, batch=4, stop_after=8)  # a run that stops part-way (as a killed one)
    assert first.personal_data_removed == 8
    stamped = dict(LogEntry.objects.filter(personal_data_removed_at__isnull=False)
                   .values_list("pk", "personal_data_removed_at"))
    later = NOW + datetime.timedelta(minutes=5)
    second = apply_retention(now=later)
    assert second.personal_data_removed == 17
    after = dict(LogEntry.objects.filter(personal_data_removed_at__isnull=False)
                 .values_list("pk", "personal_data_removed_at"))
    assert set(after) == {e.pk for e in due}
    assert all(after[pk] == at for pk, at in stamped.items())  # not purged twice
    assert all(LogEntry.objects.get(pk=e.pk).recipient for e in kept)  # inside the policy: untouched


@pytest.mark.django_db(transaction=True)
def test_a_row_a_sender_holds_is_skipped_not_waited_for(policy, integration):
    held, free = entry(integration, 40), entry(integration, 41)
    locked, release = threading.Event(), threading.Event()

    def sender():
        with transaction.atomic():
            LogEntry.objects.select_for_update().get(pk=held.pk)
            locked.set()
            release.wait(60)
        connection.close()

    thread = threading.Thread(target=sender)
    thread.start()
    assert locked.wait(60)
    try:
        run = apply_retention(now=NOW)  # returns while the row is still held
    finally:
        release.set()
        thread.join(60)
    assert run.personal_data_removed == 1
    assert LogEntry.objects.get(pk=free.pk).personal_data_removed_at is not None
    assert LogEntry.objects.get(pk=held.pk).personal_data_removed_at is None
    assert apply_retention(now=NOW).personal_data_removed == 1  # the next run takes it


@pytest.mark.django_db
def test_the_policy_page_administrators_change_and_auditors_read(client, policy):
    client.force_login(admin_user())
    refused = client.post(reverse("governance:retention"), {"personal_data_days": "100", "record_days": "50",
                                                            "document_days_after_close": "10"})
    assert "Keep the record at least as long as its personal data" in refused.content.decode()
    saved = client.post(reverse("governance:retention"), {"personal_data_days": "100", "record_days": "500",
                                                          "document_days_after_close": "10"})
    assert saved.status_code == 302
    assert RetentionPolicy.current().personal_data_days == 100
    client.force_login(auditor_user())
    page = client.get(reverse("governance:retention")).content.decode()
    assert "100 days" in page
    assert 'name="personal_data_days"' not in page
    assert client.post(reverse("governance:retention"), {"personal_data_days": "9"}).status_code == 403
