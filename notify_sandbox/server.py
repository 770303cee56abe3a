"""The HTTP server: Notify's v2 API plus the control API under /_sandbox/."""

import json
import logging
import random
import re
import threading
import time
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

from . import control, notifications, templates
from .auth import AuthFailure, authenticate
from .callbacks import Dispatcher
from .limits import Buckets
from .notifications import KEY_TYPE_NAMES, Refused
from .validation import error, is_uuid

logger = logging.getLogger("notify_sandbox")
SEND_PATHS = {"/v2/notifications/email": "email", "/v2/notifications/sms": "sms", "/v2/notifications/letter": "letter"}
PAGE = 250


# Notify's v2 routes and their methods: anything else is Flask's 404 or 405, before authentication.
ROUTES = [
    (r"/v2/notifications", {"GET"}),
    (r"/v2/notifications/[^/]+", {"GET", "POST"}),
    (r"/v2/notifications/[^/]+/pdf", {"GET"}),
    (r"/v2/template/[^/]+", {"GET"}),
    (r"/v2/template/[^/]+/version/\d+", {"GET"}),
    (r"/v2/template/[^/]+/preview", {"POST"}),
    (r"/v2/templates", {"GET"}),
    (r"/v2/received-text-messages", {"GET"}),
]
NOT_FOUND_MESSAGE = ("The requested URL was not found on the server. If you entered the URL manually please check your "
                     "spelling and try again.")


class Unrouted(Exception):
    def __init__(self, status, message):
        super().__init__(message)
        self.status = status
        self.message = message


def route(method, path):
    """Raise Unrouted as Flask would for a path Notify has no route for, or a method the route does not take."""
    for pattern, methods in ROUTES:
        if re.fullmatch(pattern, path):
            if method not in methods:
                raise Unrouted(405, "The method is not allowed for the requested URL.")
            return
    raise Unrouted(404, NOT_FOUND_MESSAGE)


@dataclass
class Faults:
    fail_rate: float = 0.0
    timeout_rate: float = 0.0
    timeout_seconds: float = 40.0
    latency_ms: int = 0
    callback_retry_seconds: float = 300.0  # Notify's wait before trying a failed callback again
    callback_duplicate_rate: float = 0.0
    callback_reorder_rate: float = 0.0
    callback_drop_rate: float = 0.0  # a share of callbacks never sent at all (lost on the way)

    def update(self, values):
        for name in ("fail_rate", "timeout_rate", "timeout_seconds", "latency_ms", "callback_retry_seconds",
                     "callback_duplicate_rate", "callback_reorder_rate", "callback_drop_rate"):
            if name in values:
                setattr(self, name, type(getattr(self, name))(values[name]))


@dataclass
class Settings:
    rate_limit: int = 3000
    rate_window: int = 60
    daily_limit: int = 0
    delivery_seconds: float = 3.0
    strict_callbacks: bool = False  # refuse http://127.0.0.1 callback URLs as Notify refuses any http URL


