"""Caseworker and settings pages with Django's test client: what they show, save and refuse."""

import pytest
from django.urls import reverse

from cases.models import Case, FieldKind, Person
from tests.factories import AddressFactory, PersonFactory, make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, caseworker):
    client.force_login(caseworker)
    return client


def test_the_case_list_searches_and_filters(signed_in, case_type):
    amira = PersonFactory(first_name="Amira", last_name="Ahmed")
    first = make_case(case_type, people=[(amira, "Applicant")], addresses=[(AddressFactory(postcode="M1 1AE"), "Property")])
    second = make_case(case_type, status=case_type.statuses.get(name="Closed"))
    page = signed_in.get(reverse("cases:case_list")).content.decode()
    assert first.reference in page
    assert second.reference in page
    for query in ("ahmed", "M1 1AE", first.reference):
        found = signed_in.get(reverse("cases:case_list"), {"q": query}).content.decode()
        assert first.reference in found
        assert second.reference not in found
    closed = signed_in.get(reverse("cases:case_list"), {"status": "Closed"}).content.decode()
    assert second.reference in closed
    assert first.reference not in closed


def test_the_case_list_takes_a_fixed_number_of_queries(signed_in, case_type, django_assert_max_num_queries):
    for _ in range(30):
        make_case(case_type)
    with django_assert_max_num_queries(12):
        assert signed_in.get(reverse("cases:case_list")).status_code == 200


def test_creating_a_case(signed_in, case_type):
    url = reverse("cases:case_create") + f"?type={case_type.pk}"
    response = signed_in.post(url, {"summary": "Loft", "status": case_type.statuses.get(name="Received").pk,
                                    "field__fee": "250", "field__decision": "Approved",
                                    "field__site_visit_needed": "yes", "field__decision_date": "2026-03-27"})
    case = Case.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    assert case.field_values == {"fee": 250, "decision": "Approved", "site_visit_needed": True,
                                 "decision_date": "2026-03-27"}
    page = signed_in.get(response.url).content.decode()
    assert "27 March 2026" in page
    assert "Yes" in page


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("field__fee", "lots", "Enter a number, like 12 or 12.5"),
        ("field__decision_date", "2026-02-31", "Enter a real date in the format YYYY-MM-DD"),
        ("field__contact_email", "not-an-email", "Enter an email address in the correct format"),
        ("field__contact_phone", "call me", "Enter a phone number using only digits"),
        ("field__decision", "Maybe", "Select a valid choice"),
        ("due_date", "31/02/2026", "Enter a real due date"),
    ],
)
def test_bad_values_show_field_errors_and_save_nothing(signed_in, case_type, field, value, message):
    url = reverse("cases:case_create") + f"?type={case_type.pk}"
    data = {"status": case_type.statuses.get(name="Received").pk, field: value}
    response = signed_in.post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert message in page
    assert f'href="#id_{field}"' in page
    assert Case.objects.count() == 0


def test_an_unknown_status_is_refused(signed_in, case_type):
    response = signed_in.post(reverse("cases:case_create") + f"?type={case_type.pk}", {"status": 999999})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()


def test_editing_keeps_input_on_error_and_saves_on_success(signed_in, case_type):
    case = make_case(case_type, field_values={"fee": 100})
    url = reverse("cases:case_edit", args=[case.pk])
    decided = case_type.statuses.get(name="Decision issued").pk
    response = signed_in.post(url, {"status": decided, "summary": "New summary", "field__fee": "abc"})
    assert response.status_code == 200
    assert 'value="New summary"' in response.content.decode()
    case.refresh_from_db()
    assert (case.field_values, case.summary) == ({"fee": 100}, "")
    response = signed_in.post(url, {"status": decided, "summary": "New summary", "field__fee": "120"})
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status.name, case.field_values, case.summary) == ("Decision issued", {"fee": 120}, "New summary")


def test_adding_a_person_with_bad_details_and_then_good_ones(signed_in, case_type):
    case = make_case(case_type)
    url = reverse("cases:case_add_person", args=[case.pk])
    response = signed_in.post(url, {"first_name": "Amira", "last_name": "Ahmed", "email": "amira@", "phone": "abc",
                                    "role": "Applicant"})
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address" in page
    assert Person.objects.count() == 0
    response = signed_in.post(url, {"first_name": "Amira", "last_name": "Ahmed", "email": "amira@example.com",
                                    "phone": "07700 900123", "role": "Applicant", "consent_email": "on"})
    assert response.status_code == 302
    link = case.person_links.get()
    assert (link.role, link.person.phone, link.person.consent_email, link.person.consent_sms) == (
        "Applicant", "+447700900123", True, False)


def test_a_bad_phone_number_is_shown_on_its_field(signed_in, case_type):
    case = make_case(case_type)
    response = signed_in.post(reverse("cases:case_add_person", args=[case.pk]),
                              {"first_name": "A", "last_name": "B", "phone": "call me", "role": "Agent"})
    assert "Enter a phone number using only digits" in response.content.decode()
    assert Person.objects.count() == 0


