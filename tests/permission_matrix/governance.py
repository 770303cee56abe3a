"""Governance: administrators and auditors read the history and the audit trail, only administrators put a setting
back, change the retention policy, download a person's data or erase them; caseworkers see their cases' history on
the case page (cases:case_detail), none of these."""

from types import SimpleNamespace

from . import API_AUDIT, PAGE_ADMIN, PAGE_AUDIT, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_history(world):
    from rules.models import Rule

    rule = Rule.objects.create(name="History rule", case_type=world.case_type, trigger="case_updated")
    world.history_type = SimpleNamespace(pk="rule")
    world.history_rule = rule
    world.history_version = SimpleNamespace(pk=rule.history.latest().history_id)


WORLD_EXTENSIONS.append(add_history)
OBJECT = {"object_type": "history_type", "pk": "history_rule"}
VERSION = {**OBJECT, "version": "history_version"}

MATRIX = {
    "governance:history": Entry(get=PAGE_AUDIT, kwargs=OBJECT),
    "governance:version": Entry(get=PAGE_AUDIT, kwargs=VERSION),
    # Putting a rule back: administrators only (a rule with no actions is put back as it was: 302).
    "governance:restore": Entry(get=expect(302, 405, 403, 405), post=expect(302, 302, 403, 403), kwargs=VERSION),
    "governance:audit": Entry(get=PAGE_AUDIT),
    "governance:audit_export": Entry(get=PAGE_AUDIT),
    # Auditors read the policy; an empty POST re-renders the form with its errors for administrators.
    "governance:retention": Entry(get=PAGE_AUDIT, post=expect(302, 200, 403, 403)),
    "governance:subject_access": Entry(get=PAGE_ADMIN, kwargs={"pk": "person"}),
    "governance:erase": Entry(get=PAGE_ADMIN, post=expect(302, 200, 403, 403), kwargs={"pk": "person"}),
    "api:history": Entry(get=API_AUDIT, post=expect(401, 405, 403, 405)),
}
