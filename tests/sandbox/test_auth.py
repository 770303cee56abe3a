"""Notify's authentication: Bearer JWT, HS256, iss = service id, iat within 30 seconds."""

import json
import time
import urllib.error
import urllib.request
import uuid

import jwt
import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient


def raw_get(sandbox, path, headers):
    request = urllib.request.Request(f"{sandbox.base_url}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def token(service_id, secret, iat=None, **extra):
    return jwt.encode({"iss": service_id, "iat": int(iat if iat is not None else time.time()), **extra}, secret,
                      algorithm="HS256")


def parts(key):
    return key[-73:-37], key[-36:]


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "Unauthorized: authentication token must be provided"),
        ({"Authorization": "Basic abc"}, "Unauthorized: authentication bearer scheme must be used"),
        ({"Authorization": "Bearer"}, "Unauthorized: authentication bearer scheme must be used"),
    ],
)
def test_a_missing_or_wrong_scheme_is_401(sandbox, headers, message):
    status, body = raw_get(sandbox, "/v2/templates", headers)
    assert status == 401
    assert body == {"errors": [{"error": "AuthError", "message": message}], "status_code": 401}


def test_a_wrong_secret_is_api_key_not_found(sandbox, test_key):
    service_id, _ = parts(test_key)
    client = NotificationsAPIClient(f"x-{service_id}-{uuid.uuid4()}", base_url=sandbox.base_url)
    with pytest.raises(HTTPError) as raised:
        client.get_all_templates()
    assert raised.value.status_code == 403
    assert raised.value.message == [{"error": "AuthError", "message": "Invalid token: API key not found"}]


def test_an_unknown_service_is_refused(sandbox):
    client = NotificationsAPIClient(f"x-{uuid.uuid4()}-{uuid.uuid4()}", base_url=sandbox.base_url)
    with pytest.raises(HTTPError) as raised:
        client.get_all_templates()
    assert raised.value.status_code == 403
    assert raised.value.message == [{"error": "AuthError", "message": "Invalid token: service not found"}]


# Ten seconds beyond the limit either way: the request may take its time reaching the server (no test here depends on
# the machine's speed), and the answer is still certain.
@pytest.mark.parametrize("skew", [-40, 40, -600])
def test_the_clock_must_be_within_30_seconds(sandbox, test_key, skew):
    service_id, secret = parts(test_key)
    status, body = raw_get(sandbox, "/v2/templates",
                           {"Authorization": f"Bearer {token(service_id, secret, time.time() + skew)}"})
    assert status == 403
    assert body["errors"] == [{"error": "AuthError",
                               "message": "Error: Your system clock must be accurate to within 30 seconds"}]


def test_a_token_20_seconds_old_is_fine(sandbox, test_key):
    service_id, secret = parts(test_key)
    status, _ = raw_get(sandbox, "/v2/templates", {"Authorization": f"Bearer {token(service_id, secret, time.time() - 20)}"})
    assert status == 200


def test_a_token_without_iss_is_refused(sandbox, test_key):
    _, secret = parts(test_key)
    bad = jwt.encode({"iat": int(time.time())}, secret, algorithm="HS256")
    status, body = raw_get(sandbox, "/v2/templates", {"Authorization": f"Bearer {bad}"})
    assert (status, body["errors"][0]["message"]) == (403, "Invalid token: iss field not provided")


def general(message):
    return message == ("Invalid token: make sure your API token matches the example at "
                       "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header")


def test_a_token_that_is_not_a_jwt_gets_notifys_general_message(sandbox):
    status, body = raw_get(sandbox, "/v2/templates", {"Authorization": "Bearer not-a-jwt"})
    assert status == 403
    assert general(body["errors"][0]["message"]), body


def test_an_issuer_that_is_not_a_service_id_is_the_wrong_data_type(sandbox, test_key):
    _, secret = parts(test_key)
    status, body = raw_get(sandbox, "/v2/templates", {"Authorization": f"Bearer {token('planning', secret)}"})
    assert (status, body["errors"]) == (
        403, [{"error": "AuthError", "message": "Invalid token: service id is not the right data type"}])


def test_a_token_without_iat_is_api_key_not_found_as_in_notify(sandbox, test_key):
    # notifications-python-client raises TokenIssuedAtError, a TokenDecodeError, so Notify tries the next key.
    service_id, secret = parts(test_key)
    bad = jwt.encode({"iss": service_id}, secret, algorithm="HS256")
    status, body = raw_get(sandbox, "/v2/templates", {"Authorization": f"Bearer {bad}"})
    assert (status, body["errors"][0]["message"]) == (403, "Invalid token: API key not found")


@pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")
def test_another_algorithm_is_refused_by_name(sandbox, test_key):
    service_id, secret = parts(test_key)
    bad = jwt.encode({"iss": service_id, "iat": int(time.time())}, secret, algorithm="HS512")
    status, body = raw_get(sandbox, "/v2/templates", {"Authorization": f"Bearer {bad}"})
    assert (status, body["errors"][0]["message"]) == (403, "Invalid token: algorithm used is not HS256")


def test_a_service_without_keys_says_so(sandbox):
    service_id = sandbox.create_service("No keys yet")
    status, body = raw_get(sandbox, "/v2/templates",
                           {"Authorization": f"Bearer {token(service_id, str(uuid.uuid4()))}"})
    assert (status, body["errors"][0]["message"]) == (403, "Invalid token: service has no API keys")


def test_the_scheme_is_read_as_notify_reads_it(sandbox, test_key):
    service_id, secret = parts(test_key)
    status, _ = raw_get(sandbox, "/v2/templates", {"Authorization": f"bearer {token(service_id, secret)}"})
    assert status == 200


def test_a_revoked_key_is_refused(sandbox):
    key = sandbox.create_key("test")
    client = NotificationsAPIClient(key, base_url=sandbox.base_url)
    assert client.get_all_templates()["templates"] is not None
    assert sandbox.revoke_key(key) == 1
    with pytest.raises(HTTPError) as raised:
        client.get_all_templates()
    assert raised.value.message == [{"error": "AuthError", "message": "Invalid token: API key revoked"}]


def test_one_server_serves_several_services(sandbox):
    other_key = sandbox.create_key("test", service_name="Housing")
    other = NotificationsAPIClient(other_key, base_url=sandbox.base_url)
    template = sandbox.create_template("sms", body="Hello", service_name="Housing")
    assert [t["id"] for t in other.get_all_templates()["templates"]] == [template]
