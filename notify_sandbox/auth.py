"""Notify's API authentication: a Bearer JWT signed HS256 with the key's secret, `iss` = service id,
`iat` within 30 seconds of now."""

import time

import jwt

CLOCK_SKEW = 30


class AuthFailure(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def _bearer_token(header):
    if not header:
        raise AuthFailure(401, "Unauthorized: authentication token must be provided")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise AuthFailure(401, "Unauthorized: authentication bearer scheme must be used")
    return token.strip()


def authenticate(header, store):
    """Return (service, key) for a valid Authorization header, or raise AuthFailure."""
    token = _bearer_token(header)
    try:
        unverified = jwt.decode(token, options={"verify_signature": False})
    except jwt.PyJWTError:
        raise AuthFailure(403, "Invalid token: signature, api token not found") from None
    service_id = unverified.get("iss")
    if not service_id:
        raise AuthFailure(403, "Invalid token: iss field not provided")
    if "iat" not in unverified:
        raise AuthFailure(403, "Invalid token: iat field not provided")
    service = store.service(str(service_id))
    if service is None:
        raise AuthFailure(403, "Invalid token: service not found")
    key = _matching_key(token, store.keys(service["id"]))
    if key is None:
        raise AuthFailure(403, "Invalid token: API key not found")
    if key["revoked"]:
        raise AuthFailure(403, "Invalid token: API key revoked")
    try:
        issued = float(unverified["iat"])
    except (TypeError, ValueError):
        raise AuthFailure(403, "Invalid token: iat field not provided") from None
    if abs(time.time() - issued) > CLOCK_SKEW:
        raise AuthFailure(403, "Error: Your system clock must be accurate to within 30 seconds")
    return service, key


def _matching_key(token, keys):
    """The key whose secret signs the token (live keys first, then revoked ones), or None."""
    for key in sorted(keys, key=lambda k: k["revoked"]):
        try:
            jwt.decode(token, key["secret"], algorithms=["HS256"], options={"verify_iat": False, "verify_exp": False})
        except jwt.InvalidSignatureError:
            continue
        except jwt.PyJWTError:
            continue
        return key
    return None
