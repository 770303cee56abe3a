"""The integration log: filters, keyset pages, CSV export, resend, and who sees what."""

import csv
import datetime
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from integrations.log import Attempt, FailureKind, LogEntry, Outcome, Status
from integrations.log_services import NotResendable, log_entry_resend
from integrations.models import Integration
from integrations.selectors import keyset_page, log_entries
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def entries(case_type):
    integration = Integration.objects.create(name="Planning")
    other = Integration.objects.create(name="Housing")
    case = make_case(case_type)
    now = timezone.now()
    made = []
    for n in range(30):
        made.append(LogEntry(
            integration=integration if n % 3 else other, case=case if n % 2 else None,
            case_reference=case.reference if n % 2 else "", channel=["email", "sms", "letter"][n % 3],
            status=[Status.SENT, Status.FAILED, Status.RETRYING][n % 3], reference=f"ref-{n}",
            rule_name="Decision issued" if n % 5 == 0 else "Reminder", mapping_template_name="Decision email",
            failure_kind=FailureKind.VALIDATION if n % 3 == 1 else "", reason="Applicant has no email address" if n % 3 == 1 else "",
            recipient=f"person{n}@example.com",
        ))
    LogEntry.objects.bulk_create(made)
    # Half of them share one timestamp, to prove the pages neither skip nor repeat entries with equal times.
    LogEntry.objects.filter(reference__in=[f"ref-{n}" for n in range(15)]).update(created_at=now)
    return {"integration": integration, "other": other, "case": case}


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"status": Status.FAILED}, 10),
        ({"channel": "sms"}, 10),
        ({"rule": "decision"}, 6),
        ({"mapping_template": "decision"}, 30),
        ({"status": Status.SENT, "channel": "email"}, 10),
        ({"date_from": timezone.localdate().isoformat()}, 30),
        ({"date_to": (timezone.localdate() - datetime.timedelta(days=1)).isoformat()}, 0),
        ({"status": ""}, 30),
    ],
)
def test_filters(entries, filters, expected):
    assert log_entries(filters=filters).count() == expected


def test_filters_by_integration_case_and_notify_id(entries):
    assert log_entries(filters={"integration": entries["other"].pk}).count() == 10
    assert log_entries(filters={"case": entries["case"].pk}).count() == 15
    assert log_entries(filters={"case_reference": entries["case"].reference.lower()}).count() == 15
    one = LogEntry.objects.first()
    LogEntry.objects.filter(pk=one.pk).update(notify_id="740e5834-3a29-46b4-9a6f-16142fde533a")
    assert [e.pk for e in log_entries(filters={"notify_id": "740e5834-3a29-46b4-9a6f-16142fde533a"})] == [one.pk]


def test_keyset_pages_walk_every_entry_once(entries):
    seen, cursor = [], None
    while True:
        rows, cursor = keyset_page(log_entries(), after=cursor, size=7)
        seen += [r.pk for r in rows]
        if cursor is None:
            break
    assert len(seen) == 30
    assert len(set(seen)) == 30
    assert seen == list(LogEntry.objects.order_by("-created_at", "-id").values_list("pk", flat=True))


def test_the_log_page_lists_filters_and_pages(client, auditor, entries, django_assert_max_num_queries, monkeypatch):
    from integrations import log_views

    monkeypatch.setattr(log_views, "PAGE_SIZE", 20)
    client.force_login(auditor)
    with django_assert_max_num_queries(10):
        page = client.get(reverse("log:list"), {"status": "failed"}).content.decode()
    assert page.count("Applicant has no email address") == 10
    shown = LogEntry.objects.filter(status=Status.FAILED).order_by("-created_at", "-id").first()
    assert f'href="{reverse("log:detail", args=[shown.pk])}"' in page
    assert f"{shown.get_channel_display()} to {shown.recipient or '—'}" in page
    assert "Failed (" in page  # the status tag, with the kind of failure
    first = client.get(reverse("log:list"))
    assert "Older" in first.content.decode()
    older = client.get(reverse("log:list") + "?" + first.context["next_query"])
    assert older.status_code == 200
    assert {e.pk for e in first.context["entries"]}.isdisjoint({e.pk for e in older.context["entries"]})


