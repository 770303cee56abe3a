"""Notify's API authentication, in the order of Notify's own checks (app/authentication/auth.py).

The token is a JWT: `iss` is the service id, `iat` within 30 seconds, HS256 with the secret of one of the
service's keys. Notify decodes it with notifications-python-client's own functions, and so does the
sandbox, so that every edge (a missing `iat`, a future `iat`, another algorithm) ends as Notify's does.
"""

import uuid

from notifications_python_client.authentication import decode_jwt_token, get_token_issuer
from notifications_python_client.errors import (
    TokenAlgorithmError,
    TokenDecodeError,
    TokenError,
    TokenExpiredError,
    TokenIssuerError,
)

GENERAL_MESSAGE = ("Invalid token: make sure your API token matches the example at "
                   "https://docs.notifications.service.gov.uk/rest-api.html#authorisation-header")
CLOCK_MESSAGE = "Error: Your system clock must be accurate to within 30 seconds"


class AuthFailure(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _bearer_token(header):
    if not header:
        raise AuthFailure(401, "Unauthorized: authentication token must be provided")
    # Notify compares the first seven characters, title-cased, with "Bearer ".
    if header[:7].title() != "Bearer ":
        raise AuthFailure(401, "Unauthorized: authentication bearer scheme must be used")
    return header[7:]


def _issuer(token):
    try:
        return get_token_issuer(token)
    except TokenIssuerError:
        raise AuthFailure(403, "Invalid token: iss field not provided") from None
    except TokenDecodeError:
        raise AuthFailure(403, GENERAL_MESSAGE) from None


def authenticate(header, store):
    """Return (service, key) for a valid Authorization header, or raise AuthFailure."""
    token = _bearer_token(header)
    issuer = _issuer(token)
    try:
        service_id = str(uuid.UUID(str(issuer)))
    except ValueError:
        raise AuthFailure(403, "Invalid token: service id is not the right data type") from None
    service = store.service(service_id)
    if service is None:
        raise AuthFailure(403, "Invalid token: service not found")
    keys = store.keys(service["id"])
    if not keys:
        raise AuthFailure(403, "Invalid token: service has no API keys")
    return service, _key_for(token, keys)


def _key_for(token, keys):
    """The key that signed the token. As in Notify, a token that no key signed (a missing `iat` included)
    is "API key not found"; the clock and the algorithm are judged against the first key tried."""
    for key in keys:
        try:
            decode_jwt_token(token, key["secret"])
        except TokenExpiredError:
            raise AuthFailure(403, CLOCK_MESSAGE) from None
        except TokenAlgorithmError:
            raise AuthFailure(403, "Invalid token: algorithm used is not HS256") from None
        except TokenDecodeError:
            continue
        except TokenError:
            raise AuthFailure(403, GENERAL_MESSAGE) from None
        if key["revoked"]:
            raise AuthFailure(403, "Invalid token: API key revoked")
        return key
    raise AuthFailure(403, "Invalid token: API key not found")
