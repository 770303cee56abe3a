"""An information-governance officer asks: who changed this rule, and what was it before? Every change to settings
and roles is kept (who, when, each field before and after), readable per object and across all, and a rule or a
mapping template can be put back as it was; each message names the versions it was built from."""

import csv
import io

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from accounts.roles import AUDITORS, CASEWORKERS
from integrations.log import LogEntry
from integrations.models import Integration
from integrations.services import integration_save
from mappings.models import MappingTemplate, PlaceholderMapping
from rules.models import Rule, Trigger
from tests.factories import admin_user, auditor_user, user_with_role
from tests.rules.helpers import applicant_case, decide, make_mapping, make_rule

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(case_type, integration):
    return make_rule(case_type, make_mapping(integration, case_type=case_type), conditions=[])


def edit_rule(client, rule, **changes):
    data = {"name": rule.name, "enabled": "on", "order": str(rule.order), "trigger": rule.trigger,
            "trigger_to": (rule.trigger_config or {}).get("to", ""), "condition_mode": rule.condition_mode,
            "send_once": "on", "consent_role": "Applicant",
            "actions": [a.mapping_template_id for a in rule.actions.all()], **changes}
    response = client.post(reverse("rules:edit", args=[rule.pk]), data)
    assert response.status_code == 302, response.content.decode()[:3000]


def test_who_changed_a_rule_and_what_it_was_before(client, rule):
    admin = admin_user()
    client.force_login(admin)
    edit_rule(client, rule, name="Send the decision (v2)", trigger_to="Closed")
    client.force_login(auditor_user())
    page = client.get(reverse("governance:history", args=["rule", rule.pk])).content.decode()
    assert "Send the decision (v2)" in page
    assert "<del>Send the decision</del>" in page
    assert admin.username in page
    assert "Closed" in page  # the trigger's settings, before and after
    audit = client.get(reverse("governance:audit"), {"object_type": "rule", "user": admin.username}).content.decode()
    assert "Send the decision (v2)" in audit


def test_unchanged_saves_show_no_change(client, rule):
    client.force_login(admin_user())
    edit_rule(client, rule)
    edit_rule(client, rule)
    client.force_login(auditor_user())
    page = client.get(reverse("governance:history", args=["rule", rule.pk])).content.decode()
    assert page.count("<strong>Changed</strong>") == 0


def test_a_new_api_key_is_recorded_only_as_changed_with_its_last_four(sandbox, notify_key):
    integration = integration_save(integration=Integration(name="Keys", enabled=True, base_url=sandbox.base_url),
                                   new_key=notify_key)
    other = sandbox.create_key("test")
    integration_save(integration=integration, new_key=other)
    records = list(integration.history.values())
    assert all(notify_key.rsplit("-", 1)[-1] not in str(r) and other.rsplit("-", 1)[-1] not in str(r)
               for r in records)  # no secret in any history row
    from governance.history import object_history

    changes = [c for change in object_history("integration", integration.pk) for c in change.changes
               if c[0] == "API key"]
    assert changes[0] == ("API key", "—", f"key changed (…{other[-4:]})")


def test_a_users_roles_are_kept_as_they_change():
    from governance.history import audit_trail

    user = user_with_role(CASEWORKERS, "sam")
    user.groups.add(Group.objects.get(name=AUDITORS))
    roles = [c for change in audit_trail(object_type="user") for c in change.changes if c[0] == "Roles"]
    assert ("Roles", "Caseworkers", "Auditors, Caseworkers") in roles


def test_the_audit_trail_exports_as_csv_and_through_the_api(client, api_as, rule):
    client.force_login(admin_user())
    edit_rule(client, rule, name="Renamed")
    client.force_login(auditor_user())
    response = client.get(reverse("governance:audit_export"), {"object_type": "rule"})
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert any(r["field"] == "Name" and r["before"] == "Send the decision" and r["after"] == "Renamed" for r in rows)
    api = api_as(auditor_user()).get("/api/history/", {"object_type": "rule", "object_id": rule.pk}).json()
    assert api["count"] >= 2
    assert {"field": "Name", "before": "Send the decision", "after": "Renamed"} in api["results"][0]["changes"]
    refused = api_as(auditor_user()).get("/api/history/", {"object_id": rule.pk})
    assert refused.status_code == 400


