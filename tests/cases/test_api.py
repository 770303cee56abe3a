"""The case domain's REST API on real PostgreSQL: CRUD, validation as 400s, events, auth, filters."""

import pytest
from django.core.management import call_command
from knox.models import AuthToken
from rest_framework.test import APIClient

from cases.models import Case, CaseEvent, Person
from tests.factories import AddressFactory, PersonFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as, caseworker):
    return api_as(caseworker)


def new_case(api, case_type, **body):
    return api.post("/api/cases/", {"case_type": case_type.pk, **body}, format="json")


def test_creating_and_reading_a_case(api, case_type):
    response = new_case(api, case_type, summary="Loft", field_values={"fee": "250", "decision_date": "2026-03-27"},
                        status="Under review", due_date="2026-04-30")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference"].startswith("PA-")
    assert body["status"] == {"id": case_type.statuses.get(name="Under review").pk, "name": "Under review"}
    assert body["field_values"] == {"fee": 250, "decision_date": "2026-03-27"}
    assert api.get(f"/api/cases/{body['id']}/").json()["summary"] == "Loft"
    assert list(CaseEvent.objects.filter(case_id=body["id"]).values_list("kind", flat=True)) == ["created"]


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({"field_values": {"fee": "lots"}}, {"field_values": {"fee": ["Enter a number, like 12 or 12.5"]}}),
        ({"field_values": {"decision_date": "31/02/2026"}},
         {"field_values": {"decision_date": ["Enter a real date in the format YYYY-MM-DD, like 2026-03-27"]}}),
        ({"field_values": {"site_visit_needed": "maybe"}}, {"field_values": {"site_visit_needed": ["Select yes or no"]}}),
        ({"field_values": {"decision": "Maybe"}}, {"field_values": {"decision": ["Select one of: Approved, Refused"]}}),
        ({"field_values": {"contact_email": "nope"}},
         {"field_values": {"contact_email": ["Enter an email address in the correct format, like name@example.com"]}}),
        ({"field_values": {"contact_phone": "call me"}},
         {"field_values": {"contact_phone": ["Enter a phone number using only digits, spaces, brackets, + and -"]}}),
        ({"field_values": {"colour": "red"}}, {"field_values": {"colour": ["'colour' is not a field of this case type"]}}),
        ({"field_values": ["not", "an", "object"]}, {"field_values": ['Expected a dictionary of items but got type "list".']}),
        ({"status": "Pending"}, {"status": ["'Pending' is not a status of Planning application. Use one of: "
                                            "Received, Under review, Decision issued, Closed"]}),
        ({"field_values": {"description": "a\x00b"}},
         {"field_values": {"description": ["Remove the null character (\\x00) from the text"]}}),
        ({"due_date": "soon"}, {"due_date": ["Date has wrong format. Use one of these formats instead: YYYY-MM-DD."]}),
    ],
)
def test_bad_input_is_a_400_with_field_messages_and_saves_nothing(api, case_type, body, errors):
    response = new_case(api, case_type, **body)
    assert response.status_code == 400
    assert response.json() == errors
    assert Case.objects.count() == 0


def test_invalid_json_is_a_400(api):
    response = api.post("/api/cases/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]


def test_updating_records_events_and_keeps_what_was_saved_on_error(api, case_type):
    case = make_case(case_type, field_values={"fee": 100})
    response = api.patch(f"/api/cases/{case.pk}/", {"field_values": {"fee": "x"}, "summary": "changed"}, format="json")
    assert response.status_code == 400
    case.refresh_from_db()
    assert (case.field_values, case.summary) == ({"fee": 100}, "")
    response = api.patch(f"/api/cases/{case.pk}/", {"status": "Decision issued", "field_values": {"fee": 120}},
                         format="json")
    assert response.status_code == 200
    kinds = list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "updated", "status_changed", "field_changed"]


def test_a_case_type_cannot_change(api, case_type):
    from tests.factories import CaseTypeFactory

    case = make_case(case_type)
    response = api.patch(f"/api/cases/{case.pk}/", {"case_type": CaseTypeFactory().pk}, format="json")
    assert response.json() == {"case_type": ["A case's type cannot change"]}


