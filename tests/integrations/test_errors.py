"""Classifying Notify's errors: status code and error type decide, never the message text."""

import json

import pytest
import requests
from notifications_python_client.errors import HTTPError

from integrations.notify.errors import DailyLimit, Permanent, RateLimited, Retryable, classify


def api_error(status, error_type=None, message="anything"):
    """The exception notifications-python-client raises for an HTTP answer with Notify's error body."""
    response = requests.Response()
    response.status_code = status
    body = {"status_code": status, "errors": [{"error": error_type, "message": message}]} if error_type else {}
    response._content = json.dumps(body).encode()
    response.headers["Content-Type"] = "application/json"
    return HTTPError.create(requests.HTTPError(response=response))


def request_failure(cause):
    """The exception the client raises when the request got no answer at all."""
    try:
        try:
            raise cause
        except requests.RequestException as error:
            raise HTTPError.create(error) from error
    except HTTPError as raised:
        return raised


@pytest.mark.parametrize(
    ("status", "error_type", "kind"),
    [
        (400, "BadRequestError", Permanent),
        (400, "ValidationError", Permanent),
        (403, "AuthError", Permanent),
        (404, "NoResultFound", Permanent),
        (429, "RateLimitError", RateLimited),
        (429, "TooManyRequestsError", DailyLimit),
        (500, "Exception", Retryable),
        (502, None, Retryable),
        (503, None, Retryable),
        (504, None, Retryable),
    ],
)
def test_status_and_error_type_decide(status, error_type, kind):
    classified = classify(api_error(status, error_type))
    assert type(classified) is kind
    assert classified.status_code == status
    assert classified.ambiguous is False


def test_the_message_text_does_not_change_the_decision():
    assert type(classify(api_error(429, "RateLimitError", "Exceeded send limits (email: 50) for today"))) is RateLimited
    assert type(classify(api_error(400, "BadRequestError", "Internal server error"))) is Permanent


def test_notify_messages_become_the_reason():
    error = classify(api_error(400, "BadRequestError", "Can't send to this recipient using a team-only API key"))
    assert error.reason == "Can't send to this recipient using a team-only API key"
    assert error.error_type == "BadRequestError"


def test_a_body_without_errors_still_gives_a_reason():
    assert classify(api_error(502)).reason == "Notify answered 502"


@pytest.mark.parametrize(
    ("cause", "ambiguous"),
    [
        (requests.ReadTimeout("read timed out"), True),
        (requests.ConnectTimeout("connect timed out"), False),
        (requests.ConnectionError("[Errno 111] Connection refused"), False),
        (requests.ConnectionError("Connection reset by peer"), True),
    ],
)
def test_failures_without_an_answer_are_retried_and_flagged_when_notify_may_have_it(cause, ambiguous):
    classified = classify(request_failure(cause))
    assert type(classified) is Retryable
    assert classified.ambiguous is ambiguous
    assert classified.status_code is None