def test_a_rule_is_put_back_as_an_earlier_version_was(client, rule, case_type, integration):
    first = rule.history.latest().history_id
    original = rule.actions.get().mapping_template
    other = MappingTemplate.objects.create(name="Other email", integration=integration, case_type=case_type,
                                           channel="email", notify_template_id=original.notify_template_id,
                                           template_version=1, recipient={"source": "person", "role": "Applicant"})
    client.force_login(admin_user())
    edit_rule(client, rule, name="Changed by mistake", trigger_to="Closed", actions=[other.pk])
    rule.refresh_from_db()
    assert (rule.name, rule.trigger_config, rule.actions.get().mapping_template) == ("Changed by mistake",
                                                                                     {"to": "Closed"}, other)
    response = client.post(reverse("governance:restore", args=["rule", rule.pk, first]))
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.name, rule.trigger_config, rule.actions.get().mapping_template) == ("Send the decision",
                                                                                     {"to": "Decision issued"},
                                                                                     original)
    assert rule.history.latest().history_change_reason == f"Put back to version {first}"


def test_a_mapping_template_is_put_back_with_its_placeholders(client, integration, case_type):
    from integrations.models import NotifyTemplate
    from integrations.services import templates_refresh
    from mappings.services import mapping_template_save

    templates_refresh(integration=integration)
    template = NotifyTemplate.objects.get(integration=integration, name="Decision")
    rows = {"name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
            "reference": {"source": {"source": "case", "detail": "reference"}},
            "decision": {"source": {"source": "field", "key": "decision"}}}
    mapping = mapping_template_save(mapping=MappingTemplate(
        name="Decision email", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template.notify_id, recipient={"source": "person", "role": "Applicant"}), rows=rows)
    first = mapping.history.latest().history_id
    client.force_login(admin_user())
    mapping.name = "Renamed"
    mapping_template_save(mapping=mapping, rows={**rows, "decision": {"source": {"source": "text", "text": "Sorry"}}})
    assert PlaceholderMapping.objects.get(mapping_template=mapping, placeholder="decision").source["source"] == "text"
    response = client.post(reverse("governance:restore", args=["mapping_template", mapping.pk, first]))
    assert response.status_code == 302
    mapping.refresh_from_db()
    assert mapping.name == "Decision email"
    assert PlaceholderMapping.objects.get(mapping_template=mapping, placeholder="decision").source == \
        {"source": "field", "key": "decision"}
    history = client.get(reverse("governance:history", args=["mapping_template", mapping.pk])).content.decode()
    assert "placeholder of a mapping template “((decision))”" in history  # its part's changes are on its page


def test_each_message_names_the_versions_it_was_built_from(client, rule, case_type):
    case = applicant_case(case_type)
    decide(case, case_type)
    entry = LogEntry.objects.get(case=case)
    assert entry.rule_version == rule.history.latest().history_id
    assert entry.mapping_template_version == rule.actions.get().mapping_template.history.latest().history_id
    client.force_login(admin_user())
    edit_rule(client, rule, name="Changed afterwards")
    client.force_login(auditor_user())
    detail = client.get(reverse("log:detail", args=[entry.pk])).content.decode()
    version_url = reverse("governance:version", args=["rule", rule.pk, entry.rule_version])
    assert version_url in detail
    version = client.get(version_url).content.decode()
    assert "Send the decision: version 1" in version  # counted per rule, whatever its history id
    assert ">version 1</a>" in detail
    assert "Send the decision" in version
    assert "Changed afterwards" not in version  # the rule as the message was built from it
    assert "Action of a rule" in version


def test_a_caseworker_sees_no_settings_history(client, rule):
    client.force_login(user_with_role(CASEWORKERS, "casey"))
    assert client.get(reverse("governance:history", args=["rule", rule.pk])).status_code == 403
    assert Rule.objects.filter(trigger=Trigger.STATUS_CHANGED).exists()
