"""The demo `make run` loads: complete, and the same however often it is loaded."""

import json
import uuid

import pytest
from django.contrib.auth.models import User

from cases.demo import load_demo
from cases.models import Case
from demo.loader import load_notifications_demo
from integrations.models import Integration
from mappings.models import MappingTemplate
from rules.models import Rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def sandbox_file(tmp_path):
    path = tmp_path / "demo-sandbox.json"
    key = f"demo-{uuid.uuid4()}-{uuid.uuid4()}"
    templates = {key: {"id": str(uuid.uuid4()), "name": key, "subject": "S ((reference))", "type": key.split()[0],
                       "body": "Hello ((name)) ((reference)) ((address)) ((decision)) ((decision_date))"}
                 for key in ("email", "sms", "letter", "sms stop", "sms reply", "email notice")}
    path.write_text(json.dumps({"base_url": "http://127.0.0.1:6011", "api_key": key, "templates": templates}))
    return path


def counts():
    return (Case.objects.count(), User.objects.count(), Integration.objects.count(), MappingTemplate.objects.count(),
            Rule.objects.count())


def test_the_demo_loads_once_and_again_without_duplicates(sandbox_file):
    assert load_demo() == 24
    load_notifications_demo(sandbox_file)
    assert counts() == (24, 3, 1, 7, 8)
    assert {u.username: u.check_password(f"demo-{u.username}") for u in User.objects.all()} == {
        "admin": True, "caseworker": True, "auditor": True}
    assert load_demo() == 0
    load_notifications_demo(sandbox_file)
    assert counts() == (24, 3, 1, 7, 8)
    assert all(case.person_links.filter(role="Applicant").exists() for case in Case.objects.all())
    assert all(case.address_links.filter(role="Property").exists() for case in Case.objects.all())
    integration = Integration.objects.get()
    assert integration.enabled
    assert integration.decrypted_api_key() == json.loads(sandbox_file.read_text())["api_key"]


def test_without_a_sandbox_the_notification_demo_is_skipped(tmp_path):
    load_demo()
    assert "skipped" in load_notifications_demo(tmp_path / "missing.json")
    assert Integration.objects.count() == 0


def test_the_demo_registers_its_callback_with_the_sandbox(sandbox_file, tmp_path):
    """So statuses flow in `make run` with no set-up: the sandbox's data file gets the demo's callback address and a
    token that the product accepts."""
    from integrations.delivery.tokens import token_matches
    from notify_sandbox.store import Store

    data = tmp_path / "sandbox.sqlite3"
    store = Store(data)
    store.ensure_service("Planning demo")
    sandbox_file.write_text(json.dumps({**json.loads(sandbox_file.read_text()), "data": str(data),
                                        "service_name": "Planning demo"}))
    load_demo()
    load_notifications_demo(sandbox_file)
    integration = Integration.objects.get()
    callback = store.service_by_name("Planning demo")["callback"]["delivery_status"]
    assert callback["url"] == f"http://127.0.0.1:8000/notify/callbacks/{integration.callback_id}/delivery-status/"
    assert token_matches(integration, "delivery_status", f"Bearer {callback['bearer_token']}")
    inbound = store.service_by_name("Planning demo")["callback"]["inbound_sms"]
    assert inbound["url"] == f"http://127.0.0.1:8000/notify/callbacks/{integration.callback_id}/received-text/"
    assert token_matches(integration, "received_text", f"Bearer {inbound['bearer_token']}")


def test_make_runs_sandbox_preparation_feeds_the_demo_loader(tmp_path, monkeypatch):
    """scripts/demo_sandbox.py as `make run` calls it, on a fresh data file: its key and templates load."""
    import importlib.util

    from django.conf import settings

    spec = importlib.util.spec_from_file_location("demo_sandbox", settings.BASE_DIR / "scripts" / "demo_sandbox.py")
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    monkeypatch.setattr(script, "DATA", tmp_path / "sandbox.sqlite3")
    monkeypatch.setattr(script, "OUT", tmp_path / "demo-sandbox.json")
    script.main()
    load_demo()
    assert "Notify integration" in load_notifications_demo(tmp_path / "demo-sandbox.json")
    assert Integration.objects.get().key_hint.startswith("demo")
    assert MappingTemplate.objects.count() == 7


def test_a_token_that_starts_with_a_dash_is_registered_too(sandbox_file, tmp_path, monkeypatch):
    """Tokens are random URL-safe text: about one in 32 starts with "-", which a command line reads as an option."""
    from integrations.delivery import tokens
    from notify_sandbox.store import Store

    monkeypatch.setattr(tokens.secrets, "token_urlsafe", lambda n: "-starts-with-a-dash-" + "x" * 24)
    store = Store(tmp_path / "sandbox.sqlite3")
    store.ensure_service("Planning demo")
    sandbox_file.write_text(json.dumps({**json.loads(sandbox_file.read_text()), "data": str(tmp_path / "sandbox.sqlite3"),
                                        "service_name": "Planning demo"}))
    load_demo()
    load_notifications_demo(sandbox_file)
    callbacks = store.service_by_name("Planning demo")["callback"]
    assert callbacks["delivery_status"]["bearer_token"].startswith("-starts-with-a-dash-")


def test_a_demo_decision_notice_added_to_its_case_goes_to_the_applicant(sandbox_file, tmp_path):
    """The demo's generated notice is a letter Notify can print, and the demo's rules send it when it is added."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from demo.notices import write_decision_notices
    from documents.services import document_add
    from integrations.log import LogEntry

    load_demo()
    load_notifications_demo(sandbox_file)
    folder = write_decision_notices(tmp_path / "notices")
    case = next(c for c in Case.objects.order_by("pk")
                if c.person_links.get(role="Applicant").person.consent_email)
    notice = (folder / f"{case.reference}.pdf").read_bytes()
    document = document_add(case=case, document_type="Decision notice",
                            upload=SimpleUploadedFile(f"{case.reference}.pdf", notice))
    assert document.letter_problems == []
    entry = LogEntry.objects.get(case=case, rule_name="Decision notice added: email it to the applicant")
    assert entry.personalisation["notice"]["document"]["id"] == document.pk
    assert not LogEntry.objects.filter(case=case, mapping_template_name="Decision notice by post").exists()
