"""Mapping templates that send case documents: a placeholder filled by the case's latest document of a type (a file
by email), and a letter that is the case's own PDF. Resolving is pure; the forms save what they show."""

import pytest
from django.urls import reverse

from integrations.services import templates_refresh
from mappings.models import MappingTemplate
from mappings.resolve import resolve
from tests.documents.helpers import with_document_types
from tests.factories import admin_user

DOCUMENT = {"id": 7, "document_type": "Decision notice", "version": 2, "filename": "notice.pdf", "kind": "pdf",
            "size": 1000, "sha256": "ab" * 32, "file": "documents/x.pdf", "pages": 1, "letter_problems": []}
CASE = {"reference": "PA-1", "people": [{"role": "Applicant", "first_name": "Amira", "email": "amira@example.com"}],
        "documents": {"Decision notice": DOCUMENT}}
EMAIL = {"channel": "email", "template_id": "t", "recipient": {"source": "person", "role": "Applicant"},
         "placeholders": [{"placeholder": "notice", "source": {"source": "document", "type": "Decision notice"}}],
         "file_options": {"confirm_email_before_download": True, "retention_period": "26 weeks"}}
LETTER = {"channel": "precompiled_letter", "document_type": "Decision notice", "postage": "first"}


def test_a_document_placeholder_carries_a_reference_to_the_file_and_notifys_options():
    message = resolve(EMAIL, CASE, reference="r").message
    assert message.personalisation["notice"] == {
        "document": {"id": 7, "version": 2, "filename": "notice.pdf", "kind": "pdf", "size": 1000,
                     "sha256": "ab" * 32, "file": "documents/x.pdf"},
        "confirm_email_before_download": True, "retention_period": "26 weeks"}


@pytest.mark.parametrize(("document", "problem"), [
    (None, "((notice)): The case has no document of type “Decision notice”"),
    ({**DOCUMENT, "size": 3 * 1024 * 1024}, "((notice)): The Decision notice “notice.pdf” is 3.0 MB: Notify sends "
                                            "files of up to 2 MB by email"),
    ({**DOCUMENT, "filename": "n" * 97 + ".pdf"}, "((notice)): The Decision notice “" + "n" * 97 + ".pdf” has a name "
                                                   "longer than Notify's 100 characters"),
])
def test_a_file_notify_would_refuse_is_a_problem_before_sending(document, problem):
    case = {**CASE, "documents": {"Decision notice": document} if document else {}}
    assert resolve(EMAIL, case, reference="r").problems == [problem]


def test_a_document_cannot_fill_a_text_message():
    spec = {**EMAIL, "channel": "sms", "recipient": {"source": "person", "role": "Applicant"}}
    case = {**CASE, "people": [{"role": "Applicant", "phone": "07700900123"}]}
    assert resolve(spec, case, reference="r").problems == ["((notice)): A case document can only be sent in an email"]


def test_a_letter_from_a_case_document_is_the_latest_pdf_with_its_postage():
    message = resolve(LETTER, CASE, reference="r").message
    assert (message.channel, message.template_id, message.postage) == ("letter", "", "first")
    assert message.document["sha256"] == "ab" * 32


@pytest.mark.parametrize(("document", "problem"), [
    (None, "The case has no document of type “Decision notice”"),
    ({**DOCUMENT, "kind": "docx", "filename": "n.docx"}, "The Decision notice “n.docx” is not a PDF: only a PDF can be "
                                                         "sent as a letter"),
    ({**DOCUMENT, "letter_problems": ["The letter has 12 pages: Notify prints at most 10"]},
     "The Decision notice “notice.pdf” cannot be printed by Notify: The letter has 12 pages: Notify prints at most 10"),
])
def test_a_pdf_notify_would_not_print_is_refused_with_the_reason(document, problem):
    case = {**CASE, "documents": {"Decision notice": document} if document else {}}
    assert resolve(LETTER, case, reference="r").problems == [problem]