def test_a_bad_filter_is_a_field_error_not_a_500(client, auditor, entries):
    client.force_login(auditor)
    response = client.get(reverse("log:list"), {"notify_id": "nope", "date_from": "yesterday"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a Notify message ID" in page
    assert "Enter a real date" in page


def test_an_entry_shows_every_attempt(client, auditor, entries):
    entry = LogEntry.objects.filter(status=Status.FAILED).first()
    for number in (1, 2):
        Attempt.objects.create(entry=entry, number=number, started_at=timezone.now(), duration_ms=12 * number,
                               outcome=Outcome.RETRY, status_code=500, error_type="Exception",
                               message="Internal server error")
    client.force_login(auditor)
    page = client.get(reverse("log:detail", args=[entry.pk])).content.decode()
    assert page.count("Internal server error") == 2
    assert "24 ms" in page
    assert "Resend" not in page  # auditors read; only administrators resend


def test_the_csv_export_streams_every_matching_entry(client, auditor, entries):
    client.force_login(auditor)
    response = client.get(reverse("log:export"), {"status": "failed"})
    assert response.streaming
    assert response["Content-Disposition"] == 'attachment; filename="integration-log.csv"'
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert len(rows) == 10
    assert {r["status"] for r in rows} == {"failed"}
    assert rows[0]["reason"] == "Applicant has no email address"


def test_resend_queues_a_failed_entry_again_after_a_lookup(entries, admin, django_capture_on_commit_callbacks):
    entry = LogEntry.objects.filter(status=Status.FAILED).first()
    LogEntry.objects.filter(pk=entry.pk).update(template_id="f33517ff-2a88-4f6e-b855-c550268ce08a", retry_count=11,
                                                failure_kind=FailureKind.RETRIES_EXHAUSTED)
    entry.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        log_entry_resend(entry=entry, actor=admin)
    entry.refresh_from_db()
    assert (entry.status, entry.retry_count, entry.ambiguous, entry.failure_kind) == (Status.QUEUED, 0, True, "")
    assert entry.reason == "Resent by admin"
    assert len(callbacks) == 1
    with pytest.raises(NotResendable, match="Only failed messages can be resent"):
        log_entry_resend(entry=entry, actor=admin)


def test_an_unresolved_message_cannot_be_resent(entries, admin):
    entry = LogEntry.objects.filter(status=Status.FAILED, template_id="").first()
    with pytest.raises(NotResendable, match="was never built"):
        log_entry_resend(entry=entry, actor=admin)


def test_the_api_filters_pages_and_never_edits(api_as, auditor, admin, entries):
    api = api_as(auditor)
    body = api.get("/api/log/", {"status": "sent", "channel": "email"}).json()
    assert len(body["results"]) == 10
    assert set(body) == {"next", "previous", "results"}
    assert api.get("/api/log/", {"status": "bogus"}).status_code == 400
    entry_id = body["results"][0]["id"]
    assert api.get(f"/api/log/{entry_id}/").json()["reference"].startswith("ref-")
    for method in ("put", "patch", "delete"):
        assert getattr(api_as(admin), method)(f"/api/log/{entry_id}/", {}, format="json").status_code == 405
    export = api.get("/api/log/export.csv", {"channel": "letter"})
    assert len(b"".join(export.streaming_content).decode().strip().splitlines()) == 11


def test_caseworkers_see_only_the_log_of_a_case(api_as, caseworker, client, entries):
    api = api_as(caseworker)
    assert api.get("/api/log/").status_code == 403
    body = api.get("/api/log/", {"case": entries["case"].pk}).json()
    assert len(body["results"]) == 15
    assert api.get("/api/log/export.csv").status_code == 403
    client.force_login(caseworker)
    assert client.get(reverse("log:list")).status_code == 403
    case_page = client.get(reverse("cases:case_detail", args=[entries["case"].pk])).content.decode()
    assert case_page.count("Decision email") >= 15


@pytest.mark.django_db
def test_the_name_filters_have_statistics_so_the_planner_reads_newest_first():
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT stxname FROM pg_statistic_ext WHERE stxrelid = 'integrations_logentry'::regclass")
        names = {row[0] for row in cursor.fetchall()}
    assert {"log_rule_name_upper", "log_mapping_template_name_upper"} <= names


def test_the_api_and_the_export_read_integrations_with_their_entries_not_one_by_one(api_as, auditor, entries,
                                                                                    django_assert_max_num_queries):
    api = api_as(auditor)
    with django_assert_max_num_queries(8):
        body = api.get("/api/log/").json()
    assert {row["integration"] for row in body["results"]} == {"Planning", "Housing"}
    assert len(body["results"]) == 30
    with django_assert_max_num_queries(8):
        export = api.get("/api/log/export.csv")
        rows = b"".join(export.streaming_content).count(b"\n")
    assert rows == 31  # the header and every entry


def test_a_notify_id_filter_that_is_not_an_id_lists_nothing_and_says_so(client, auditor, entries):
    client.force_login(auditor)
    page = client.get(reverse("log:list"), {"notify_id": "not-an-id"}).content.decode()
    assert "Enter a Notify message ID" in page
    assert not any(f'href="/log/{entry.pk}/"' in page for entry in LogEntry.objects.all())
    assert client.get(reverse("log:list"), {"after": "x"}).status_code == 400
    export = client.get(reverse("log:export"), {"notify_id": "not-an-id"})
    assert export.status_code == 400
    assert "Notify message ID" in export.content.decode()
