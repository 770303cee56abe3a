"""The notification side of the demo: an integration on the local Notify sandbox, its templates,
mapping templates and rules. Idempotent; uses var/demo-sandbox.json from scripts/demo_sandbox.py."""

import json
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.urls import reverse

from cases.models import CaseType
from integrations.delivery.tokens import make_callback_tokens
from integrations.models import Integration, KeyType, NotifyTemplate
from integrations.notify.client import placeholders_of
from mappings.models import Channel, MappingTemplate, PlaceholderMapping
from rules.models import Action, Rule, Trigger

SANDBOX_FILE = settings.VAR_DIR / "demo-sandbox.json"
APPLICANT = {"source": "person", "role": "Applicant"}
MAPPINGS = {
    "email": ("Decision email", APPLICANT, {
        "name": {"source": "person", "role": "Applicant", "detail": "first_name"},
        "reference": {"source": "case", "detail": "reference"},
        "address": {"source": "address", "role": "Property", "detail": "single_line"},
        "decision": {"source": "field", "key": "decision"},
        "decision_date": {"source": "date", "date": "decision_date", "format": "long"},
    }),
    "sms": ("Site visit text", APPLICANT, {
        "name": {"source": "person", "role": "Applicant", "detail": "first_name"},
        "address": {"source": "address", "role": "Property", "detail": "line_1"},
        "reference": {"source": "case", "detail": "reference"},
    }),
    "letter": ("Decision letter", {"person_role": "Applicant", "address": {"of": "case", "role": "Property"}}, {
        "name": {"source": "person", "role": "Applicant", "detail": "full_name"},
        "reference": {"source": "case", "detail": "reference"},
        "decision": {"source": "field", "key": "decision"},
    }),
    "email notice": ("Decision notice by email", APPLICANT, {
        "name": {"source": "person", "role": "Applicant", "detail": "first_name"},
        "reference": {"source": "case", "detail": "reference"},
        "notice": {"source": "document", "type": "Decision notice"},
    }),
    "sms stop": ("Texts stopped", APPLICANT, {"reference": {"source": "case", "detail": "reference"}}),
    # Caseworkers' replies from the case ("Reply by text"): the message is typed when sending.
    "sms reply": ("Reply from the case", APPLICANT, {"message": {"source": "entered"},
                                                     "reference": {"source": "case", "detail": "reference"}}),
}


def consent(channel, value=True):
    return {"subject": {"source": "person", "role": "Applicant", "detail": f"consent_{channel}"},
            "operator": "is_true" if value else "is_false"}


# The address the demo's web process listens on (Procfile.dev), where the sandbox calls back.
DEMO_WEB = "http://127.0.0.1:8000"

RULES = [
    ("Decision issued: email the applicant", "email", Trigger.STATUS_CHANGED, {"to": "Decision issued"},
     [consent("email")]),
    ("Decision issued: letter when there is no email consent", "letter", Trigger.STATUS_CHANGED,
     {"to": "Decision issued"}, [consent("email", False), consent("letter")]),
    ("Site visit needed: text the applicant", "sms", Trigger.FIELD_CHANGED,
     {"field": "site_visit_needed", "to": "true"}, [consent("sms")]),
    # Channel fallback: the decision email bounced, so the decision goes by post (the trigger names the email's
    # mapping template by id, filled in when loaded).
    ("Decision email not delivered: send the decision letter", "letter", Trigger.DELIVERY_STATUS,
     {"status": "permanent-failure", "channel": "email", "mapping_template": "email", "rule": ""},
     [consent("letter")]),
]
# Rules on documents: the decision notice goes out as soon as it is added, by email (a file to download) or, to
# applicants who did not agree to email, as the PDF itself by post.
DOCUMENT_RULES = [
    ("Decision notice added: email it to the applicant", "email notice", [consent("email")]),
    ("Decision notice added: post it when there is no email consent", "pdf letter",
     [consent("email", False), consent("letter")]),
]
# Rules on replies: (name, mapping key or None, trigger config, the "Update the case" action).
REPLY_RULES = [
    ("Reply STOP: no more texts, and say so", "sms stop", {"test": "equals", "word": "STOP"},
     [{"set": "consent", "role": "Applicant", "channel": "sms", "to": False}]),
    ("Reply YES to the site visit: visit confirmed", None, {"test": "starts_with", "word": "YES"},
     [{"set": "field", "key": "visit_confirmed", "to": True}]),
]


def _integration(data):
    integration = Integration.objects.filter(name="Planning (Notify sandbox)").first()
    if integration is None or integration.decrypted_api_key() != data["api_key"]:
        integration = integration or Integration(name="Planning (Notify sandbox)")
        integration.set_api_key(data["api_key"])
    integration.enabled = True
    integration.base_url = data["base_url"]
    integration.key_type = KeyType.TEST
    integration.verified_service = "The local Notify sandbox (demo)"
    integration.save()
    return integration


