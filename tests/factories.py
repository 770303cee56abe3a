"""Factories for the case domain and users with roles (factory-boy)."""

import factory
from django.contrib.auth.models import Group, User
from factory.django import DjangoModelFactory

from accounts.roles import ADMINISTRATORS, AUDITORS, CASEWORKERS
from cases import services
from cases.models import Address, CaseType, FieldDefinition, FieldKind, Person, Status


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery staple")

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=extracted))
        if create:
            self.save()


def user_with_role(role, username=None):
    return UserFactory(username=username or role.lower(), role=role)


def admin_user():
    return user_with_role(ADMINISTRATORS, "admin")


def caseworker_user():
    return user_with_role(CASEWORKERS, "caseworker")


def auditor_user():
    return user_with_role(AUDITORS, "auditor")


class CaseTypeFactory(DjangoModelFactory):
    class Meta:
        model = CaseType

    name = factory.Sequence(lambda n: f"Case type {n}")
    reference_prefix = "PA"
    person_roles = factory.LazyFunction(lambda: ["Applicant", "Agent"])
    address_roles = factory.LazyFunction(lambda: ["Property"])


class FieldDefinitionFactory(DjangoModelFactory):
    class Meta:
        model = FieldDefinition

    case_type = factory.SubFactory(CaseTypeFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").capitalize())
    kind = FieldKind.TEXT


class StatusFactory(DjangoModelFactory):
    class Meta:
        model = Status

    case_type = factory.SubFactory(CaseTypeFactory)
    name = factory.Sequence(lambda n: f"Status {n}")
    order = factory.Sequence(int)


def planning_case_type():
    """A case type like the demo's: fields of every kind and four statuses."""
    case_type = CaseTypeFactory(name="Planning application")
    for order, (key, label, kind, extra) in enumerate(
        [
            ("description", "Description of works", FieldKind.TEXT, {}),
            ("fee", "Fee paid", FieldKind.NUMBER, {}),
            ("decision_date", "Decision date", FieldKind.DATE, {}),
            ("site_visit_needed", "Site visit needed", FieldKind.BOOLEAN, {}),
            ("decision", "Decision", FieldKind.CHOICE, {"choices": ["Approved", "Refused"]}),
            ("contact_email", "Contact email", FieldKind.EMAIL, {}),
            ("contact_phone", "Contact phone", FieldKind.PHONE, {}),
        ]
    ):
        FieldDefinitionFactory(case_type=case_type, key=key, label=label, kind=kind, order=order, **extra)
    for order, name in enumerate(["Received", "Under review", "Decision issued", "Closed"]):
        StatusFactory(case_type=case_type, name=name, order=order, is_initial=order == 0, is_closed=name == "Closed")
    return case_type


class AddressFactory(DjangoModelFactory):
    class Meta:
        model = Address

    line_1 = factory.Sequence(lambda n: f"{n + 1} High Street")
    town = "Exampletown"
    postcode = "SW1A 2AA"


class PersonFactory(DjangoModelFactory):
    class Meta:
        model = Person

    title = "Ms"
    first_name = factory.Sequence(lambda n: f"Alex{n}")
    last_name = "Taylor"
    email = factory.LazyAttribute(lambda o: f"{o.first_name.lower()}@example.com")
    phone = "+447700900123"
    consent_email = True
    consent_sms = True
    consent_letter = True


def make_case(case_type=None, *, field_values=None, status=None, people=(), addresses=()):
    """A case made through the services (so its events exist), with (person, role) and (address, role) links."""
    case = services.case_create(case_type=case_type or planning_case_type(), field_values=field_values, status=status)
    for person, role in people:
        services.case_link_person(case=case, person=person, role=role)
    for address, role in addresses:
        services.case_link_address(case=case, address=address, role=role)
    return case
