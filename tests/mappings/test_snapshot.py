import datetime

import pytest

from cases import services
from cases.models import Case
from mappings.resolve import resolve
from mappings.snapshot import snapshot_of, snapshots
from tests.factories import AddressFactory, PersonFactory, make_case

pytestmark = pytest.mark.django_db


def test_a_snapshot_carries_what_mappings_and_rules_read(case_type):
    applicant = PersonFactory(first_name="Amira", last_name="Ahmed", email="amira@example.com")
    home = AddressFactory(line_1="Flat 2", postcode="M1 1AE")
    services.person_link_address(person=applicant, address=home)
    site = AddressFactory(line_1="1 High Street")
    case = make_case(case_type, field_values={"fee": "250", "decision_date": "2026-01-03"},
                     people=[(applicant, "Applicant")], addresses=[(site, "Property")])
    data = snapshot_of(case.pk)
    assert data["reference"] == case.reference
    assert data["status"] == "Received"
    assert data["fields"] == {"fee": 250, "decision_date": "2026-01-03"}
    assert data["kinds"]["decision_date"] == "date"
    assert data["dates"]["created"].date() == datetime.date.today()
    assert data["people"][0]["role"] == "Applicant"
    assert data["people"][0]["consent_email"] is True
    assert data["people"][0]["addresses"][0]["line_1"] == "Flat 2"
    assert data["addresses"][0]["role"] == "Property"
    spec = {"channel": "letter", "template_id": "t", "placeholders": [],
            "recipient": {"person_role": "Applicant", "address": {"of": "person:Applicant", "role": "Correspondence"}}}
    assert resolve(spec, data, reference="r").message.personalisation["address_line_2"] == "Flat 2"


def test_snapshots_of_many_cases_take_a_fixed_number_of_queries(case_type, django_assert_max_num_queries):
    for _ in range(5):
        make_case(case_type, people=[(PersonFactory(), "Applicant"), (PersonFactory(), "Agent")],
                  addresses=[(AddressFactory(), "Property")])
    with django_assert_max_num_queries(5):
        found = snapshots(Case.objects.order_by("pk"))
    assert len(found) == 5
    assert all(len(s["people"]) == 2 for s in found)
    assert [s["id"] for s in found] == sorted(s["id"] for s in found)