def test_adding_an_address_checks_the_postcode(signed_in, case_type):
    case = make_case(case_type)
    url = reverse("cases:case_add_address", args=[case.pk])
    response = signed_in.post(url, {"line_1": "1 High Street", "postcode": "12345", "country": "United Kingdom",
                                    "role": "Property"})
    assert "Enter a real postcode, like SW1A 2AA" in response.content.decode()
    assert case.address_links.count() == 0
    response = signed_in.post(url, {"line_1": "1 High Street", "postcode": "sw1a2aa", "country": "United Kingdom",
                                    "role": "Property"})
    assert response.status_code == 302
    assert case.address_links.get().address.postcode == "SW1A 2AA"


def test_removing_a_person_keeps_the_person(signed_in, case_type):
    person = PersonFactory()
    case = make_case(case_type, people=[(person, "Applicant")])
    link = case.person_links.get()
    url = reverse("cases:case_remove_person", args=[case.pk, link.pk])
    assert "Remove" in signed_in.get(url).content.decode()
    assert signed_in.post(url).status_code == 302
    assert case.person_links.count() == 0
    assert Person.objects.filter(pk=person.pk).exists()


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_a_field_in_use_cannot_change_kind_or_be_deleted(admin_client, case_type):
    make_case(case_type, field_values={"fee": 10})
    fee = case_type.fields.get(key="fee")
    url = reverse("cases:field_edit", args=[case_type.pk, fee.pk])
    response = admin_client.post(url, {"label": "Fee", "key": "fee", "kind": FieldKind.TEXT, "order": 0})
    assert "1 cases have a value for this field: its kind cannot change" in response.content.decode()
    fee.refresh_from_db()
    assert fee.kind == FieldKind.NUMBER
    response = admin_client.post(reverse("cases:field_delete", args=[case_type.pk, fee.pk]))
    assert "You cannot delete the field" in response.content.decode()
    assert case_type.fields.filter(key="fee").exists()


def test_adding_fields_and_statuses(admin_client, case_type):
    response = admin_client.post(reverse("cases:field_create", args=[case_type.pk]),
                                 {"label": "Ward", "key": "ward", "kind": FieldKind.CHOICE, "choices": "North\nSouth",
                                  "order": 9})
    assert response.status_code == 302
    assert case_type.fields.get(key="ward").choices == ["North", "South"]
    response = admin_client.post(reverse("cases:field_create", args=[case_type.pk]),
                                 {"label": "Bad", "key": "Bad Key", "kind": FieldKind.TEXT, "order": 1})
    assert "Use lower-case letters" in response.content.decode()
    admin_client.post(reverse("cases:status_create", args=[case_type.pk]),
                      {"name": "Appealed", "order": 9, "is_initial": "on"})
    assert list(case_type.statuses.filter(is_initial=True).values_list("name", flat=True)) == ["Appealed"]


def test_a_status_in_use_cannot_be_deleted(admin_client, case_type):
    make_case(case_type)
    received = case_type.statuses.get(name="Received")
    response = admin_client.post(reverse("cases:status_delete", args=[case_type.pk, received.pk]))
    assert "1 cases are in this status" in response.content.decode()
    assert case_type.statuses.filter(pk=received.pk).exists()


def test_linking_someone_already_in_the_service(signed_in, case_type):
    case = make_case(case_type)
    agent = PersonFactory(first_name="Priya", last_name="Shah", email="priya@agents.example.com")
    url = reverse("cases:case_add_person", args=[case.pk])
    page = signed_in.get(url, {"q": "shah"}).content.decode()
    assert "priya@agents.example.com" in page
    response = signed_in.post(url, {"existing": agent.pk, "role": "Agent"})
    assert response.status_code == 302
    assert list(case.person_links.values_list("person", "role")) == [(agent.pk, "Agent")]


def test_linking_an_address_already_in_the_service(signed_in, case_type):
    case = make_case(case_type)
    address = AddressFactory(line_1="9 Mill Road", postcode="M1 1AE")
    url = reverse("cases:case_add_address", args=[case.pk])
    assert "9 Mill Road" in signed_in.get(url, {"q": "M1 1AE"}).content.decode()
    signed_in.post(url, {"existing": address.pk, "role": "Site"})
    assert list(case.address_links.values_list("address", "role")) == [(address.pk, "Site")]


def test_editing_a_person_checks_and_goes_back_to_the_case(signed_in, case_type):
    person = PersonFactory(first_name="Amira", last_name="Ahmed")
    case = make_case(case_type, people=[(person, "Applicant")])
    url = reverse("cases:person_edit", args=[person.pk]) + f"?case={case.pk}"
    data = {"title": "Dr", "first_name": "Amira", "last_name": "Ahmed", "email": "amira@example.com"}
    response = signed_in.post(url, {**data, "phone": "call me"})
    assert "Enter a phone number using only digits" in response.content.decode()
    response = signed_in.post(url, {**data, "phone": "07700 900 555"})
    assert response.url == reverse("cases:case_detail", args=[case.pk])
    person.refresh_from_db()
    assert (person.title, person.phone) == ("Dr", "+447700900555")


