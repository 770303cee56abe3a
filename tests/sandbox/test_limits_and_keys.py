"""Key types, trial mode, the rate limit and daily limits, as Notify applies them."""


import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import SandboxServer

ADDRESS = {"address_line_1": "A", "address_line_2": "B", "address_line_3": "SW1A 2AA"}


@pytest.fixture(scope="module")
def limited():
    # 30 an hour: a bucket of 11 that refills one token every two minutes, so no test here depends on how fast the
    # machine sends (at 30 a minute, a slow machine would see tokens come back mid-test).
    with SandboxServer(rate_limit="30/3600") as server:
        yield server


def client_for(server, key_type="test", service_name="Sandbox service"):
    return NotificationsAPIClient(server.create_key(key_type, service_name=service_name), base_url=server.base_url)


def test_team_keys_send_only_to_the_team_and_never_letters(sandbox):
    sandbox.create_service("Team service", team=["member@example.com", "07700 900 321"])
    email = sandbox.create_template("email", subject="S", body="B", service_name="Team service")
    sms = sandbox.create_template("sms", body="B", service_name="Team service")
    letter = sandbox.create_template("letter", subject="S", body="B", service_name="Team service")
    team = client_for(sandbox, "team", "Team service")
    assert team.send_email_notification("Member@example.com", email)["id"]
    assert team.send_sms_notification("+447700900321", sms)["id"]
    with pytest.raises(HTTPError) as raised:
        team.send_email_notification("stranger@example.com", email)
    assert raised.value.message == [{"error": "BadRequestError",
                                     "message": "Can\u2019t send to this recipient using a team-only API key"}]
    with pytest.raises(HTTPError) as raised:
        team.send_letter_notification(letter, ADDRESS)
    assert (raised.value.status_code, raised.value.message) == (403, [
        {"error": "BadRequestError", "message": "Cannot send letters with a team api key"}])


def test_trial_mode_limits_live_keys_to_the_team(sandbox):
    sandbox.create_service("Trial service", trial=True, team=["member@example.com"])
    email = sandbox.create_template("email", subject="S", body="B", service_name="Trial service")
    letter = sandbox.create_template("letter", subject="S", body="B", service_name="Trial service")
    live = client_for(sandbox, "live", "Trial service")
    assert live.send_email_notification("member@example.com", email)["id"]
    with pytest.raises(HTTPError) as raised:
        live.send_email_notification("stranger@example.com", email)
    assert raised.value.message[0]["message"] == ("Can\u2019t send to this recipient when service is in trial mode \u2013 "
                                                 "see https://www.notifications.service.gov.uk/trial-mode")
    with pytest.raises(HTTPError) as raised:
        live.send_letter_notification(letter, ADDRESS)
    assert (raised.value.status_code, raised.value.message) == (403, [
        {"error": "BadRequestError", "message": "Cannot send letters when service is in trial mode"}])
    # A test key sends anything, trial or not.
    assert client_for(sandbox, "test", "Trial service").send_letter_notification(letter, ADDRESS)["id"]


def rate_limit_error(key_type="TEST"):
    return [{"error": "RateLimitError",
             "message": f"Exceeded rate limit for key type {key_type} of 30 requests per 3600 seconds"}]


def test_the_bucket_holds_a_third_of_the_rate_plus_one_and_gets_never_count(limited):
    limited.reset()
    client = client_for(limited, service_name="Bucket")
    template = limited.create_template("sms", body="Hi", service_name="Bucket")
    for _ in range(30):
        assert client.get_all_templates()  # reads are never limited
    for _ in range(11):  # min(ceil(30/3) + 1, 1000)
        client.send_sms_notification("07700900123", template)
    with pytest.raises(HTTPError) as raised:
        client.send_sms_notification("07700900123", template)
    assert raised.value.status_code == 429
    assert raised.value.message == rate_limit_error()
    assert raised.value.response.headers.get("Retry-After") is None


def test_the_limit_comes_before_validation_and_refusals_still_take_tokens(limited):
    limited.reset()
    client = client_for(limited, service_name="Hammer")
    statuses = []
    for _ in range(30):  # 11 tokens, then refusals that still take theirs: the bucket goes into debt
        try:
            client.send_email_notification("not-an-email", "not-a-template")
        except HTTPError as error:
            statuses.append(error.status_code)
    assert statuses[:11] == [400] * 11  # checked for rate first, then refused as invalid
    assert set(statuses[11:]) == {429}
    template = limited.create_template("sms", body="Hi", service_name="Hammer")
    # The bucket is 19 tokens in debt: a valid send is refused too, and each refusal deepens the debt.
    statuses = []
    for _ in range(20):
        try:
            client.send_sms_notification("07700900123", template)
            statuses.append(201)
        except HTTPError as error:
            statuses.append(error.status_code)
    assert statuses == [429] * 20


def test_a_templated_letter_takes_two_tokens(limited):
    limited.reset()
    client = client_for(limited, service_name="Letters")
    template = limited.create_template("letter", subject="S", body="B", service_name="Letters")
    for _ in range(5):
        client.send_letter_notification(template, ADDRESS)
    with pytest.raises(HTTPError) as raised:  # 11 tokens: five letters take ten, the sixth needs two
        client.send_letter_notification(template, ADDRESS)
    assert raised.value.status_code == 429


def test_key_types_have_their_own_buckets_with_their_own_name(limited):
    limited.reset()
    limited.create_service("Keys", team=["07700900123"])
    template = limited.create_template("sms", body="Hi", service_name="Keys")
    test, team = client_for(limited, "test", "Keys"), client_for(limited, "team", "Keys")
    for _ in range(11):
        test.send_sms_notification("07700900123", template)
    assert team.send_sms_notification("07700900123", template)["id"]
    for _ in range(10):
        team.send_sms_notification("07700900123", template)
    with pytest.raises(HTTPError) as raised:
        team.send_sms_notification("07700900123", template)
    assert raised.value.message == rate_limit_error("TEAM")


def test_daily_limits_count_live_sends_not_test_sends(sandbox):
    sandbox.create_service("Daily", daily_limits={"email": 2})
    template = sandbox.create_template("email", subject="S", body="B", service_name="Daily")
    test, live = client_for(sandbox, "test", "Daily"), client_for(sandbox, "live", "Daily")
    for _ in range(3):
        test.send_email_notification("a@example.com", template)
    live.send_email_notification("a@example.com", template)
    live.send_email_notification("a@example.com", template)
    with pytest.raises(HTTPError) as raised:
        live.send_email_notification("a@example.com", template)
    assert raised.value.status_code == 429
    assert raised.value.message == [{"error": "TooManyRequestsError",
                                     "message": "Exceeded send limits (email: 2) for today"}]
