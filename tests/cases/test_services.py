import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.events import case_event_committed, case_event_recorded
from cases.models import CaseEvent, EventKind
from tests.factories import AddressFactory, PersonFactory, make_case

pytestmark = pytest.mark.django_db


def kinds(case):
    return list(CaseEvent.objects.filter(case=case).order_by("id").values_list("kind", "data"))


def test_a_new_case_starts_in_the_initial_status_with_a_reference(case_type):
    case = services.case_create(case_type=case_type, field_values={"fee": "250"})
    assert case.status.name == "Received"
    assert case.reference.startswith("PA-")
    assert case.reference.endswith("-000001")
    assert case.field_values == {"fee": 250}
    assert kinds(case) == [(EventKind.CREATED, {})]
    second = services.case_create(case_type=case_type)
    assert second.reference.endswith("-000002")


def test_invalid_field_values_save_nothing(case_type):
    with pytest.raises(ValidationError) as caught:
        services.case_create(case_type=case_type, field_values={"fee": "lots", "colour": "red"})
    assert "fee: Enter a number, like 12 or 12.5" in caught.value.message_dict["field_values"]
    assert "colour: 'colour' is not a field of this case type" in caught.value.message_dict["field_values"]
    assert not case_type.cases.exists()


def test_a_status_of_another_type_is_refused(case_type):
    from tests.factories import StatusFactory

    foreign = StatusFactory(name="Elsewhere")
    with pytest.raises(ValidationError, match="'Elsewhere' is not a status of Planning application"):
        services.case_create(case_type=case_type, status=foreign)


def test_update_records_status_and_field_changes(case_type):
    case = make_case(case_type, field_values={"fee": 100, "description": "Loft"})
    decided = case_type.statuses.get(name="Decision issued")
    services.case_update(case=case, status=decided, field_values={"fee": "120", "description": ""})
    case.refresh_from_db()
    assert case.field_values == {"fee": 120}
    assert kinds(case)[1:] == [
        (EventKind.UPDATED, {}),
        (EventKind.STATUS_CHANGED, {"from": "Received", "to": "Decision issued"}),
        (EventKind.FIELD_CHANGED, {"key": "description", "old": "Loft", "new": None}),
        (EventKind.FIELD_CHANGED, {"key": "fee", "old": 100, "new": 120}),
    ]


def test_an_update_that_changes_nothing_records_nothing(case_type):
    case = make_case(case_type, field_values={"fee": 100})
    services.case_update(case=case, field_values={"fee": "100"}, summary="")
    assert kinds(case) == [(EventKind.CREATED, {})]


def test_closing_and_reopening_sets_the_closed_date(case_type):
    case = make_case(case_type)
    services.case_update(case=case, status=case_type.statuses.get(name="Closed"))
    case.refresh_from_db()
    assert case.closed_at is not None
    services.case_update(case=case, status=case_type.statuses.get(name="Under review"))
    case.refresh_from_db()
    assert case.closed_at is None


def test_a_failed_update_keeps_what_was_saved(case_type):
    case = make_case(case_type, field_values={"fee": 100})
    with pytest.raises(ValidationError):
        services.case_update(case=case, field_values={"fee": "abc"}, summary="changed")
    case.refresh_from_db()
    assert case.field_values == {"fee": 100}
    assert case.summary == ""


def test_events_are_announced_in_the_transaction_and_after_commit(case_type, django_capture_on_commit_callbacks):
    recorded, committed = [], []

    def on_recorded(event, **kwargs):
        recorded.append(event.kind)

    def on_committed(event, **kwargs):
        committed.append(event.kind)

    case_event_recorded.connect(on_recorded)
    case_event_committed.connect(on_committed)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            case = make_case(case_type)
            assert recorded == ["created"]
            assert committed == []
        assert committed == ["created"]
        services.case_update(case=case, summary="New summary")
    finally:
        case_event_recorded.disconnect(on_recorded)
        case_event_committed.disconnect(on_committed)
    assert recorded == ["created", "updated"]


def test_linking_people_and_addresses_touches_the_case(case_type):
    case = make_case(case_type)
    person = PersonFactory()
    address = AddressFactory()
    services.case_link_person(case=case, person=person, role="Applicant")
    services.case_link_person(case=case, person=person, role="Applicant")
    services.case_link_address(case=case, address=address, role="Property")
    assert list(case.person_links.values_list("person", "role")) == [(person.pk, "Applicant")]
    assert list(case.address_links.values_list("address", "role")) == [(address.pk, "Property")]
    assert [k for k, _ in kinds(case)] == ["created", "updated", "updated"]


def test_people_details_are_checked_and_normalised():
    person = PersonFactory.build(email="Bad@Example.COM", phone="07700 900982")
    services.person_save(person=person)
    assert (person.email, person.phone) == ("Bad@example.com", "+447700900982")
    with pytest.raises(ValidationError) as caught:
        services.person_save(person=PersonFactory.build(email="nope", phone="call me"))
    assert set(caught.value.message_dict) == {"email", "phone"}


def test_uk_addresses_need_a_real_postcode():
    address = AddressFactory.build(postcode="sw1a1aa")
    services.address_save(address=address)
    assert address.postcode == "SW1A 1AA"
    with pytest.raises(ValidationError) as caught:
        services.address_save(address=AddressFactory.build(postcode="12345"))
    assert caught.value.message_dict == {"postcode": ["Enter a real postcode, like SW1A 2AA"]}
    overseas = AddressFactory.build(postcode="75001", country="France")
    services.address_save(address=overseas)
    assert overseas.lines()[-2:] == ["75001", "France"]
