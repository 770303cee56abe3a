"""The control API under /_sandbox/ (no Notify authentication; the server binds to loopback by default).

GET  /_sandbox/health                      {"ok": true}
GET  /_sandbox/notifications               received notifications (?reference=&service_id=)
GET  /_sandbox/counts                      notifications per reference, and totals
POST /_sandbox/reset                       forget notifications, received texts and rate-limit buckets
GET  /_sandbox/faults, POST /_sandbox/faults   {"fail_rate", "timeout_rate", "timeout_seconds", "latency_ms"}
POST /_sandbox/services                    {"name", "trial", "rate_limit": "N/SECONDS", "daily_limits", "team"}
POST /_sandbox/keys                        {"service_name", "type", "name"} -> {"key"}
POST /_sandbox/keys/revoke                 {"key"}
POST /_sandbox/templates                   {"service_name", "type", "name", "subject", "body", "id"} -> {"id"}
POST /_sandbox/received-text-messages      {"service_name", "user_number", "content"}
GET  /_sandbox/callbacks, POST /_sandbox/callbacks   {"service_name", "url", "bearer_token"}
"""

import time
from dataclasses import asdict

from .callbacks import TYPES, check_registration
from .notifications import Refused, iso
from .validation import error


def _body(handler):
    return handler.read_json() if handler.raw_body else {}


def international(number):
    """A sender's number as Notify gives it: international form without a "+" (07700 900123 -> 447700900123)."""
    digits = "".join(c for c in str(number) if c.isdigit())
    return "44" + digits[1:] if digits.startswith("0") and not digits.startswith("00") else digits.lstrip("0")


def parse_rate(text):
    """'3000/60' -> (3000, 60); 'off' or '0/60' -> (0, 60)."""
    if str(text).lower() == "off":
        return 0, 60
    count, _, seconds = str(text).partition("/")
    return int(count), int(seconds or 60)


def _service(store, body):
    return store.ensure_service(body.get("service_name") or "Sandbox service")


def _notification_json(n):
    return {"id": n["id"], "service_id": n["service_id"], "reference": n["reference"], "type": n["type"],
            "recipient": n["recipient"], "template_id": n["template_id"], "template_version": n["template_version"],
            "personalisation": n["personalisation"], "key_type": n["key_type"], "status": n["final_status"],
            "created_at": iso(n["created_at"]),
            "stored_by_notify": not n["simulated"]}


def _post(handler, path):
    sandbox, store = handler.sandbox, handler.sandbox.store
    body = _body(handler)
    if path == "/_sandbox/reset":
        store.reset()
        sandbox.buckets.reset()
        return {"reset": True}
    if path == "/_sandbox/faults":
        sandbox.faults.update(body)
        return asdict(sandbox.faults)
    if path == "/_sandbox/services":
        rate = parse_rate(body["rate_limit"]) if body.get("rate_limit") else None
        service = store.save_service(body.get("name") or "Sandbox service", trial=body.get("trial"),
                                     rate_limit=rate, daily_limits=body.get("daily_limits"), team=body.get("team"))
        return {"id": service["id"], "name": service["name"]}
    if path == "/_sandbox/keys":
        return {"key": store.create_key(_service(store, body)["id"], body.get("type", "test"), body.get("name"))}
    if path == "/_sandbox/keys/revoke":
        return {"revoked": store.revoke_key(str(body.get("key", ""))[-36:])}
    if path == "/_sandbox/templates":
        template_id = store.save_template(
            _service(store, body)["id"], template_type=body["type"], name=body.get("name") or "Template",
            body=body["body"], subject=body.get("subject"), template_id=body.get("id"))
        return {"id": template_id}
    if path == "/_sandbox/received-text-messages":
        return _receive_text(sandbox, body)
    if path == "/_sandbox/callbacks":
        return _register_callback(sandbox, body)
    raise Refused(404, [error("No such control endpoint", "NotFound")])


