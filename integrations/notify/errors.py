"""Notify's errors sorted into what the sender does about them. Decided on status code and Notify's
error type, never on message text.

- Permanent: 400 (BadRequestError, ValidationError), 403 (AuthError), 404: never retried.
- RateLimited: 429 RateLimitError: wait for the shared limiter, then retry.
- DailyLimit: 429 TooManyRequestsError: retry after midnight UTC.
- Retryable: 5xx, connection errors and timeouts. `ambiguous` when the request may have reached
  Notify (a timeout or a dropped connection after sending): look the reference up before resending.
"""

import requests
from notifications_python_client.errors import APIError, HTTPError, InvalidResponse, TokenError

LETTER_REFUSED_ADVICE = ("Notify sends no letters from a team and guest list key, nor from a service in trial mode: "
                         "send letters with a live key of a service that Notify has made live")


def is_key_refused(error):
    """Whether Notify refused the key itself (403 AuthError or a token it could not use), not one message."""
    return error.error_type in ("AuthError", "TokenError") or (error.status_code == 403
                                                                 and error.error_type != "BadRequestError")


class NotifyError(Exception):
    """A classified failure of one call to Notify."""

    retry = False

    def __init__(self, reason, *, status_code=None, error_type="", ambiguous=False):
        super().__init__(reason)
        self.reason = reason
        self.status_code = status_code
        self.error_type = error_type
        self.ambiguous = ambiguous


class Permanent(NotifyError):
    pass


class Retryable(NotifyError):
    retry = True


class RateLimited(Retryable):
    pass


class DailyLimit(Retryable):
    pass


def _errors_of(error):
    """Notify's `errors` list from an APIError's response ([] when there is no JSON body)."""
    response = getattr(error, "response", None)
    if response is None:
        return []
    try:
        body = response.json()
    except ValueError:
        return []
    errors = body.get("errors") if isinstance(body, dict) else None
    return [e for e in errors if isinstance(e, dict)] if isinstance(errors, list) else []


def _reason(errors, fallback):
    messages = [str(e.get("message", "")).strip() for e in errors if e.get("message")]
    return "; ".join(messages) or fallback


def _request_failure(cause):
    """A request that got no response: connection refused (safe to resend) or a timeout (ambiguous)."""
    if isinstance(cause, requests.ConnectTimeout):
        return Retryable("Could not connect to Notify (timed out)", status_code=None, error_type="ConnectTimeout")
    if isinstance(cause, requests.Timeout):
        return Retryable("Notify did not answer in time", error_type="Timeout", ambiguous=True)
    if isinstance(cause, requests.ConnectionError) and "refused" in str(cause).lower():
        return Retryable("Could not connect to Notify (connection refused)", error_type="ConnectionError")
    return Retryable("The connection to Notify failed", error_type=type(cause).__name__ if cause else "", ambiguous=True)


def _answered(error):
    """An answer with an error status: classified on its status code and Notify's error type."""
    errors = _errors_of(error)
    error_type = str(errors[0].get("error", "")) if errors else ""
    status = error.status_code
    reason = _reason(errors, f"Notify answered {status}")
    if status is not None and 300 <= status < 400:
        return Permanent(f"The address answered with a redirect ({status}), which Notify's API never does: "
                         "check the address", status_code=status, error_type="Redirect")
    if status == 429:
        kind = DailyLimit if error_type == "TooManyRequestsError" else RateLimited
        return kind(reason, status_code=status, error_type=error_type or "RateLimitError")
    if status >= 500:
        return Retryable(reason, status_code=status, error_type=error_type)
    if status == 403 and error_type == "BadRequestError":  # a letter refused: the key is fine
        reason = f"{reason}. {LETTER_REFUSED_ADVICE}"
    return Permanent(reason, status_code=status, error_type=error_type)


def classify(error):
    """Turn an exception from notifications-python-client into a NotifyError subclass."""
    if isinstance(error, NotifyError):
        return error
    if isinstance(error, TokenError):
        return Permanent(f"The API key could not be used: {error.message}", error_type="TokenError")
    if isinstance(error, InvalidResponse):
        return Retryable("Notify's answer could not be read", status_code=error.status_code, error_type="InvalidResponse")
    if isinstance(error, APIError) and getattr(error, "response", None) is None:
        return _request_failure(error.__cause__ or error.__context__)
    if isinstance(error, HTTPError | APIError):
        return _answered(error)
    if isinstance(error, requests.RequestException):
        return _request_failure(error)
    # Anything else (an answer of a shape Notify never gives, a bug in the client) is still a classified failure,
    # so no caller ever shows a raw exception, and its traceback never carries the key into an error page.
    return Permanent(f"The call to Notify failed unexpectedly ({type(error).__name__})", error_type=type(error).__name__)


def unexpected_answer(what):
    """A 2xx answer whose body is not what Notify gives: the address is probably not a Notify API."""
    return Permanent(f"The address answered, but not as Notify does ({what})", error_type="UnexpectedAnswer")


def reason_for_admin(error, host):
    """What an administrator reads when a connection check fails: what happened and what to do."""
    if error.error_type in ("UnexpectedAnswer", "AddressRefused", "Redirect"):
        return f"{error.reason}. Nothing was saved."
    if is_key_refused(error):
        advice = ("Check the computer's clock is right." if "clock" in error.reason.lower()
                  else "Check you copied the whole key from API integration in Notify, and that it has not been revoked.")
        return f"Notify refused the API key: {error.reason}. {advice}"
    if error.status_code and error.status_code >= 500:
        return (f"Notify at {host} had a problem ({error.status_code}: {error.reason}). "
                "Nothing was saved; try again in a few minutes.")
    if error.status_code is None:
        if error.error_type in ("Timeout", "ConnectTimeout"):
            from django.conf import settings

            seconds = getattr(settings, "NOTIFY_TIMEOUT_SECONDS", 10)
            return f"{host} did not answer within {seconds:g} seconds. Check the service address, or try again later."
        return f"Could not connect to {host}: {error.reason.split('(')[-1].rstrip(')')}. Check the service address and the network."
    return f"Notify answered {error.status_code}: {error.reason}"
