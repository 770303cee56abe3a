"""Send requests and notification reads, in Notify's order of checks:
rate limit (before anything else), schema, template, personalisation, recipient, key and trial rules,
daily limit, then the notification is created.
"""

import base64
import datetime
import re
import time
import uuid

from . import files, letters, templates, validation
from .validation import error

# Recipients that never reach anyone and end in the named status. Notify does not store a message to the
# "simulate delivered" ones at all (app/notifications/process_notifications.py, simulated_recipient): its id
# is answered, but reading it gives 404 and no list shows it. The failing ones are stored.
NOT_STORED = {"simulate-delivered@notifications.service.gov.uk", "simulate-delivered-2@notifications.service.gov.uk",
              "simulate-delivered-3@notifications.service.gov.uk", "07700900000", "07700900111", "07700900222"}
SIMULATED = {
    "simulate-delivered@notifications.service.gov.uk": "delivered",
    "simulate-delivered-2@notifications.service.gov.uk": "delivered",
    "simulate-delivered-3@notifications.service.gov.uk": "delivered",
    "temp-fail@simulator.notify": "temporary-failure",
    "perm-fail@simulator.notify": "permanent-failure",
    "07700900000": "delivered",
    "07700900111": "delivered",
    "07700900222": "delivered",
    "07700900003": "temporary-failure",
    "07700900002": "permanent-failure",
}
KEY_TYPE_NAMES = {"test": "TEST", "team": "TEAM", "live": "LIVE"}
# Notify's own wording, typographic apostrophe and en dash included (app/notifications/validators.py).
TEAM_KEY_MESSAGE = "Can\u2019t send to this recipient using a team-only API key"
TRIAL_MESSAGE = ("Can\u2019t send to this recipient when service is in trial mode \u2013 see "
                 "https://www.notifications.service.gov.uk/trial-mode")
LETTER_TEAM_MESSAGE = "Cannot send letters with a team api key"
LETTER_TRIAL_MESSAGE = "Cannot send letters when service is in trial mode"


# The `status` values GET /v2/notifications takes (app/constants.py NOTIFICATION_STATUS_TYPES, then the letter words).
LISTABLE_STATUSES = ["cancelled", "created", "sending", "sent", "delivered", "pending", "failed", "technical-failure",
                     "temporary-failure", "permanent-failure", "pending-virus-check", "validation-failed",
                     "virus-scan-failed", "returned-letter", "accepted", "received"]
FAILED_STATUSES = ["technical-failure", "temporary-failure", "permanent-failure", "validation-failed",
                   "virus-scan-failed", "returned-letter"]


class Refused(Exception):
    """A request Notify refuses: status and its errors list."""

    def __init__(self, status, errors):
        super().__init__(errors)
        self.status = status
        self.errors = errors