def _receive_text(sandbox, body):
    """A text from a citizen: stored for GET /v2/received-text-messages and sent to the inbound_sms callback."""
    store = sandbox.store
    service = store.service(body["service_id"]) if body.get("service_id") else _service(store, body)
    if service is None:
        raise Refused(404, [error("No such service", "NotFound")])
    received_at = time.time()
    text_id = store.add_received_text(service["id"], international(body["user_number"]), str(body["content"]))
    sandbox.callbacks.text_received(store.received_text(text_id), received_at)
    return {"id": text_id}


def _register_callback(sandbox, body):
    callback_type = body.get("callback_type") or "delivery_status"
    if callback_type not in TYPES:
        raise Refused(400, [error(f"callback_type {callback_type} is not one of [{', '.join(TYPES)}]")])
    problems = check_registration(body, strict=sandbox.settings.strict_callbacks)
    if problems:
        raise Refused(400, problems)
    service = _service(sandbox.store, body)
    sandbox.store.set_callback(service["id"], callback_type, {"url": body["url"], "bearer_token": body["bearer_token"]})
    return {"service_id": service["id"], "callback_type": callback_type, "url": body["url"]}


def _get(handler, path, query):
    sandbox, store = handler.sandbox, handler.sandbox.store
    if path == "/_sandbox/health":
        return {"ok": True}
    if path == "/_sandbox/faults":
        return asdict(sandbox.faults)
    if path == "/_sandbox/notifications":
        rows = store.notifications(service_id=query.get("service_id"), reference=query.get("reference"),
                                   include_simulated=True)
        return {"notifications": [_notification_json(n) for n in rows]}
    if path == "/_sandbox/counts":
        counts = store.reference_counts()
        return {"by_reference": counts, "total": sum(counts.values()),
                "duplicates": {ref: n for ref, n in counts.items() if n > 1}}
    if path == "/_sandbox/callbacks":
        service = store.ensure_service(query.get("service_name") or "Sandbox service")
        outcomes = {}
        for sent in list(sandbox.callbacks.sent):
            outcomes[str(sent["outcome"])] = outcomes.get(str(sent["outcome"]), 0) + 1
        return {**service["callback"], "sent": sandbox.callbacks.sent[-1000:], "outcomes": outcomes}
    if path == "/_sandbox/services":
        return {"services": [{"id": s["id"], "name": s["name"]} for s in store.services()]}
    raise Refused(404, [error("No such control endpoint", "NotFound")])


LOOPBACK_NAMES = {"127.0.0.1", "localhost", "[::1]", "::1"}


def check_origin(handler, method):
    """Refuse a control request that a web page could have made: the control API answers only requests addressed
    to its loopback name (no DNS rebinding), from no other origin than its own, and writes only with JSON bodies (a
    cross-site form or a "simple" fetch cannot send those without a preflight that is never granted)."""
    host = handler.headers.get("Host") or ""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    if name.lower() not in LOOPBACK_NAMES:
        raise Refused(403, [error("The control API answers only requests to the sandbox's loopback address",
                                  "ForbiddenError")])
    origin = handler.headers.get("Origin")
    if origin is not None and origin.rstrip("/") != f"http://{host}":
        raise Refused(403, [error("The control API does not answer requests from web pages", "ForbiddenError")])
    content_type = (handler.headers.get("Content-Type") or "").split(";")[0].strip().lower()
    if method == "POST" and content_type != "application/json":
        raise Refused(415, [error("Control requests that change the sandbox must be JSON "
                                  "(Content-Type: application/json)", "UnsupportedMediaType")])


def handle(handler, method, path, query):
    """Answer a control request: (status, body)."""
    check_origin(handler, method)
    try:
        if method == "POST":
            return 200, _post(handler, path)
        return 200, _get(handler, path, query)
    except (KeyError, ValueError, TypeError) as problem:
        raise Refused(400, [error(f"Bad control request: {problem}", "BadRequestError")]) from None