def _templates(integration, data):
    cached = {}
    for key, template in data["templates"].items():
        kind = template.get("type") or key
        cached[key], _ = NotifyTemplate.objects.update_or_create(
            integration=integration, notify_id=template["id"],
            defaults={"name": template["name"], "type": kind, "version": 1, "subject": template["subject"],
                      "body": template["body"], "placeholders": placeholders_of({**template, "type": kind})},
        )
    return cached


def _mapping(integration, case_type, key, template):
    name, recipient, placeholders = MAPPINGS[key]
    mapping, created = MappingTemplate.objects.get_or_create(
        integration=integration, name=name,
        defaults={"channel": template.type, "case_type": case_type, "notify_template_id": template.notify_id, "notify_template_name": template.name,
                  "template_version": template.version, "recipient": recipient})
    if created:
        for placeholder, source in placeholders.items():
            PlaceholderMapping.objects.create(mapping_template=mapping, placeholder=placeholder, source=source)
    return mapping


@transaction.atomic
def load_notifications_demo(sandbox_file=None):
    """Set up the sandbox integration, mappings and rules. Returns what it did, in words."""
    sandbox_file = sandbox_file or SANDBOX_FILE
    if not sandbox_file.exists():
        return "No sandbox prepared (run scripts/demo_sandbox.py): skipped the Notify integration"
    data = json.loads(sandbox_file.read_text())
    integration = _integration(data)
    templates = _templates(integration, data)
    case_type = CaseType.objects.get(name="Planning application")
    mappings = {key: _mapping(integration, case_type, key, template) for key, template in templates.items()
                if key in MAPPINGS}
    for order, (name, kind, trigger, config, conditions) in enumerate(RULES):
        if config.get("mapping_template") in mappings:
            config = {**config, "mapping_template": mappings[config["mapping_template"]].pk}
        rule, created = Rule.objects.get_or_create(
            case_type=case_type, name=name,
            defaults={"trigger": trigger, "trigger_config": config, "conditions": conditions, "order": order,
                      "manual": trigger != Trigger.DELIVERY_STATUS})
        if created:
            Action.objects.create(rule=rule, mapping_template=mappings[kind])
    if "email notice" in mappings:  # a sandbox prepared by an older script has no such template
        mappings["pdf letter"] = _pdf_letter_mapping(integration, case_type)
        _document_rules(case_type, mappings)
    for order, (name, key, config, update) in enumerate(REPLY_RULES, start=len(RULES) + len(DOCUMENT_RULES)):
        if key and key not in mappings:
            continue  # a sandbox prepared by an older script has no such template
        rule, created = Rule.objects.get_or_create(
            case_type=case_type, name=name,
            defaults={"trigger": Trigger.TEXT_RECEIVED, "trigger_config": config, "case_update": update,
                      "order": order})
        if created and key:
            Action.objects.create(rule=rule, mapping_template=mappings[key])
    registered = _register_callbacks(integration, data)
    return (f"Notify integration on {data['base_url']} with {len(mappings)} mapping templates and "
            f"{Rule.objects.filter(case_type=case_type).count()} rules"
            f"{'; delivery statuses called back to ' + registered if registered else ''}")


def _pdf_letter_mapping(integration, case_type):
    mapping, _ = MappingTemplate.objects.get_or_create(
        integration=integration, name="Decision notice by post",
        defaults={"channel": Channel.PRECOMPILED, "case_type": case_type, "document_type": "Decision notice",
                  "postage": "second"})
    return mapping


def _document_rules(case_type, mappings):
    for order, (name, key, conditions) in enumerate(DOCUMENT_RULES, start=len(RULES)):
        rule, created = Rule.objects.get_or_create(
            case_type=case_type, name=name,
            # Not "once per case": a corrected notice (version 2) goes out too.
            defaults={"trigger": Trigger.DOCUMENT_ADDED, "trigger_config": {"document_type": "Decision notice"},
                      "conditions": conditions, "order": order, "send_once": False})
        if created:
            Action.objects.create(rule=rule, mapping_template=mappings[key])


def _register_callbacks(integration, data):
    """New callback tokens for the demo integration, registered with the sandbox through its command line (on its
    data file, which the running sandbox reads at each callback), so statuses flow with no set-up."""
    sandbox_data = data.get("data")
    if not sandbox_data or not Path(sandbox_data).exists():
        return ""
    tokens = make_callback_tokens(integration)
    for kind, sandbox_type in (("delivery_status", "delivery_status"), ("received_text", "inbound_sms")):
        url = DEMO_WEB + reverse(f"notify_callbacks:{kind}", args=[integration.callback_id])
        # "--name=value": a token may start with "-", which would otherwise read as an option.
        subprocess.run([sys.executable, "-m", "notify_sandbox", "register-callback", f"--data={sandbox_data}",
                        f"--service-name={data.get('service_name') or 'Planning demo'}", f"--type={sandbox_type}",
                        f"--url={url}", f"--bearer-token={tokens[f'{kind}_token']}"],
                       cwd=settings.BASE_DIR, check=True, capture_output=True)
    return DEMO_WEB + "/notify/callbacks/"