def test_a_new_address_can_be_a_persons_correspondence_address(signed_in, case_type):
    person = PersonFactory(first_name="Amira")
    case = make_case(case_type, people=[(person, "Applicant")])
    response = signed_in.post(reverse("cases:case_add_address", args=[case.pk]), {
        "line_1": "Flat 2", "postcode": "M1 1AE", "country": "United Kingdom", "role": "Home",
        "correspondence_for": [person.pk]})
    assert response.status_code == 302
    assert list(person.address_links.values_list("role", "address__line_1")) == [("Correspondence", "Flat 2")]


def test_a_short_mobile_number_is_refused_on_the_person(signed_in, case_type):
    case = make_case(case_type)
    response = signed_in.post(reverse("cases:case_add_person", args=[case.pk]),
                              {"first_name": "A", "last_name": "B", "phone": "07700 90012", "role": "Agent"})
    assert "Enter a real phone number" in response.content.decode()
    assert Person.objects.count() == 0


def test_labels_say_optional_only_for_what_is_optional(signed_in, case_type):
    case_type.fields.create(key="works", label="Works to be done", kind=FieldKind.TEXT, required=True)
    case = make_case(case_type, field_values={"works": "Loft"})
    page = signed_in.get(reverse("cases:case_edit", args=[case.pk])).content.decode()
    assert "Works to be done (optional)" not in page
    assert "Works to be done</label>" in page
    assert "Summary (optional)" in page
    page = signed_in.get(reverse("cases:case_add_address", args=[case.pk])).content.decode()
    assert "Postcode (optional)" not in page
    assert "Needed for an address in the UK" in page


def test_a_postcode_that_is_too_long_gets_one_error(signed_in, case_type):
    case = make_case(case_type)
    response = signed_in.post(reverse("cases:case_add_address", args=[case.pk]),
                              {"line_1": "1 High Street", "postcode": "SW1A 2AA 1234", "country": "United Kingdom",
                               "role": "Property"})
    page = response.content.decode()
    assert page.count('class="govuk-error-message"') == 1
    assert "Ensure this value has at most" in page


def test_a_missing_required_value_names_its_field(signed_in, case_type):
    case = make_case(case_type)
    response = signed_in.post(reverse("cases:case_add_person", args=[case.pk]), {"last_name": "B", "role": ""})
    page = response.content.decode()
    assert "This field is required" not in page
    assert "Enter first name" in page
    assert "Enter role" in page


def test_a_postcode_is_found_with_or_without_its_space_and_in_any_case(signed_in, case_type):
    case = make_case(case_type, addresses=[(AddressFactory(postcode="SW1A 1AA"), "Property")])
    for query in ("sw1a1aa", "SW1A 1AA", "sw1a 1aa", "SW1A1AA"):
        assert case.reference in signed_in.get(reverse("cases:case_list"), {"q": query}).content.decode(), query


def test_a_long_search_is_cut_to_its_first_words_and_answers(signed_in, case_type):
    make_case(case_type)
    response = signed_in.get(reverse("cases:case_list"), {"q": " ".join(f"w{n}" for n in range(2000))})
    assert response.status_code == 200


def test_one_save_is_one_line_of_history_with_field_labels(signed_in, case_type):
    case = make_case(case_type)
    decided = case_type.statuses.get(name="Decision issued")
    signed_in.post(reverse("cases:case_edit", args=[case.pk]), {
        "status": decided.pk, "summary": case.summary, "due_date": "2027-02-15", "field__decision": "Approved"})
    page = signed_in.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    history = page[page.index("<h2 class=\"govuk-heading-m\">History</h2>"):]
    assert history.count("Case updated") == 1
    assert "Status: Received → Decision issued" in history
    assert "Decision: (empty) → Approved" in history
    assert "Due date: (empty) → 2027-02-15" in history
    assert "decision_date" not in history


def test_the_case_page_polls_while_a_message_is_on_its_way_and_stops_once_settled(signed_in, case_type, integration):
    from integrations.log import LogEntry, Status

    case = make_case(case_type)
    entry = LogEntry.objects.create(integration=integration, case=case, channel="email", status=Status.QUEUED,
                                    reference="poll-entry", mapping_template_name="Decision email")
    page = signed_in.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'hx-trigger="every 2s"' in page
    LogEntry.objects.filter(pk=entry.pk).update(status=Status.SENT)
    page = signed_in.get(reverse("cases:case_detail", args=[case.pk])).content.decode()
    assert 'hx-trigger="every 2s"' not in page
    assert "Sent" in page
