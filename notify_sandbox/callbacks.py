"""Callbacks as Notify makes them: delivery statuses and received text messages, POSTed to a service's URLs.

- Delivery status: once per email or text message, when it reaches its final status (delivered,
  permanent-failure, temporary-failure, technical-failure); never for letters, never for an intermediate status.
  The body's keys, in Notify's order: id, reference, to, status, created_at, completed_at, sent_at,
  notification_type, template_id, template_version. `to` is the recipient as submitted.
- Received text: id, source_number, destination_number, message, date_received (the network's time).
- Headers: Content-Type: application/json and Authorization: Bearer <the registered token>.
- A connection error, a timeout (5 s), a 5xx or a 429 brings the same body back RETRY seconds later, up to 5 more
  times; any other 4xx drops it. Callbacks leave in completion order, not send order.
- Sandbox options (faults): `callback_retry_seconds` (Notify: 300), and the shares of callbacks that are sent twice
  (`callback_duplicate_rate`) or held back behind later ones (`callback_reorder_rate`), for tests of the hard cases.
"""

import heapq
import itertools
import json
import logging
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

from .notifications import iso
from .validation import error

logger = logging.getLogger("notify_sandbox.callbacks")
TYPES = ("delivery_status", "inbound_sms")
FINAL = {"delivered", "permanent-failure", "temporary-failure", "technical-failure"}
MORE_TRIES = 5
TIMEOUT_SECONDS = 5
LOOPBACK = {"127.0.0.1", "localhost", "::1"}


def check_registration(body, *, strict):
    """Problems with a callback registration, as Notify's admin refuses them: https only (http on loopback too,
    unless strict) and a bearer token of at least 10 characters."""
    problems = []
    url = str(body.get("url") or "")
    parts = urlsplit(url)
    loopback_http = parts.scheme == "http" and (parts.hostname or "") in LOOPBACK and not strict
    if not (parts.scheme == "https" and parts.hostname) and not loopback_http:
        problems.append(error("Must be a valid https URL", "ValidationError"))
    if len(str(body.get("bearer_token") or "")) < 10:
        problems.append(error("Must be at least 10 characters", "ValidationError"))
    return problems


def delivery_body(notification):
    """The delivery-status callback's body, keys in Notify's order."""
    created = notification["created_at"]
    completed = created + notification.get("delivery_seconds", 0)
    return {
        "id": notification["id"], "reference": notification["reference"], "to": notification["recipient"],
        "status": notification["final_status"], "created_at": iso(created), "completed_at": iso(completed),
        "sent_at": iso(created), "notification_type": notification["type"],
        "template_id": notification["template_id"], "template_version": notification["template_version"],
    }


def received_text_body(text, date_received):
    return {"id": text["id"], "source_number": text["user_number"], "destination_number": text["notify_number"],
            "message": text["content"], "date_received": iso(date_received)}


class Dispatcher:
    """A thread that POSTs due callbacks in due-time order and retries them as Notify does."""

    def __init__(self, sandbox):
        self.sandbox = sandbox
        self.queue = []
        self.counter = itertools.count()
        self.wake = threading.Condition()
        self.sent = []  # (url, body, status or error) of each try, for the control API
        self.thread = threading.Thread(target=self._run, name="callbacks", daemon=True)
        self.thread.start()

    def schedule(self, due, callback_type, service_id, body, tries_left=MORE_TRIES + 1):
        faults = self.sandbox.faults
        if tries_left == MORE_TRIES + 1 and self.sandbox.roll(faults.callback_drop_rate):
            self.sent.append({"url": "", "type": callback_type, "body": body, "outcome": "dropped"})
            return  # lost on the way: the service must read it from the list
        if self.sandbox.roll(faults.callback_reorder_rate):
            due += max(1.0, self.sandbox.settings.delivery_seconds)  # overtaken by later callbacks
        with self.wake:
            heapq.heappush(self.queue, (due, next(self.counter), callback_type, service_id, body, tries_left))
            if self.sandbox.roll(faults.callback_duplicate_rate):
                heapq.heappush(self.queue, (due + 0.01, next(self.counter), callback_type, service_id, body, 1))
            self.wake.notify()

    def notification_created(self, notification):
        if notification["type"] == "letter" or notification["final_status"] not in FINAL:
            return
        due = notification["created_at"] + self.sandbox.settings.delivery_seconds
        self.schedule(due, "delivery_status", notification["service_id"],
                      delivery_body({**notification, "delivery_seconds": self.sandbox.settings.delivery_seconds}))

    def text_received(self, text, date_received):
        self.schedule(time.time(), "inbound_sms", text["service_id"], received_text_body(text, date_received))

    def _run(self):
        while True:
            with self.wake:
                while not self.queue or self.queue[0][0] > time.time():
                    self.wake.wait(timeout=(self.queue[0][0] - time.time()) if self.queue else None)
                due, _, callback_type, service_id, body, tries_left = heapq.heappop(self.queue)
            self._deliver(callback_type, service_id, body, tries_left)

    def _deliver(self, callback_type, service_id, body, tries_left):
        service = self.sandbox.store.service(service_id)
        registered = ((service or {}).get("callback") or {}).get(callback_type) or {}
        if not registered.get("url"):
            return  # no callback registered: Notify sends nothing
        request = urllib.request.Request(registered["url"], data=json.dumps(body).encode(), method="POST", headers={
            "Content-Type": "application/json", "Authorization": f"Bearer {registered.get('bearer_token', '')}"})
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
                outcome = response.status
        except urllib.error.HTTPError as refused:
            outcome = refused.code
        except OSError as failure:  # connection refused, timeout
            outcome = type(failure).__name__
        self.sent.append({"url": registered["url"], "type": callback_type, "body": body, "outcome": outcome})
        retry = not isinstance(outcome, int) or outcome >= 500 or outcome == 429
        if retry and tries_left > 1:
            self.schedule(time.time() + self.sandbox.faults.callback_retry_seconds, callback_type, service_id, body,
                          tries_left - 1)
        elif retry:
            logger.info("Callback to %s dropped after %s tries", registered["url"], MORE_TRIES + 1)
