"""Mapping templates against the sandbox: save checks, the drift check, preview, deleting, the API."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from integrations.services import templates_refresh
from mappings.models import MappingTemplate
from mappings.services import mapping_template_delete, mapping_template_preview, mapping_template_save
from rules.models import Action, Rule, Trigger
from tests.factories import AddressFactory, PersonFactory, make_case

pytestmark = pytest.mark.django_db

ROWS = {
    "name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
    "reference": {"source": {"source": "case", "detail": "reference"}},
    "decision": {"source": {"source": "field", "key": "decision"}},
}


@pytest.fixture
def template_id(sandbox, integration):
    template = sandbox.create_template("email", name="Decision notice", subject="Application ((reference))",
                                       body="Dear ((name)), it was ((decision)).")
    templates_refresh(integration=integration)
    return template


def new_mapping(integration, case_type, template_id, **fields):
    return MappingTemplate(name=fields.pop("name", "Decision email"), integration=integration, case_type=case_type,
                           channel="email", notify_template_id=template_id,
                           recipient=fields.pop("recipient", {"source": "person", "role": "Applicant"}), **fields)


def decided_case(case_type):
    applicant = PersonFactory(first_name="Amira", email="amira@example.com")
    return make_case(case_type, field_values={"decision": "Approved"}, people=[(applicant, "Applicant")],
                     addresses=[(AddressFactory(), "Property")])


def test_a_complete_mapping_saves_with_the_template_version(integration, case_type, template_id):
    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    assert (mapping.notify_template_name, mapping.template_version) == ("Decision notice", 1)
    assert sorted(mapping.placeholders.values_list("placeholder", flat=True)) == ["decision", "name", "reference"]


@pytest.mark.parametrize(
    ("rows", "recipient", "errors"),
    [
        ({k: v for k, v in ROWS.items() if k != "decision"}, None,
         {"placeholder:decision": ["Choose what fills ((decision)): the Notify template needs it"]}),
        ({**ROWS, "decision": {"source": {"source": "field", "key": "colour"}}}, None,
         {"placeholder:decision": ["'colour' is not a field of this case type"]}),
        ({**ROWS, "decision": {"source": {"source": "text", "text": "Decided {{case.reference"}}}, None,
         {"placeholder:decision": ["A placeholder is not closed: every {{ needs a matching }}"]}),
        ({**ROWS, "decision": {"source": {"source": "date", "date": "fee"}}}, None,
         {"placeholder:decision": ["'fee' is not a case date or a date field"]}),
        (ROWS, {"source": "field", "key": "decision_date"},
         {"recipient": ["A email needs an email field, and 'decision_date' is a date field"]}),
    ],
)
def test_bad_mappings_get_field_errors_and_save_nothing(integration, case_type, template_id, rows, recipient, errors):
    mapping = new_mapping(integration, case_type, template_id,
                          **({"recipient": recipient} if recipient else {}))
    with pytest.raises(ValidationError) as caught:
        mapping_template_save(mapping=mapping, rows=rows)
    assert {k: v for k, v in caught.value.message_dict.items() if k in errors} == errors
    assert not MappingTemplate.objects.exists()


def test_a_template_of_the_wrong_type_is_refused(integration, case_type, sandbox):
    sms = sandbox.create_template("sms", name="Text", body="Hi ((name))")
    templates_refresh(integration=integration)
    with pytest.raises(ValidationError) as caught:
        mapping_template_save(mapping=new_mapping(integration, case_type, sms), rows={"name": ROWS["name"]})
    assert caught.value.message_dict["notify_template_id"] == ["That is a sms template: choose an email one"]


def test_the_drift_check_catches_a_placeholder_added_in_notify(integration, case_type, template_id, sandbox):
    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    sandbox.create_template("email", name="Decision notice", subject="Application ((reference))",
                            body="Dear ((name)), it was ((decision)) on ((decision_date)).", template_id=template_id)
    templates_refresh(integration=integration)
    rows = {p.placeholder: {"source": p.source} for p in mapping.placeholders.all()}
    with pytest.raises(ValidationError) as caught:
        mapping_template_save(mapping=mapping, rows=rows)
    assert caught.value.message_dict == {
        "placeholder:decision_date": ["Choose what fills ((decision_date)): the Notify template needs it"]}


def test_preview_shows_notifys_rendering(integration, case_type, template_id):
    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    case = decided_case(case_type)
    preview = mapping_template_preview(mapping=mapping, case=case)
    assert preview["problems"] == []
    assert preview["recipient"] == "amira@example.com"
    assert preview["subject"] == f"Application {case.reference}"
    assert preview["body"] == "Dear Amira, it was Approved."


def test_preview_lists_the_problems_of_a_case(integration, case_type, template_id):
    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    preview = mapping_template_preview(mapping=mapping, case=make_case(case_type))
    assert preview["problems"] == ["The case has no linked Applicant", "((name)): The case has no linked Applicant",
                                   "((decision)): Field 'Decision' is empty"]


def test_a_mapping_used_by_a_rule_cannot_be_deleted(integration, case_type, template_id):
    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    rule = Rule.objects.create(name="Tell the applicant", case_type=case_type, trigger=Trigger.CASE_CREATED)
    Action.objects.create(rule=rule, mapping_template=mapping)
    with pytest.raises(ValidationError, match="Rules use this mapping template: Tell the applicant"):
        mapping_template_delete(mapping=mapping)
    rule.delete()
    mapping_template_delete(mapping=mapping)
    assert not MappingTemplate.objects.exists()


def test_the_form_builds_rows_from_the_template_and_saves(client, admin, integration, case_type, template_id):
    client.force_login(admin)
    url = reverse("mappings:create", args=[integration.pk]) + f"?case_type={case_type.pk}&channel=email"
    shown = client.post(url, {"name": "Decision email", "notify_template_id": template_id, "_refresh": "1",
                              "recipient_code": "person:Applicant"})
    page = shown.content.decode()
    assert "((reference))" in page
    assert "Applicant&#x27;s first name" in page or "Applicant's first name" in page
    response = client.post(url, {"name": "Decision email", "notify_template_id": template_id, "_save": "1",
                                 "recipient_code": "person:Applicant", "source__name": "person:Applicant:first_name",
                                 "source__reference": "case:reference", "source__decision": "text",
                                 "text__decision": "{{field.decision}} on {{date.decision_date|short}}"})
    assert response.status_code == 302
    mapping = MappingTemplate.objects.get()
    assert mapping.placeholders.get(placeholder="decision").source == {
        "source": "text", "text": "{{field.decision}} on {{date.decision_date|short}}"}


def test_the_api_creates_with_nested_placeholders_and_previews(api_as, admin, caseworker, integration, case_type,
                                                               template_id):
    api = api_as(admin)
    body = {"name": "Decision email", "integration": integration.pk, "case_type": case_type.pk, "channel": "email",
            "notify_template_id": template_id, "recipient": {"source": "person", "role": "Applicant"},
            "placeholders": [{"placeholder": k, **v} for k, v in ROWS.items()]}
    bad = api.post("/api/mapping-templates/", {**body, "placeholders": body["placeholders"][:2]}, format="json")
    assert bad.status_code == 400
    assert bad.json() == {"placeholders": {"decision": ["Choose what fills ((decision)): the Notify template needs it"]}}
    created = api.post("/api/mapping-templates/", body, format="json")
    assert created.status_code == 201, created.json()
    case = decided_case(case_type)
    preview = api_as(caseworker).post(f"/api/mapping-templates/{created.json()['id']}/preview/", {"case": case.pk},
                                      format="json")
    assert preview.json()["body"] == "Dear Amira, it was Approved."
    assert api_as(caseworker).get("/api/mapping-templates/").status_code == 403


def test_a_template_changed_in_notify_is_flagged_wherever_the_mapping_shows_once_templates_are_fetched(
        integration, case_type, template_id, sandbox, admin_client):
    from integrations.services import templates_refresh_all

    mapping = mapping_template_save(mapping=new_mapping(integration, case_type, template_id), rows=ROWS)
    rule = Rule.objects.create(name="Decision rule", case_type=case_type, trigger=Trigger.CASE_UPDATED)
    Action.objects.create(rule=rule, mapping_template=mapping)
    pages = {"mapping": reverse("mappings:edit", args=[integration.pk, mapping.pk]),
             "mapping list": reverse("integrations:mappings", args=[integration.pk]),
             "integration": reverse("integrations:general", args=[integration.pk]),
             "rules": reverse("rules:list"), "rule": reverse("rules:edit", args=[rule.pk])}
    for name, url in pages.items():
        assert "no longer fit" not in admin_client.get(url).content.decode(), name
        assert "Does not fit" not in admin_client.get(url).content.decode(), name

    sandbox.create_template("email", name="Decision notice", subject="Application ((reference))",
                            body="Dear ((name)), it was ((decision)). Pay ((fee)).", template_id=template_id)
    assert templates_refresh_all() == 1  # what beat runs every TEMPLATE_REFRESH_SECONDS
    reason = ("The Notify template is now version 2 (this mapping was made for version 1) and needs ((fee)), "
              "which this mapping template does not fill")
    for name in ("mapping", "mapping list", "rule"):
        assert reason in admin_client.get(pages[name]).content.decode(), name
    assert "1 mapping template no longer fits its Notify template" in admin_client.get(pages["integration"]).content.decode()
    assert "Does not fit its Notify template" in admin_client.get(pages["rules"]).content.decode()

    mapping_template_save(mapping=mapping, rows={**ROWS, "fee": {"source": {"source": "text", "text": "£10"}}})
    assert reason not in admin_client.get(pages["mapping"]).content.decode()
