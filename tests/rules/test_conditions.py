"""Rule conditions over case data: every operator, kinds, consent, relative dates, odd data."""

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.conditions import all_match, check_condition, matches
from tests.mappings.test_resolve import cases as arbitrary_cases
from tests.mappings.test_resolve import snapshot

TODAY = datetime.date(2026, 2, 1)


def cond(subject, operator, value=None):
    return {"subject": subject, "operator": operator, "value": value}


FEE = {"source": "field", "key": "fee"}
DECISION = {"source": "field", "key": "decision"}
NOTES = {"source": "field", "key": "notes"}
SITE_VISIT = {"source": "field", "key": "site_visit_needed"}
DUE = {"source": "date", "date": "due"}
DECISION_DATE = {"source": "date", "date": "decision_date"}
STATUS = {"source": "case", "detail": "status"}
CONSENT_EMAIL = {"source": "person", "role": "Applicant", "detail": "consent_email"}
POSTCODE = {"source": "address", "role": "Property", "detail": "postcode"}


def case_with_consent(email):
    case = snapshot()
    case["people"][0]["consent_email"] = email
    return case


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (cond(FEE, "equals", "1250"), True),
        (cond(FEE, "equals", "1250.0"), True),
        (cond(FEE, "not_equals", "1250"), False),
        (cond(FEE, "greater_than", "1000"), True),
        (cond(FEE, "less_than", "1000"), False),
        (cond(FEE, "greater_than", "lots"), False),
        (cond(DECISION, "equals", "approved"), True),
        (cond(DECISION, "contains", "prov"), True),
        (cond(NOTES, "is_empty"), True),
        (cond(NOTES, "is_not_empty"), False),
        (cond(NOTES, "not_equals", "x"), True),
        (cond(NOTES, "equals", "x"), False),
        (cond(SITE_VISIT, "is_false"), True),
        (cond(SITE_VISIT, "is_true"), False),
        (cond(DUE, "after", "2026-02-27"), True),
        (cond(DUE, "before", "today+30"), True),
        (cond(DUE, "before", "today+26"), False),
        (cond(DUE, "equals", "today+27"), True),
        (cond(DECISION_DATE, "before", "today"), True),
        (cond(DECISION_DATE, "after", "today-7"), False),
        (cond(STATUS, "equals", "Decision issued"), True),
        (cond(STATUS, "not_equals", "Decision issued"), False),
        (cond(POSTCODE, "contains", "sw1a"), True),
        (cond({"source": "address", "role": "Site", "detail": "postcode"}, "is_empty"), True),
    ],
)
def test_each_operator(condition, expected):
    assert matches(condition, snapshot(), today=TODAY) is expected


@pytest.mark.parametrize(("consent", "expected"), [(True, True), (False, False), (None, False)])
def test_consent_of_a_linked_person(consent, expected):
    assert matches(cond(CONSENT_EMAIL, "is_true"), case_with_consent(consent)) is expected


def test_no_linked_person_means_no_consent():
    assert matches(cond(CONSENT_EMAIL, "is_true"), snapshot(people=[])) is False


def test_all_and_any():
    yes, no = cond(FEE, "greater_than", 1), cond(FEE, "less_than", 1)
    assert all_match([yes, yes], snapshot()) is True
    assert all_match([yes, no], snapshot()) is False
    assert all_match([yes, no], snapshot(), mode="any") is True
    assert all_match([no, no], snapshot(), mode="any") is False
    assert all_match([], snapshot()) is True


KINDS = snapshot()["kinds"]


@pytest.mark.parametrize(
    ("condition", "problems"),
    [
        (cond(FEE, "greater_than", "10"), []),
        (cond(DUE, "before", "today-14"), []),
        (cond(CONSENT_EMAIL, "is_true"), []),
        (cond({"source": "field", "key": "colour"}, "equals", "x"),
         ["Choose something of the case to check: a field, a date, the status, a person or an address"]),
        (cond(FEE, "before", "2026-01-01"),
         ["'is before' does not fit a number value: use equals, is greater than, is empty, is not empty, "
          "is less than, does not equal"]),
        (cond(SITE_VISIT, "contains", "x"),
         ["'contains' does not fit a boolean value: use is empty, is no, is not empty, is yes"]),
        (cond(FEE, "greater_than", "ten"), ["Enter a number to compare with"]),
        (cond(DUE, "after", "next week"), ["Enter a date like 2026-03-01, or today, today+7 or today-14"]),
        (cond(FEE, "resembles", "x"), ["'resembles' is not an operator"]),
    ],
)
def test_conditions_are_checked_against_the_field_kinds(condition, problems):
    assert check_condition(condition, KINDS) == problems


operators = st.sampled_from(["equals", "not_equals", "is_empty", "is_not_empty", "contains", "greater_than",
                             "less_than", "before", "after", "is_true", "is_false", "bogus"])
subjects = st.sampled_from([FEE, DECISION, DUE, STATUS, CONSENT_EMAIL, POSTCODE, {"source": "nothing"}, None])


@settings(max_examples=300)
@given(case=arbitrary_cases, subject=subjects, operator=operators,
       value=st.one_of(st.none(), st.text(max_size=10), st.integers(), st.sampled_from(["today", "today+3"])))
def test_matching_never_raises_on_arbitrary_data(case, subject, operator, value):
    assert matches(cond(subject, operator, value), case) in (True, False)