def iso(timestamp):
    return datetime.datetime.fromtimestamp(timestamp, datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _uk_mobile_key(number):
    digits = validation.normalise_phone(number).lstrip("+")
    return "0" + digits[2:] if digits.startswith("44") else digits


def _recipient_key(kind, recipient):
    return recipient.strip().lower() if kind == "email" else _uk_mobile_key(recipient)


def _check_recipient_allowed(service, key, kind, recipient):
    team = {_recipient_key(kind, member) for member in service["team"] if ("@" in member) == (kind == "email")}
    if key["key_type"] == "team" and _recipient_key(kind, recipient) not in team:
        raise Refused(400, [error(TEAM_KEY_MESSAGE, "BadRequestError")])
    if key["key_type"] == "live" and service["trial"] and _recipient_key(kind, recipient) not in team:
        raise Refused(400, [error(TRIAL_MESSAGE, "BadRequestError")])


def _check_letter_allowed(service, key):
    # Notify answers these two with 403, not 400.
    if key["key_type"] == "team":
        raise Refused(403, [error(LETTER_TEAM_MESSAGE, "BadRequestError")])
    if key["key_type"] == "live" and service["trial"]:
        raise Refused(403, [error(LETTER_TRIAL_MESSAGE, "BadRequestError")])


def _check_daily_limit(store, service, key, kind, default_limit):
    if key["key_type"] == "test":
        return
    limit = service["daily_limits"].get(kind, default_limit)
    if limit and store.count_today(service["id"], kind) >= limit:
        raise Refused(429, [error(f"Exceeded send limits ({kind}: {limit}) for today", "TooManyRequestsError")])


def _template_for(store, service, kind, body):
    template = store.template(service["id"], body["template_id"])
    if template is None:
        raise Refused(400, [error("Template not found", "BadRequestError")])
    if template["type"] != kind:
        raise Refused(400, [error(f"{template['type']} template is not suitable for {kind} notification", "BadRequestError")])
    return template


def _check_personalisation(template, personalisation):
    skip = {f"addressline{n}" for n in range(1, 8)} | {"postcode"} if template["type"] == "letter" else set()
    missing = templates.missing(template, personalisation, skip=skip)
    if missing:
        raise Refused(400, [error(f"Missing personalisation: {', '.join(missing)}", "BadRequestError")])


def send(store, service, key, kind, body, *, base_url, default_daily_limit=0):
    """Create a notification for a validated, allowed request; returns (201, response) or raises Refused."""
    errors = validation.check_schema("precompiled" if kind == "precompiled" else kind, body)
    if kind == "email" and "email_address" in body:
        errors += validation.check_email(body["email_address"])
    if kind == "sms" and "phone_number" in body:
        errors += validation.check_phone(body["phone_number"])
    if kind == "precompiled" and not errors:
        errors += validation.check_precompiled(body)
    if errors:
        raise Refused(400, errors)
    if kind == "sms" and validation.is_uk_landline(body["phone_number"]):
        # Services may text UK landlines only with a permission the sandbox's services do not have.
        raise Refused(400, [error("Not a UK mobile number", "InvalidPhoneError")])
    if kind in ("letter", "precompiled"):
        _check_letter_allowed(service, key)
    if kind == "precompiled":
        return _create_precompiled(store, service, key, body, _decoded_pdf(body))
    template = _template_for(store, service, kind, body)
    _check_content_and_recipient(service, key, kind, template, body)
    body = _with_file_links(service, kind, body)
    _check_daily_limit(store, service, key, kind, default_daily_limit)
    return 201, _create(store, service, key, kind, template, body, base_url)


def _check_content_and_recipient(service, key, kind, template, body):
    """The personalisation against the template (a file only in an email), then the address or the recipient."""
    personalisation = body.get("personalisation") or {}
    _check_personalisation(template, personalisation)
    try:
        files.check_kind(personalisation, kind)
    except files.FileRefused as refused:
        raise Refused(*refused.errors) from None
    if kind == "letter":
        address_errors = validation.check_address(personalisation)
        if address_errors:
            raise Refused(400, address_errors)
    else:
        recipient = body["email_address"] if kind == "email" else body["phone_number"]
        _check_recipient_allowed(service, key, kind, recipient)


def _with_file_links(service, kind, body):
    """Files in the personalisation checked and made into links, after the recipient checks, as Notify does."""
    personalisation = body.get("personalisation") or {}
    recipient = body.get("email_address") if kind == "email" else body.get("phone_number")
    try:
        linked = files.with_links(personalisation, kind=kind, service_id=service["id"],
                                  simulated=_recipient_key(kind, recipient or "") in NOT_STORED)
    except files.FileRefused as refused:
        status, errors = refused.errors
        raise Refused(status, errors) from None
    return body if linked is personalisation else {**body, "personalisation": linked}


def _final_status(kind, recipient, key_type):
    if kind == "letter":
        return "received"
    return SIMULATED.get(_recipient_key(kind, recipient)) or "delivered"


def _create(store, service, key, kind, template, body, base_url):
    personalisation = body.get("personalisation") or {}
    subject, rendered = templates.render_template(template, personalisation)
    notification_id = str(uuid.uuid4())
    if kind == "letter":
        lines = validation.address_lines(personalisation)
        recipient = lines[0]
        address = lines
    else:
        recipient = body["email_address"] if kind == "email" else body["phone_number"]
        address = None
    store.add_notification({
        "id": notification_id, "service_id": service["id"], "key_type": key["key_type"], "type": kind,
        "reference": body.get("reference"), "template_id": template["id"], "template_version": template["version"],
        "recipient": recipient, "personalisation": personalisation, "body": rendered, "subject": subject,
        "postage": ("europe" if validation.is_international(personalisation) else "second") if kind == "letter" else None,
        "address": address, "final_status": _final_status(kind, recipient, key["key_type"]), "created_at": time.time(),
        "simulated": int(kind != "letter" and _recipient_key(kind, recipient) in NOT_STORED),
    })
    content = {"body": rendered}
    if kind == "email":
        slug = re.sub(r"[^a-z0-9]+", ".", service["name"].lower()).strip(".")
        content.update(subject=subject, from_email=f"{slug}@notifications.service.gov.uk",
                       one_click_unsubscribe_url=body.get("one_click_unsubscribe_url"))
    elif kind == "sms":
        content["from_number"] = "GOVUK"
    else:
        content["subject"] = subject
    response = {
        "id": notification_id,
        "reference": body.get("reference"),
        "content": content,
        "uri": f"{base_url}/v2/notifications/{notification_id}",
        "template": {"id": template["id"], "version": template["version"],
                     "uri": f"{base_url}/v2/template/{template['id']}"},
        "scheduled_for": None,
    }
    if kind == "email":  # always there for an email, empty unless sanitise_content_for named placeholders
        response["sanitised_content"] = {}
    return response


def _decoded_pdf(body):
    try:
        return base64.b64decode(body["content"])  # as Notify: not strict, so only bad padding fails
    except ValueError:
        raise Refused(400, [error("Cannot decode letter content (invalid base64 encoding)", "BadRequestError")]) from None


def _create_precompiled(store, service, key, body, pdf):
    """A PDF is accepted first and checked later, as Notify scans and checks it after answering 201."""
    notification_id = str(uuid.uuid4())
    postage = body.get("postage") or "second"
    outcome, _reason = letters.check(pdf)
    store.add_letter_pdf(notification_id, pdf)
    store.add_notification({
        "id": notification_id, "service_id": service["id"], "key_type": key["key_type"], "type": "letter",
        "reference": body["reference"], "template_id": None, "template_version": None, "recipient": "Provided as PDF",
        "personalisation": {}, "body": None, "subject": "Pre-compiled PDF", "postage": postage, "address": None,
        "final_status": outcome, "created_at": time.time(),
    })
    return 201, {"id": notification_id, "reference": body["reference"], "postage": postage}


def stored_status(notification, delivery_seconds):
    """The status as Notify stores it, moving with time: an email or text is created, then sending, then final;
    a templated letter created, then delivered (shown as received); a precompiled letter waits for its virus
    check first, and its checks may fail it (validation-failed, virus-scan-failed)."""
    age = time.time() - notification["created_at"]
    final = notification["final_status"]
    if notification["type"] != "letter":
        if age < delivery_seconds * 0.3:
            return "created"
        return "sending" if age < delivery_seconds else final
    if notification["template_id"] is None and age < delivery_seconds * 0.3:
        return "pending-virus-check"
    if final in ("validation-failed", "virus-scan-failed") and notification["template_id"] is None:
        return final
    if age < delivery_seconds:
        return "created"
    return "delivered" if final == "received" else final


def shown_status(notification, stored):
    """What the API shows: for letters, created and sending are "accepted" and delivered is "received"
    (app/models.py get_letter_status)."""
    if notification["type"] != "letter":
        return stored
    return {"created": "accepted", "sending": "accepted", "delivered": "received", "returned-letter": "received"}.get(
        stored, stored)


def stored_statuses(asked):
    """The stored statuses a `status` filter matches: "failed" means every failure, "accepted" created or sending,
    "received" delivered (app/models.py substitute_status)."""
    wanted = set()
    for status in asked:
        wanted.update({"failed": FAILED_STATUSES, "accepted": ["created", "sending"],
                       "received": ["delivered"]}.get(status, [status]))
    return wanted


def current_status(notification, delivery_seconds):
    return shown_status(notification, stored_status(notification, delivery_seconds))


def as_json(notification, base_url, delivery_seconds):
    """A notification as GET /v2/notifications/{id} shows it."""
    status = current_status(notification, delivery_seconds)
    kind = notification["type"]
    lines = notification["address"] or []
    created = notification["created_at"]
    data = {
        "id": notification["id"], "reference": notification["reference"],
        "email_address": notification["recipient"] if kind == "email" else None,
        "phone_number": notification["recipient"] if kind == "sms" else None,
        **{f"line_{n}": (lines[n - 1] if n <= len(lines) else None) for n in range(1, 8)},
        "postcode": None, "postage": notification["postage"], "type": kind, "status": status,
        "template": {"id": notification["template_id"], "version": notification["template_version"],
                     "uri": f"{base_url}/v2/template/{notification['template_id']}"},
        "body": notification["body"], "subject": notification["subject"], "created_at": iso(created),
        "created_by_name": None, "sent_at": iso(created + 0.5) if status != "created" else None,
        "completed_at": iso(created + delivery_seconds) if status in ("delivered", "permanent-failure",
                                                                      "temporary-failure", "received") else None,
        "scheduled_for": None, "one_click_unsubscribe": None, "is_cost_data_ready": True,
        "cost_in_pounds": 0.0, "cost_details": {},
    }
    if kind == "letter":
        data["estimated_delivery"] = iso(created + 3 * 86400)
    return data


def letter_pdf(store, notification, delivery_seconds):
    """GET /v2/notifications/{id}/pdf (app/v2/notifications/get_notifications.py): the letter's PDF, or Refused
    as Notify answers while it is not ready or will never be."""
    if notification["type"] != "letter":
        raise Refused(400, [error("Notification is not a letter", "BadRequestError")])
    status = stored_status(notification, delivery_seconds)
    if status == "virus-scan-failed":
        raise Refused(400, [error("File did not pass the virus scan", "BadRequestError")])
    if status == "technical-failure":
        raise Refused(400, [error("PDF not available for letters in status technical-failure", "BadRequestError")])
    made = time.time() - notification["created_at"] >= delivery_seconds * 0.3
    if status == "pending-virus-check" or not made:
        raise Refused(400, [error("PDF not available yet, try again later", "PDFNotReadyError")])
    pdf = store.letter_pdf(notification["id"])
    if pdf is None:  # a templated letter: made from its address and text
        pdf = letters.render([*(notification["address"] or []), "", *(notification["body"] or "").splitlines()])
        store.add_letter_pdf(notification["id"], pdf)
    return pdf