def test_linking_and_unlinking_people_and_addresses(api, case_type):
    case = make_case(case_type)
    person = api.post("/api/people/", {"first_name": "Amira", "last_name": "Ahmed", "email": "Amira@Example.com",
                                       "phone": "07700 900123", "consent_email": True}, format="json").json()
    assert (person["email"], person["phone"]) == ("Amira@example.com", "+447700900123")
    link = api.post(f"/api/cases/{case.pk}/people/", {"person": person["id"], "role": "Applicant"}, format="json")
    assert link.status_code == 201
    address = api.post("/api/addresses/", {"line_1": "1 High Street", "postcode": "sw1a2aa"}, format="json").json()
    api.post(f"/api/cases/{case.pk}/addresses/", {"address": address["id"], "role": "Property"}, format="json")
    body = api.get(f"/api/cases/{case.pk}/").json()
    assert body["people"][0]["name"] == "Amira Ahmed"
    assert body["people"][0]["consent_email"] is True
    assert body["addresses"][0]["lines"] == ["1 High Street", "SW1A 2AA"]
    assert api.delete(f"/api/cases/{case.pk}/people/{link.json()['id']}/").status_code == 204
    assert api.get(f"/api/cases/{case.pk}/").json()["people"] == []
    assert api.delete(f"/api/cases/{case.pk}/people/999999/").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "errors"),
    [
        ("/api/people/", {"first_name": "A", "last_name": "B", "email": "nope"}, {"email": ["Enter a valid email address."]}),
        ("/api/people/", {"first_name": "A", "last_name": "B", "phone": "abc"},
         {"phone": ["Enter a phone number using only digits, spaces, brackets, + and -"]}),
        ("/api/people/", {"last_name": "B"}, {"first_name": ["This field is required."]}),
        ("/api/addresses/", {"line_1": "1 High Street", "postcode": "12345"},
         {"postcode": ["Enter a real postcode, like SW1A 2AA"]}),
    ],
)
def test_people_and_addresses_are_checked(api, path, body, errors):
    response = api.post(path, body, format="json")
    assert response.status_code == 400
    assert response.json() == errors


def test_filters_and_search(api, case_type):
    amira = PersonFactory(first_name="Amira", last_name="Ahmed")
    found = make_case(case_type, people=[(amira, "Applicant")], addresses=[(AddressFactory(postcode="M1 1AE"), "Property")])
    other = make_case(case_type, status=case_type.statuses.get(name="Closed"))
    def refs(params):
        return [c["reference"] for c in api.get("/api/cases/", params).json()["results"]]

    assert refs({"search": "ahmed"}) == [found.reference]
    assert refs({"search": "M1 1AE"}) == [found.reference]
    assert refs({"status": "Closed"}) == [other.reference]
    assert refs({"status": str(other.status_id)}) == [other.reference]
    assert refs({"reference": found.reference.lower()}) == [found.reference]
    assert [p["id"] for p in api.get("/api/people/", {"search": "amira"}).json()["results"]] == [amira.pk]


def test_the_case_list_takes_a_fixed_number_of_queries(api, case_type, django_assert_max_num_queries):
    for _ in range(20):
        make_case(case_type, people=[(PersonFactory(), "Applicant")], addresses=[(AddressFactory(), "Property")])
    with django_assert_max_num_queries(10):
        assert len(api.get("/api/cases/").json()["results"]) == 20


def test_token_authentication(caseworker, case_type):
    client = APIClient()
    assert client.get("/api/cases/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {AuthToken.objects.create(user=caseworker)[1]}")
    assert client.get("/api/cases/").status_code == 200


def test_session_writes_need_the_csrf_token(caseworker, case_type):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(caseworker)
    response = client.post("/api/cases/", {"case_type": case_type.pk}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]


def test_caseworkers_read_but_do_not_write_case_types(api, case_type):
    assert api.get("/api/case-types/").json()["results"][0]["fields"][0]["key"] == "description"
    assert api.post("/api/case-types/", {"name": "X", "reference_prefix": "X"}, format="json").status_code == 403


def test_the_schema_generates_without_warnings():
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", "/dev/null")


def test_people_are_never_deleted_through_the_api(api_as, admin, caseworker):
    person = PersonFactory()
    assert api_as(admin).delete(f"/api/people/{person.pk}/").status_code == 405
    assert api_as(caseworker).delete(f"/api/people/{person.pk}/").status_code == 403
    assert Person.objects.filter(pk=person.pk).exists()


def test_a_person_gets_a_correspondence_address(api, case_type):
    person, address = PersonFactory(), AddressFactory()
    response = api.post(f"/api/people/{person.pk}/addresses/", {"address": address.pk}, format="json")
    assert response.status_code == 201
    assert list(person.address_links.values_list("address", "role")) == [(address.pk, "Correspondence")]
    assert api.post(f"/api/people/{person.pk}/addresses/", {"address": 999999}, format="json").status_code == 400
