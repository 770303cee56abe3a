"""Every page type, opened by the role that uses it, passes axe-core (no serious or critical violation, and all
content inside landmarks) with no Content-Security-Policy violation. A page type missing here fails the test."""

import uuid

import pytest
from django.urls import get_resolver
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import Case
from integrations.log import LogEntry, Status
from integrations.models import Integration
from integrations.services import integration_save, templates_refresh
from mappings.models import MappingTemplate
from mappings.services import mapping_template_save
from rules import bulk
from rules.models import Action, Rule, Trigger
from tests import factories

from .conftest import sign_in, visit

# Pages that only take a POST (their GET redirects or is refused): opened through the page that posts to them.
POST_ONLY = {"accounts:logout", "integrations:test", "log:export", "log:resend", "log:rebuild", "log:status",
             "rules:job_cancel", "rules:run_on_case",
             # Notify's callback endpoint: JSON for Notify, not a page (tests/delivery).
             "notify_callbacks:delivery_status", "notify_callbacks:received_text", "inbox:export",
             # Files, not pages: a document's download and a letter's PDF (tests/documents, tests/journeys).
             "documents:download", "log:letter_pdf", "governance:audit_export", "governance:subject_access",
             "governance:restore",
             # For machines, not people: health, readiness and metrics (tests/ops).
             "ops:healthz", "ops:readyz", "ops:metrics",
             # Reached once an app is set up (tests/accounts/test_two_factor.py); before that it sends to the set-up.
             "accounts:two_factor_verify",
             # Single sign-on's start and callback redirect (tests/accounts/test_single_sign_on.py).
             "accounts:sso", "accounts:sso_callback"}


# Pages that answer a refusal as a page of its own.
STATUS = {"accounts:sso_refused": 403}