class Sandbox:
    """Shared state of one running server."""

    def __init__(self, store, settings, faults, seed=None):
        self.store = store
        self.settings = settings
        self.faults = faults
        self.buckets = Buckets()
        self.random = random.Random(seed)
        self.random_lock = threading.Lock()

    def roll(self, rate):
        if rate <= 0:
            return False
        with self.random_lock:
            return self.random.random() < rate


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "NotifySandbox/1"
    # One write per response, sent at once: headers and body in separate small writes would meet the
    # client's delayed ACK and cost 40 ms a request.
    wbufsize = 64 * 1024
    disable_nagle_algorithm = True
    sandbox: Sandbox  # set on the subclass made by make_server

    def log_message(self, format, *args):
        logger.debug("%s " + format, self.address_string(), *args)

    # Plumbing -------------------------------------------------------------------------------------
    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply_pdf(self, data):
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def reply_errors(self, status, errors):
        self.reply(status, {"errors": errors, "status_code": status})

    def read_json(self):
        try:
            body = json.loads(self.raw_body or b"null")
        except ValueError:
            raise Refused(400, [error("Invalid JSON supplied in POST data", "BadRequestError")]) from None
        if not isinstance(body, dict):
            raise Refused(400, [error("Invalid JSON supplied in POST data", "BadRequestError")])
        return body

    @property
    def base_url(self):
        return f"http://{self.headers.get('Host') or '127.0.0.1'}"

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def dispatch(self, method):
        # Read the whole body first: a refusal that left it unread would corrupt the next request on a
        # kept-alive connection.
        length = int(self.headers.get("Content-Length") or 0)
        self.raw_body = self.rfile.read(length) if length else b""
        url = urlsplit(self.path)
        path = url.path.rstrip("/") or "/"
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        try:
            if path.startswith("/_sandbox"):
                status, body = control.handle(self, method, path, query)
                self.reply(status, body)
                return
            self.notify_api(method, path, query)
        except Refused as refused:
            self.reply_errors(refused.status, refused.errors)
        except Unrouted as unrouted:  # Flask answers these before any blueprint's checks, in its own shape
            self.reply(unrouted.status, {"result": "error", "message": unrouted.message})
        except AuthFailure as failure:
            self.reply_errors(failure.status, [error(failure.message, "AuthError")])
        except (BrokenPipeError, ConnectionResetError):
            pass
        except Exception:  # the sandbox's own bug: answer as Notify would, and say so in its log
            logger.exception("Sandbox error on %s %s", method, path)
            self.reply_errors(500, [error("Internal server error", "Exception")])

    # Notify's API ---------------------------------------------------------------------------------
    def notify_api(self, method, path, query):
        sandbox = self.sandbox
        route(method, path)
        if sandbox.faults.latency_ms:
            time.sleep(sandbox.faults.latency_ms / 1000)
        service, key = authenticate(self.headers.get("Authorization"), sandbox.store)
        kind = self._send_kind(method, path)
        if kind:
            self._rate_limit(service, key, kind)
        if sandbox.roll(sandbox.faults.fail_rate):
            raise Refused(500, [error("Internal server error", "Exception")])
        if kind == "unknown":
            # Notify's send route takes any type, rate-limits it, then aborts with a 404 that its v2 handler for every
            # exception answers as a 500 (app/v2/notifications/post_notifications.py, app/v2/errors.py).
            raise Refused(500, [error("Internal server error", "NotFound")])
        if kind:
            self._send(service, key, kind)
            return
        preview = re.fullmatch(r"/v2/template/([^/]+)/preview", path)
        if method == "POST" and preview:
            self.reply(200, self.do_template_preview(service, preview.group(1)))
            return
        pdf = re.fullmatch(r"/v2/notifications/([^/]+)/pdf", path)
        if pdf:
            self.reply_pdf(notifications.letter_pdf(self.sandbox.store, self._notification(service, pdf.group(1)),
                                                    self.sandbox.settings.delivery_seconds))
            return
        self.reply(200, self._read(service, key, path, query))

    def _notification(self, service, notification_id):
        if not is_uuid(notification_id):
            raise Refused(400, [error("notification_id is not a valid UUID")])
        found = self.sandbox.store.notification(service["id"], notification_id)
        if found is None:
            raise Refused(404, [error("No result found", "NoResultFound")])
        return found

    @staticmethod
    def _send_kind(method, path):
        if method != "POST":
            return None
        if path in SEND_PATHS:
            return SEND_PATHS[path]
        return "unknown" if re.fullmatch(r"/v2/notifications/[^/]+", path) else None

    def _rate_limit(self, service, key, kind):
        settings = self.sandbox.settings
        rate = service["rate_limit"] if service["rate_limit"] is not None else settings.rate_limit
        window = service["rate_window"] or settings.rate_window
        # A templated letter takes two tokens; everything else one.
        cost = 2 if kind == "letter" else 1
        if not self.sandbox.buckets.take((service["id"], key["key_type"]), rate, window, cost):
            message = f"Exceeded rate limit for key type {KEY_TYPE_NAMES[key['key_type']]} of {rate} requests per {window} seconds"
            raise Refused(429, [error(message, "RateLimitError")])

    def _send(self, service, key, kind):
        body = self.read_json()
        if kind == "letter" and "content" in body:
            kind = "precompiled"
        status, response = notifications.send(self.sandbox.store, service, key, kind, body, base_url=self.base_url,
                                              default_daily_limit=self.sandbox.settings.daily_limit)
        stored = self.sandbox.store.notification(service["id"], response["id"])
        if kind in ("email", "sms") and stored:  # a simulated recipient's message is not stored, so never called back
            self.sandbox.callbacks.notification_created(stored)
        if self.sandbox.roll(self.sandbox.faults.timeout_rate):
            # Accepted, but the answer comes later than any sensible client waits.
            time.sleep(self.sandbox.faults.timeout_seconds)
        self.reply(status, response)

    def _read(self, service, key, path, query):
        store, base = self.sandbox.store, self.base_url
        delivery = self.sandbox.settings.delivery_seconds
        if path == "/v2/notifications":
            return self._list_notifications(service, key, parse_qs(urlsplit(self.path).query))
        match = re.fullmatch(r"/v2/notifications/([^/]+)", path)
        if match:
            return notifications.as_json(self._notification(service, match.group(1)), base, delivery)
        if path == "/v2/templates":
            kind = query.get("type")
            if kind and kind not in ("sms", "email", "letter"):
                raise Refused(400, [error(f"type {kind} is not one of [sms, email, letter]")])
            return {"templates": [self._template_json(t) for t in store.templates(service["id"], kind)]}
        match = re.fullmatch(r"/v2/template/([^/]+)(?:/version/(\d+))?", path)
        if match:
            return self._template_json(self._template(service, match.group(1), match.group(2)))
        if path == "/v2/received-text-messages":
            return self._received_texts(service, query)
        raise Unrouted(404, NOT_FOUND_MESSAGE)

    def _template(self, service, template_id, version=None):
        if not is_uuid(template_id):
            raise Refused(400, [error("id is not a valid UUID")])
        found = self.sandbox.store.template(service["id"], template_id, int(version) if version else None)
        if found is None:
            raise Refused(404, [error("No result found", "NoResultFound")])
        return found

    @staticmethod
    def _template_json(template):
        created = notifications.iso(template["created_at"])
        return {
            "id": template["id"], "name": template["name"], "type": template["type"], "created_at": created,
            "updated_at": created, "version": template["version"], "created_by": template["created_by"],
            "body": template["body"], "subject": template["subject"] if template["type"] != "sms" else None,
            "letter_contact_block": None, "postage": "second" if template["type"] == "letter" else None,
            "personalisation": {name: {"required": True} for name in templates.placeholders(template)},
        }

    def _list_notifications(self, service, key, query):
        """GET /v2/notifications: pages of 250, newest first, only what the same type of key sent (app/v2/notifications/
        get_notifications.py). `status` and `template_type` may be repeated; a status is matched as Notify stores it."""
        statuses = query.get("status", [])
        for status in statuses:
            if status not in notifications.LISTABLE_STATUSES:
                raise Refused(400, [error(f"status {status} is not one of [{', '.join(notifications.LISTABLE_STATUSES)}]")])
        types = query.get("template_type", [])
        for kind in types:
            if kind not in ("sms", "email", "letter"):
                raise Refused(400, [error(f"template_type {kind} is not one of [sms, email, letter]")])
        older = None
        if query.get("older_than"):
            older = self.sandbox.store.seq_of(service["id"], query["older_than"][0]) or 0
        wanted = notifications.stored_statuses(statuses)
        delivery = self.sandbox.settings.delivery_seconds
        found = []
        reference = query["reference"][0] if query.get("reference") else None
        for row in self.sandbox.store.notifications(service_id=service["id"], reference=reference,
                                                     template_types=types, key_type=key["key_type"], older_than_seq=older):
            if wanted and notifications.stored_status(row, delivery) not in wanted:
                continue
            found.append(notifications.as_json(row, self.base_url, delivery))
            if len(found) == PAGE:
                break
        # Notify gives `next` whenever the page is not empty (a reader stops at an empty page), with the same filters.
        links = {"current": f"{self.base_url}{self.path}"}
        if found:
            kept = [(k, v) for k in ("reference", "status", "template_type") for v in query.get(k, [])]
            links["next"] = f"{self.base_url}/v2/notifications?{urlencode([*kept, ('older_than', found[-1]['id'])])}"
        return {"notifications": found, "links": links}

    def _received_texts(self, service, query):
        texts = self.sandbox.store.received_texts(service["id"], query.get("older_than"))
        data = [{"id": t["id"], "user_number": t["user_number"], "notify_number": t["notify_number"],
                 "content": t["content"], "created_at": notifications.iso(t["created_at"]), "service_id": t["service_id"]}
                for t in texts]
        links = {"current": f"{self.base_url}/v2/received-text-messages"}  # never with older_than, as Notify
        if data:
            links["next"] = f"{self.base_url}/v2/received-text-messages?older_than={data[-1]['id']}"
        return {"received_text_messages": data, "links": links}

    def do_template_preview(self, service, template_id):
        template = self._template(service, template_id)
        body = self.read_json()
        personalisation = body.get("personalisation") or {}
        skip = {f"addressline{n}" for n in range(1, 8)} | {"postcode"}
        missing = templates.missing(template, personalisation, skip=skip if template["type"] == "letter" else ())
        if missing:
            raise Refused(400, [error(f"Missing personalisation: {', '.join(missing)}", "BadRequestError")])
        subject, rendered = templates.render_template(template, personalisation)
        response = {"id": template["id"], "type": template["type"], "version": template["version"],
                    "body": rendered, "subject": subject, "postage": None}
        if template["type"] == "email":
            response["html"] = "".join(f"<p>{line}</p>" for line in rendered.split("\n") if line.strip())
        return response


def make_server(store, *, host="127.0.0.1", port=6011, settings=None, faults=None, seed=None):
    sandbox = Sandbox(store, settings or Settings(), faults or Faults(), seed=seed)
    sandbox.callbacks = Dispatcher(sandbox)
    handler = type("BoundHandler", (Handler,), {"sandbox": sandbox})
    server = ThreadingHTTPServer((host, port), handler)
    server.daemon_threads = True
    server.sandbox = sandbox
    return server

