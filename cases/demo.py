"""The demo data for `make run`: a planning case type, people, addresses, cases and the demo users.

Loading is idempotent: it looks things up by natural keys and only creates what is missing.
"""

import datetime
import random

from django.contrib.auth.models import Group, User
from django.db import transaction

from accounts.roles import ADMINISTRATORS, AUDITORS, CASEWORKERS

from . import services
from .models import Address, CaseType, FieldDefinition, FieldKind, Person, Status

DEMO_USERS = [
    ("admin", "demo-admin", ADMINISTRATORS),
    ("caseworker", "demo-caseworker", CASEWORKERS),
    ("auditor", "demo-auditor", AUDITORS),
]

FIELDS = [
    ("description", "Description of works", FieldKind.TEXT, {"required": True}),
    ("application_type", "Application type", FieldKind.CHOICE,
     {"choices": ["Householder", "Full planning", "Listed building consent"]}),
    ("fee", "Fee paid (£)", FieldKind.NUMBER, {}),
    ("site_visit_needed", "Site visit needed", FieldKind.BOOLEAN, {}),
    ("consultation_end_date", "Consultation end date", FieldKind.DATE, {}),
    ("decision", "Decision", FieldKind.CHOICE, {"choices": ["Approved", "Approved with conditions", "Refused"]}),
    ("decision_date", "Decision date", FieldKind.DATE, {}),
    ("agent_email", "Agent email", FieldKind.EMAIL, {}),
    ("site_phone", "Site contact phone", FieldKind.PHONE, {}),
    ("visit_confirmed", "Visit confirmed", FieldKind.BOOLEAN, {}),
]
STATUSES = ["Received", "Validated", "Under consultation", "Decision issued", "Closed"]
FIRST_NAMES = ["Amira", "Ben", "Chloe", "Dev", "Elena", "Femi", "Grace", "Hamza", "Isla", "Jack", "Kiran",
               "Lucy", "Mo", "Nia", "Owen", "Priya", "Rhys", "Sofia", "Tom", "Zara", "Yusuf", "Hannah"]
LAST_NAMES = ["Ahmed", "Brown", "Campbell", "Davies", "Evans", "Fraser", "Green", "Hughes", "Iqbal", "Jones"]
STREETS = ["High Street", "Station Road", "Church Lane", "Mill Road", "Park Avenue", "Queens Road"]
WORKS = ["Single-storey rear extension", "Loft conversion with dormer", "Replacement windows",
         "Detached garage", "Change of use to a café", "Two-storey side extension"]
DEMO_CASES = 24


def ensure_users(stdout=None):
    for username, password, role in DEMO_USERS:
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(password)
            user.save()
        user.groups.add(Group.objects.get(name=role))


DOCUMENT_TYPES = ["Decision notice", "Site plan"]


def ensure_case_type():
    case_type, _ = CaseType.objects.get_or_create(
        name="Planning application",
        defaults={
            "reference_prefix": "PA",
            "description": "Applications for planning permission.",
            "person_roles": ["Applicant", "Agent"],
            "address_roles": ["Property"],
            "document_types": DOCUMENT_TYPES,
        },
    )
    if not case_type.document_types:  # a demo loaded before case documents existed
        case_type.document_types = DOCUMENT_TYPES
        case_type.save(update_fields=["document_types"])
    for order, (key, label, kind, extra) in enumerate(FIELDS):
        FieldDefinition.objects.get_or_create(
            case_type=case_type, key=key, defaults={"label": label, "kind": kind, "order": order, **extra}
        )
    for order, name in enumerate(STATUSES):
        Status.objects.get_or_create(
            case_type=case_type,
            name=name,
            defaults={"order": order, "is_initial": order == 0, "is_closed": name == "Closed"},
        )
    return case_type


def _person(rng, number):
    first, last = FIRST_NAMES[number % len(FIRST_NAMES)], LAST_NAMES[number % len(LAST_NAMES)]
    person = Person(
        title=rng.choice(["Ms", "Mr", "Mx", "Dr", ""]),
        first_name=first,
        last_name=last,
        # A test key never reaches a real inbox or phone. Every fifth person has Notify's "permanently failing"
        # address and number, so the demo shows a bounced email and its fallback letter.
        email="perm-fail@simulator.notify" if number % 5 == 1 else f"{first}.{last}@example.com".lower(),
        phone="07700 900002" if number % 5 == 1 else f"07700 900{100 + number:03d}",
        date_of_birth=datetime.date(1960 + number % 40, 1 + number % 12, 1 + number % 28),
        consent_email=number % 4 != 0,
        consent_sms=number % 3 == 0,
        consent_letter=True,
    )
    return services.person_save(person=person)


def _address(number):
    address = Address(
        line_1=f"{number + 1} {STREETS[number % len(STREETS)]}",
        town="Exampleton",
        county="Borsetshire",
        postcode=["SW1A 2AA", "M1 1AE", "B33 8TH", "CR2 6XH", "LS1 4AP"][number % 5],
    )
    return services.address_save(address=address)


@transaction.atomic
def load_demo():
    """Create the demo; returns how many cases it created (0 when they were already there)."""
    ensure_users()
    case_type = ensure_case_type()
    existing = case_type.cases.count()
    rng = random.Random(2026)
    statuses = list(case_type.statuses.all())
    for number in range(existing, DEMO_CASES):
        values = {"description": WORKS[number % len(WORKS)], "application_type": "Householder",
                  "fee": 258, "site_visit_needed": number % 2 == 0}
        case = services.case_create(
            case_type=case_type,
            field_values=values,
            summary=f"{values['description']} at {number + 1} {STREETS[number % len(STREETS)]}",
            due_date=datetime.date.today() + datetime.timedelta(days=8 * 7 - number),
        )
        applicant = _person(rng, number)
        property_address = _address(number)
        services.person_link_address(person=applicant, address=property_address)
        services.case_link_person(case=case, person=applicant, role="Applicant")
        services.case_link_address(case=case, address=property_address, role="Property")
        if number % 3 == 0:
            agent = _person(rng, number + 7)
            services.case_link_person(case=case, person=agent, role="Agent")
        status = statuses[number % (len(statuses) - 1)]
        if status != case.status:
            services.case_update(case=case, status=status)
    return DEMO_CASES - existing if existing < DEMO_CASES else 0