@pytest.mark.django_db
def test_the_letter_from_a_document_form_saves_and_round_trips(client, integration, case_type):
    with_document_types(case_type, "Decision notice", "Site plan")
    client.force_login(admin_user())
    create = reverse("mappings:create", args=[integration.pk])
    page = client.get(create, {"case_type": case_type.pk, "channel": "precompiled_letter"}).content.decode()
    assert "Choose a template" not in page
    assert "Site plan" in page
    saved = client.post(f"{create}?case_type={case_type.pk}&channel=precompiled_letter",
                        {"name": "Notice by post", "document_type": "Site plan", "postage": "economy",
                         "enabled": "on", "_save": "1"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    mapping = MappingTemplate.objects.get(name="Notice by post")
    assert (mapping.channel, mapping.document_type, mapping.postage, mapping.notify_template_id) == \
           ("precompiled_letter", "Site plan", "economy", "")
    edit = reverse("mappings:edit", args=[integration.pk, mapping.pk])
    before = MappingTemplate.objects.filter(pk=mapping.pk).values().get()
    client.post(edit, {"name": "Notice by post", "document_type": "Site plan", "postage": "economy",
                       "enabled": "on", "_save": "1"})
    after = MappingTemplate.objects.filter(pk=mapping.pk).values().get()
    assert {k: v for k, v in after.items() if k != "updated_at"} == {k: v for k, v in before.items()
                                                                      if k != "updated_at"}
    refused = client.post(edit, {"name": "Notice by post", "document_type": "Invoice", "postage": "economy",
                                 "_save": "1"})
    assert "Select a valid choice" in refused.content.decode()


@pytest.mark.django_db
def test_an_email_mapping_offers_the_case_types_documents_and_keeps_notifys_options(client, sandbox, integration,
                                                                                   case_type):
    with_document_types(case_type, "Decision notice")
    template = sandbox.create_template("email", name="Notice", subject="Notice", body="Download: ((notice))")
    templates_refresh(integration=integration)
    client.force_login(admin_user())
    url = f"{reverse('mappings:create', args=[integration.pk])}?case_type={case_type.pk}&channel=email"
    page = client.post(url, {"notify_template_id": template, "_refresh": "1"}).content.decode()
    assert "The case&#x27;s latest Decision notice" in page or "The case's latest Decision notice" in page
    saved = client.post(url, {"name": "Notice by email", "notify_template_id": template, "_save": "1",
                              "recipient_code": "person:Applicant", "source__notice": "document:Decision notice",
                              "file_retention_weeks": "12", "enabled": "on"})
    assert saved.status_code == 302, saved.content.decode()[:3000]
    mapping = MappingTemplate.objects.get(name="Notice by email")
    assert mapping.placeholders.get().source == {"source": "document", "type": "Decision notice"}
    assert (mapping.file_confirm_email, mapping.file_retention_weeks) == (False, 12)  # the box was left unticked
    too_long = client.post(url, {"name": "Too long", "notify_template_id": template, "_save": "1",
                                 "recipient_code": "person:Applicant", "source__notice": "document:Decision notice",
                                 "file_retention_weeks": "79"})
    assert "Ensure this value is less than or equal to 78" in too_long.content.decode()


@pytest.mark.django_db
def test_a_document_cannot_be_chosen_for_a_text_message(integration, case_type, sandbox):
    from django.core.exceptions import ValidationError

    from mappings.services import mapping_template_save

    with_document_types(case_type, "Decision notice")
    template = sandbox.create_template("sms", name="Notice text", body="((notice))")
    templates_refresh(integration=integration)
    mapping = MappingTemplate(name="Notice by text", integration=integration, case_type=case_type, channel="sms",
                              notify_template_id=template, recipient={"source": "person", "role": "Applicant"})
    with pytest.raises(ValidationError) as refused:
        mapping_template_save(mapping=mapping, rows={"notice": {"source": {"source": "document",
                                                                           "type": "Decision notice"}}})
    assert refused.value.message_dict == {"placeholder:notice": ["A case document can only be sent in an email"]}
