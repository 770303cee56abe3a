"""Rules: administrators edit, apply and read whole rules (pages and API); caseworkers see the list of names and
run rules on a case; auditors nothing."""

from rules.models import Action, BulkJob, Rule

from . import API_ADMIN, PAGE_ADMIN, PAGE_CASEWORK, Entry, expect
from .test_matrix import WORLD_EXTENSIONS


def add_rule(world):
    world.rule = Rule.objects.create(name="Matrix rule", case_type=world.case_type, trigger="case_updated")
    Action.objects.create(rule=world.rule, mapping_template=world.mapping)
    world.job = BulkJob.objects.create(rule=world.rule, status="done")


WORLD_EXTENSIONS.append(add_rule)
RULE = {"pk": "rule"}
JOB = {"pk": "job"}

MATRIX = {
    "rules:list": Entry(get=PAGE_CASEWORK),
    "rules:create": Entry(get=PAGE_ADMIN),
    "rules:edit": Entry(get=PAGE_ADMIN, post=expect(302, 200, 403, 403), kwargs=RULE),
    "rules:dry_run": Entry(get=PAGE_ADMIN, kwargs=RULE),
    "rules:apply": Entry(get=PAGE_ADMIN, kwargs=RULE),
    "rules:job": Entry(get=PAGE_ADMIN, kwargs=JOB),
    "rules:job_cancel": Entry(get=expect(302, 405, 403, 403), post=expect(302, 302, 403, 403), kwargs=JOB),
    "rules:run_on_case": Entry(get=expect(302, 405, 405, 403), post=expect(302, 302, 302, 403), kwargs={"pk": "case"}),
    # Whole rule definitions are for administrators, in the API as on the rule's page.
    "api:rule-list": Entry(get=API_ADMIN, post=expect(401, 400, 403, 403)),
    "api:rule-detail": Entry(get=API_ADMIN, post=expect(401, 405, 403, 403), kwargs=RULE),
    "api:rule-apply": Entry(get=expect(401, 405, 403, 403), kwargs=RULE),
    "api:rulejob-list": Entry(get=API_ADMIN),
    "api:rulejob-detail": Entry(get=API_ADMIN, kwargs=JOB),
    "api:rulejob-cancel": Entry(get=expect(401, 405, 403, 403), post=expect(401, 200, 403, 403), kwargs=JOB),
    "api:case-run-rules": Entry(get=expect(401, 405, 405, 403), post=expect(401, 200, 200, 403), kwargs={"pk": "case"}),
}
