"""Every edit form round-trips: open it for a fully filled-in object, save it unchanged, and nothing changes.

In Chromium, as a user would: whatever the browser does with the values the page gives it (a date input that
refuses a value it cannot read, a select with no matching option, a password field left empty) is what is
saved. Each object is compared field by field, with its rows (placeholders, conditions, actions).
"""

import datetime
import re

import pytest
from django.forms.models import model_to_dict
from playwright.sync_api import expect

from cases.models import Address, Case, CaseType, FieldDefinition, Person, Status
from integrations.models import Integration
from integrations.services import integration_save, templates_refresh
from mappings.models import MappingTemplate
from mappings.services import mapping_template_save
from rules.models import Rule, Trigger
from rules.services import rule_save
from tests import factories

from .conftest import sign_in

# What a save records about itself or about Notify (the time of the check, what Notify said), not form data.
UNTRACKED = {"created_at", "updated_at", "verified_at", "verified_service", "last_error"}


def state(obj):
    """Everything a form could change about an object, its rows included, as plain data."""
    obj = type(obj).objects.get(pk=obj.pk)
    data = {k: v for k, v in model_to_dict(obj).items() if k not in UNTRACKED}
    data.update({f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields
                 if not f.editable and f.name not in UNTRACKED})
    if isinstance(obj, MappingTemplate):
        data["rows"] = sorted((p.placeholder, repr(p.source), p.optional, p.citizen_text)
                              for p in obj.placeholders.all())
    if isinstance(obj, Rule):
        data["actions"] = sorted(obj.actions.values_list("mapping_template_id", flat=True))
    if isinstance(obj, Person | Address):
        data.pop("addresses", None)
    return data


def save_unchanged(page, url, button=re.compile(r"^Save")):
    page.goto(url)
    page.get_by_role("button", name=button).first.click()
    page.wait_for_load_state()
    expect(page.locator(".govuk-error-summary")).to_have_count(0)


@pytest.fixture
def filled(transactional_db, sandbox, notify_key):
    case_type = factories.planning_case_type()
    CaseType.objects.filter(pk=case_type.pk).update(description="Applications for planning permission",
                                                    person_roles=["Applicant", "Agent"],
                                                    address_roles=["Property", "Correspondence"])
    case_type.refresh_from_db()
    FieldDefinition.objects.filter(case_type=case_type, key="description").update(required=True,
                                                                                 help_text="What is to be built")
    person = Person.objects.create(title="Dr", first_name="Amira", last_name="Ahmed", email="amira@example.com",
                                   phone="+447700900123", date_of_birth=datetime.date(1980, 5, 17),
                                   consent_email=True, consent_sms=False, consent_letter=True)
    address = Address.objects.create(line_1="Flat 2", line_2="1 High Street", line_3="Old Town", line_4="Westgate",
                                     town="Exampletown", county="Exampleshire", postcode="SW1A 2AA",
                                     country="United Kingdom")
    case = factories.make_case(case_type, field_values={
        "description": "Loft conversion", "fee": "258.5", "decision_date": "2027-02-15", "site_visit_needed": True,
        "decision": "Approved", "contact_email": "agent@example.com", "contact_phone": "+447700900456"},
        people=[(person, "Applicant")], addresses=[(address, "Property")])
    Case.objects.filter(pk=case.pk).update(summary="Loft conversion at 1 High Street",
                                           due_date=datetime.date(2027, 2, 15))
    integration = integration_save(integration=Integration(
        name="Planning", enabled=True, base_url=sandbox.base_url, reply_to_id="8e222534-7f05-4972-86e3-17c5d9f894e2",
        sms_sender_id="7ec3b7c4-9b51-4b83-9bd7-3f9e5e8b0f71", rate_limit=1200), new_key=notify_key)
    template = sandbox.create_template("email", name="Round trip", subject="Application ((reference))",
                                       body="Dear ((name)), ((decision)) on ((when)). ((note))")
    templates_refresh(integration=integration)
    mapping = mapping_template_save(mapping=MappingTemplate(
        name="Decision email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template, recipient={"source": "person", "role": "Applicant"}), rows={
        "name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
        "reference": {"source": {"source": "case", "detail": "reference"}},
        "decision": {"source": {"source": "field", "key": "decision"}, "optional": True},
        "when": {"source": {"source": "date", "date": "decision_date", "format": "long"}},
        "note": {"source": {"source": "text", "text": "See {{case.reference}}"}, "citizen_text": True}})
    rule = Rule(name="Decision issued: email the applicant", case_type=case_type, trigger=Trigger.STATUS_CHANGED,
                trigger_config={"from": "Under review", "to": "Decision issued"}, condition_mode="any",
                send_once=False, manual=True, order=3, conditions=[
                    {"subject": {"source": "person", "role": "Applicant", "detail": "consent_email"},
                     "operator": "is_true"},
                    {"subject": {"source": "field", "key": "decision"}, "operator": "equals", "value": "Approved"}])
    rule = rule_save(rule=rule, mapping_templates=[mapping])
    return {"case_type": case_type, "person": person, "address": address, "case": case,
            "integration": integration, "mapping": mapping, "rule": rule}


def test_every_edit_form_saved_unchanged_changes_nothing(page, users, filled):
    case_type, case = filled["case_type"], filled["case"]
    sign_in(page, users["caseworker"])
    forms = [
        (case, f"/cases/{case.pk}/edit/"),
        (filled["person"], f"/people/{filled['person'].pk}/edit/?case={case.pk}"),
        (filled["address"], f"/addresses/{filled['address'].pk}/edit/?case={case.pk}"),
    ]
    for obj, url in forms:
        before = state(obj)
        save_unchanged(page, url)
        assert state(obj) == before, url

    page.context.clear_cookies()
    sign_in(page, users["admin"])
    integration, mapping = filled["integration"], filled["mapping"]
    forms = [
        (integration, f"/settings/integrations/{integration.pk}/", re.compile(r"^Save$")),
        (mapping, f"/settings/integrations/{integration.pk}/mapping-templates/{mapping.pk}/", None),
        (filled["rule"], f"/rules/{filled['rule'].pk}/", None),
        (case_type, f"/settings/case-types/{case_type.pk}/edit/", None),
        *[(field, f"/settings/case-types/{case_type.pk}/fields/{field.pk}/", None) for field in case_type.fields.all()],
        *[(status, f"/settings/case-types/{case_type.pk}/statuses/{status.pk}/", None)
          for status in Status.objects.filter(case_type=case_type)],
    ]
    for obj, url, button in forms:
        before = state(obj)
        save_unchanged(page, url, button or re.compile(r"^Save"))
        assert state(obj) == before, url
