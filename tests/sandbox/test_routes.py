"""Requests outside Notify's routes are answered as Notify's Flask app answers them."""

import json
import urllib.error
import urllib.request

import pytest
from notifications_python_client.errors import HTTPError
from notifications_python_client.notifications import NotificationsAPIClient


def raw(sandbox, method, path):
    request = urllib.request.Request(f"{sandbox.base_url}{path}", method=method)
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read())


def test_an_unknown_url_is_flasks_404_before_any_authentication(sandbox):
    assert raw(sandbox, "GET", "/v2/nothing-here") == (404, {
        "result": "error", "message": "The requested URL was not found on the server. If you entered the URL manually "
                                      "please check your spelling and try again."})


@pytest.mark.parametrize(("method", "path"), [("DELETE", "/v2/notifications"), ("PUT", "/v2/templates"),
                                              ("POST", "/v2/received-text-messages")])
def test_a_method_a_route_does_not_take_is_flasks_405(sandbox, method, path):
    assert raw(sandbox, method, path) == (405, {"result": "error",
                                                "message": "The method is not allowed for the requested URL."})


def test_an_unknown_notification_type_is_notifys_500_not_a_405(sandbox, client):
    # Notify's send route takes any type, then aborts with a 404 that its v2 error handler answers as a 500.
    with pytest.raises(HTTPError) as raised:
        client.post("/v2/notifications/fax", {"template_id": "x"})
    assert (raised.value.status_code, raised.value.message) == (
        500, [{"error": "NotFound", "message": "Internal server error"}])


def test_an_unknown_notification_type_still_needs_a_valid_token(sandbox):
    stranger = NotificationsAPIClient(f"x-{'0' * 8}-0000-0000-0000-{'0' * 12}-{'1' * 36}", base_url=sandbox.base_url)
    with pytest.raises(HTTPError) as raised:
        stranger.post("/v2/notifications/fax", {})
    assert raised.value.status_code == 403
