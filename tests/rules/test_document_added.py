"""The trigger "a document of type … was added to the case": it fires for that type only, once per document added,
and "apply to existing cases" reads it as the cases that have such a document."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents.pdfwrite import text_pdf
from documents.services import document_add, document_delete
from integrations.log import LogEntry
from mappings.models import PlaceholderMapping
from rules.models import Rule, Trigger
from rules.scope import existing_cases
from tests.documents.helpers import with_document_types
from tests.factories import admin_user
from tests.rules.helpers import applicant_case, make_mapping, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(case_type, integration):
    with_document_types(case_type, "Decision notice", "Site plan")
    mapping = make_mapping(integration, case_type=case_type)
    PlaceholderMapping.objects.filter(mapping_template=mapping, placeholder="decision").update(
        source={"source": "document", "type": "Decision notice"})
    return make_rule(case_type, mapping, name="Email the notice", trigger=Trigger.DOCUMENT_ADDED,
                     trigger_config={"document_type": "Decision notice"}, conditions=[], send_once=False)


def add(case, document_type):
    return document_add(case=case, document_type=document_type,
                        upload=SimpleUploadedFile("a.pdf", text_pdf([[document_type]])))


def test_it_fires_for_its_document_type_only_and_for_each_new_version(rule, case_type):
    case = applicant_case(case_type)
    add(case, "Site plan")
    assert not LogEntry.objects.exists()
    first = add(case, "Decision notice")
    second = add(case, "Decision notice")
    sent = [e.personalisation["decision"]["document"]["version"] for e in LogEntry.objects.order_by("pk")]
    assert sent == [first.version, second.version] == [1, 2]
    document_delete(document=second, reason="Superseded")
    assert LogEntry.objects.count() == 2  # deleting is not adding


def test_apply_to_existing_cases_means_the_cases_that_have_such_a_document(rule, case_type):
    with_notice, without = applicant_case(case_type), applicant_case(case_type)
    add(with_notice, "Decision notice")
    add(without, "Site plan")
    cases, words = existing_cases(rule)
    assert list(cases) == [with_notice]
    assert words == "cases that have a “Decision notice” document"


def test_the_rule_form_offers_the_case_types_document_types(client, rule, case_type):
    client.force_login(admin_user())
    page = client.get(reverse("rules:edit", args=[rule.pk])).content.decode()
    assert '<option value="Decision notice" selected>' in page
    assert rule.trigger_words() == "A document of type “Decision notice” was added to the case"
    response = client.post(reverse("rules:edit", args=[rule.pk]), {
        "name": rule.name, "enabled": "on", "order": "0", "trigger": "document_added", "document_type": "Invoice",
        "condition_mode": "all", "send_once": "on", "consent_role": "Applicant",
        "actions": [rule.actions.get().mapping_template_id]})
    assert "Select a valid choice" in response.content.decode()
    assert Rule.objects.get(pk=rule.pk).trigger_config == {"document_type": "Decision notice"}