@pytest.fixture
def world(transactional_db, sandbox, notify_key):
    case_type = factories.planning_case_type()
    person, address = factories.PersonFactory(first_name="Amira", email="amira@example.com", consent_email=True), \
        factories.AddressFactory()
    cases = [factories.make_case(case_type, field_values={"decision": "Approved"}, people=[(person, "Applicant")],
                                 addresses=[(address, "Property")]) for _ in range(2)]
    for _ in range(26):  # more than a page of cases: the pagination shows
        factories.make_case(case_type)
    integration = integration_save(integration=Integration(name="Planning", enabled=True, base_url=sandbox.base_url),
                                   new_key=notify_key)
    template = sandbox.create_template("email", name="Decision", subject="Decision", body="Dear ((name))")
    templates_refresh(integration=integration)
    mapping = mapping_template_save(mapping=MappingTemplate(
        name="Decision email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template, recipient={"source": "person", "role": "Applicant"}),
        rows={"name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}}})
    rule = Rule.objects.create(name="Decision rule", case_type=case_type, trigger=Trigger.CASE_UPDATED, manual=True)
    Action.objects.create(rule=rule, mapping_template=mapping)
    entry = LogEntry.objects.create(integration=integration, case=cases[0], channel="email", status=Status.FAILED,
                                    reason="Applicant has no email address", reference="a11y-entry")
    job = bulk.BulkJob.objects.create(rule=rule, total=28)
    case = cases[0]
    # A reply on the case (its conversation shows) and one from a stranger (the unmatched list shows).
    from inbox.models import ReceivedText

    for number, on_case in (("447700900123", case), ("447700900555", None)):
        ReceivedText.objects.create(integration=integration, notify_id=uuid.uuid4(), user_number=number,
                                    phone="+" + number, content="YES I can attend", received_at=timezone.now(),
                                    source="callback", case=on_case, match="matched" if on_case else "unmatched")
    stranger = ReceivedText.objects.get(case__isnull=True)
    # A document on the case (its Documents section shows), and one deleted with its reason.
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents.pdfwrite import text_pdf
    from documents.services import document_add, document_delete

    case_type.document_types = ["Decision notice"]
    case_type.save(update_fields=["document_types"])
    case.case_type.refresh_from_db()
    document = document_add(case=case, document_type="Decision notice",
                            upload=SimpleUploadedFile("notice.pdf", text_pdf([["Approved"]])))
    document_delete(document=document_add(case=case, document_type="Decision notice",
                                          upload=SimpleUploadedFile("old.pdf", text_pdf([["Old"]]))),
                    reason="Uploaded twice")
    field, status = case_type.fields.first(), case_type.statuses.exclude(cases__isnull=False).first()
    return {
        "caseworker": {
            "home": {}, "cases:case_list": {}, "cases:case_create": {}, "cases:case_detail": {"pk": case.pk},
            "cases:case_edit": {"pk": case.pk}, "cases:case_add_person": {"pk": case.pk},
            "cases:case_remove_person": {"pk": case.pk, "link_pk": case.person_links.first().pk},
            "cases:case_add_address": {"pk": case.pk},
            "cases:case_remove_address": {"pk": case.pk, "link_pk": case.address_links.first().pk},
            "cases:person_edit": {"pk": person.pk}, "cases:address_edit": {"pk": address.pk},
            "inbox:unmatched": {}, "inbox:text": {"pk": stranger.pk}, "inbox:reply": {"case_pk": case.pk},
            "documents:add": {"case_pk": case.pk}, "documents:delete": {"pk": document.pk},
        },
        "admin": {
            "cases:casetype_list": {}, "cases:casetype_create": {}, "cases:casetype_detail": {"pk": case_type.pk},
            "cases:casetype_edit": {"pk": case_type.pk}, "cases:field_create": {"type_pk": case_type.pk},
            "cases:field_edit": {"type_pk": case_type.pk, "pk": field.pk},
            "cases:field_delete": {"type_pk": case_type.pk, "pk": field.pk},
            "cases:status_create": {"type_pk": case_type.pk},
            "cases:status_edit": {"type_pk": case_type.pk, "pk": status.pk},
            "cases:status_delete": {"type_pk": case_type.pk, "pk": status.pk},
            "integrations:list": {}, "integrations:create": {}, "integrations:general": {"pk": integration.pk},
            "integrations:references": {"pk": integration.pk}, "integrations:templates": {"pk": integration.pk},
            "integrations:mappings": {"pk": integration.pk}, "integrations:log": {"pk": integration.pk},
            "integrations:callbacks": {"pk": integration.pk},
            "mappings:create": {"integration_pk": integration.pk},
            "mappings:edit": {"integration_pk": integration.pk, "pk": mapping.pk},
            "mappings:delete": {"integration_pk": integration.pk, "pk": mapping.pk},
            "mappings:preview": {"integration_pk": integration.pk, "pk": mapping.pk},
            "rules:list": {}, "rules:create": {}, "rules:edit": {"pk": rule.pk}, "rules:dry_run": {"pk": rule.pk},
            "rules:apply": {"pk": rule.pk}, "rules:job": {"pk": job.pk},
            "governance:history": {"object_type": "rule", "pk": rule.pk},
            "governance:version": {"object_type": "rule", "pk": rule.pk, "version": rule.history.latest().history_id},
            "governance:retention": {}, "governance:erase": {"pk": person.pk},
            "accounts:two_factor_setup": {},
        },
        "auditor": {"log:list": {}, "log:detail": {"pk": entry.pk}, "inbox:received": {}, "governance:audit": {}},
        "anonymous": {"accounts:login": {}, "accounts:sso_refused": {}},
    }


def _page_names():
    names = []

    def walk(patterns, namespace=""):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif pattern.name:
                names.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)

    walk(get_resolver().url_patterns)
    return {name for name in names if not name.startswith("api")}


def test_every_page_type_is_accessible_to_the_role_that_uses_it(page, users, world):
    from django.urls import reverse

    covered = {name for pages in world.values() for name in pages} | POST_ONLY
    assert _page_names() - covered == set(), "page types without an accessibility check"
    for role in ("anonymous", "caseworker", "admin", "auditor"):
        if role != "anonymous":
            page.context.clear_cookies()
            sign_in(page, users[role])
        for name, kwargs in world[role].items():
            response = page.goto(reverse(name, kwargs=kwargs))
            assert response.status == STATUS.get(name, 200), (role, name, response.status)
            visit(page, page.url)  # axe and CSP, named on failure by the assertion messages
            if name == "cases:case_list":  # with its pagination, whose contrast axe checks too
                expect(page.get_by_text("Page 1 of 2")).to_be_visible()
    assert Case.objects.count() == 28
