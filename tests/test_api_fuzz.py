"""Schemathesis over the OpenAPI schema, as each role: no server errors, and responses match the schema."""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from knox.models import AuthToken
from schemathesis.checks import not_a_server_error, response_schema_conformance

from tests import factories

EXAMPLES = 4


@pytest.fixture(autouse=True)
def keep_the_test_connection():
    """Calls through the WSGI app would close the test's database connection, as Django's test client knows."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def tokens(db):
    """A token for each role, and one of each object the API's paths name."""
    case_type = factories.planning_case_type()
    factories.make_case(case_type, people=[(factories.PersonFactory(), "Applicant")],
                        addresses=[(factories.AddressFactory(), "Property")])
    return {user.username: AuthToken.objects.create(user=user)[1]
            for user in (factories.admin_user(), factories.caseworker_user(), factories.auditor_user())}


def fuzz(operation, tokens, statuses):
    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(case):
        for key in tokens.values():
            response = case.call(headers={"Authorization": f"Token {key}"})
            statuses.append(response.status_code)
            case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])

    check()


def test_no_role_can_make_the_api_fail(tokens):
    schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40
    statuses = []
    for operation in operations:
        fuzz(operation, tokens, statuses)
    # It reached the endpoints as every role: successes, validation errors and refusals, never a 5xx.
    assert {200, 201, 400, 403} <= set(statuses)
    assert max(statuses) < 500


HUGE = "9" * 26


@pytest.mark.django_db
@pytest.mark.parametrize(("path", "status"), [
    (f"/api/log/?case={HUGE}", 400), (f"/api/log/?integration={HUGE}", 400), (f"/api/cases/?status={HUGE}", 200),
    (f"/api/cases/?case_type={HUGE}", 400), ("/api/log/?case=-1", 400), ("/api/no-such-thing/", 404),
    ("/api/cases/?status=²", 200), ("/api/log/?case=²", 400),
])
def test_parameters_that_cannot_be_ids_get_a_json_answer_not_a_500(api_as, admin, path, status):
    response = api_as(admin).get(path)
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_pages_with_malformed_parameters_answer_without_a_500(client, admin, caseworker, case_type):
    from tests.factories import AddressFactory, PersonFactory

    person, address = PersonFactory(), AddressFactory()
    client.force_login(caseworker)
    assert client.get(f"/people/{person.pk}/edit/?case=abc").status_code == 200
    assert client.get(f"/addresses/{address.pk}/edit/?case=1'").status_code == 200
    assert client.get(f"/people/{person.pk}/edit/?case={HUGE}").status_code == 200
    assert client.get(f"/people/{person.pk}/edit/?case=²").status_code == 200  # a digit, but not an ASCII one
    client.force_login(admin)
    assert client.get("/log/?after=x").status_code == 400
    assert client.get("/log/", {"after": "0001-01-01T00:00:00+01:00_5"}).status_code == 400  # out of range in UTC


@pytest.mark.django_db
def test_deeply_nested_or_huge_json_bodies_get_a_json_4xx(api_as, admin, settings):
    api = api_as(admin)
    nested = "[" * 1000 + "]" * 1000
    response = api.generic("POST", "/api/cases/", nested, content_type="application/json")
    assert response.status_code == 400
    assert "nested too deeply" in response.json()["detail"]
    big = '{"summary": "' + "x" * (11 * 1024 * 1024) + '"}'
    response = api.generic("POST", "/api/cases/", big, content_type="application/json")
    assert response.status_code == 413
    assert response["Content-Type"].startswith("application/json")


@pytest.mark.django_db
def test_free_text_and_rule_values_are_capped_with_a_clear_error(api_as, admin, case_type):
    from tests.rules.helpers import CONSENTED, make_mapping

    api = api_as(admin)
    long = "x" * 100_000  # far over each cap, well under the body limit (a long is a 413 before any field)
    case = api.post("/api/cases/", {"case_type": case_type.pk, "field_values": {"description": long}},
                    format="json")
    assert case.status_code == 400
    assert "Enter at most 10,000 characters" in json.dumps(case.json())
    rule = api.post("/api/rules/", {
        "name": "Long", "case_type": case_type.pk, "trigger": "case_updated", "trigger_config": {},
        "conditions": [CONSENTED, {"subject": {"source": "field", "key": "decision"}, "operator": "equals",
                                   "value": long}],
        "actions": [make_mapping(case_type=case_type).pk]}, format="json")
    assert rule.status_code == 400
    assert rule.json()["condition_2"] == ["Enter a value of at most 500 characters"]
    described = api.patch(f"/api/case-types/{case_type.pk}/", {"description": long}, format="json")
    assert described.status_code == 400


def test_manual_text_in_a_mapping_is_capped():
    from mappings.checks import check_source

    assert check_source({"source": "text", "text": "x" * 2001}, {}) == ["Enter at most 2,000 characters of text"]
    assert check_source({"source": "text", "text": "x" * 2000}, {}) == []



@pytest.mark.django_db
def test_a_date_rule_offset_beyond_a_century_is_refused(api_as, admin, case_type):
    from tests.rules.helpers import make_mapping

    response = api_as(admin).post("/api/rules/", {
        "name": "Far", "case_type": case_type.pk, "trigger": "date_reached",
        "trigger_config": {"date": "due", "offset_days": 1_000_000}, "conditions": [],
        "actions": [make_mapping(case_type=case_type).pk]}, format="json")
    assert response.status_code == 400
    assert response.json()["trigger_days"] == ["Enter a number of days between -36,500 and 36,500"]
