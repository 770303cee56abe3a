"""What the benchmarks share: a database of their own, Django, the sandbox, workers, and the demo-like data.

Benchmarks use DATABASE_URL (default: the local PostgreSQL's `notify_bench`, made and migrated here) and
REDIS_URL (default db 14), never the demo's or the tests' databases.
"""

import math
import os
import resource
import time
from pathlib import Path

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/notify_bench")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/14")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.test")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")

ROOT = Path(__file__).resolve().parent.parent


def django_ready():
    """Create the bench database when missing, set Django up and migrate."""
    import django
    import psycopg

    name = os.environ["DATABASE_URL"].rsplit("/", 1)[1]
    if os.environ["DATABASE_URL"].startswith("postgres"):
        with psycopg.connect("postgres://postgres@127.0.0.1:5432/postgres", autocommit=True) as db:
            if not db.execute("select 1 from pg_database where datname = %s", (name,)).fetchone():
                db.execute(f'create database "{name}"')
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def clean():
    """Empty the tables the benchmarks fill (fast), keeping the roles."""
    from django.db import connection

    tables = ["documents_document", "inbox_receivedtext", "integrations_deliveryevent", "integrations_attempt", "integrations_logentry", "rules_rulerun", "rules_datefiring", "rules_bulkjob",
              "rules_action", "rules_rule", "mappings_placeholdermapping", "mappings_mappingtemplate",
              "integrations_notifytemplate", "integrations_integration", "cases_caseevent", "cases_caseperson",
              "cases_caseaddress", "cases_personaddress", "cases_case", "cases_person", "cases_address",
              "cases_fielddefinition", "cases_status", "cases_casetype"]
    with connection.cursor() as cursor:
        cursor.execute(f"truncate {', '.join(tables)} restart identity cascade")
    from tests.workers import purge_queue

    purge_queue()


def peak_rss_mb(pid=None):
    """The peak resident memory of a process (VmHWM), or of this one, in MB."""
    if pid is None:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except FileNotFoundError:
        return 0.0
    return 0.0


def children_of(pid):
    """The pids of a process's children (a Celery worker's pool)."""
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def quantile(values, q):
    """The q-quantile of `values` by nearest rank (0.95: the p95), or None when there are none."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * q) - 1)] if ordered else None


def p95(values):
    return quantile(values, 0.95)


def wait_until(predicate, timeout, interval=0.2):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def pipeline(sandbox, *, rate=3000, window=60, people=True, cases=0, service="Sandbox service", case_type=None):
    """An integration on the sandbox (its `service`), a mapping template and a rule; `cases` cases with a consenting
    applicant, of a new case type or of `case_type`."""
    from cases.models import Address, Case, CaseAddress, CasePerson, Person
    from integrations.models import Integration
    from integrations.services import integration_save, templates_refresh
    from mappings.models import MappingTemplate
    from mappings.services import mapping_template_save
    from rules.models import Action, Rule, Trigger
    from tests import factories

    template = sandbox.create_template("email", name="Bench", subject="Case ((reference))", body="Dear ((name))",
                                       service_name=service)
    integration = integration_save(
        integration=Integration(name=f"Bench {service}", enabled=True, base_url=sandbox.base_url, rate_limit=rate,
                                rate_window=window), new_key=sandbox.create_key("test", service_name=service))
    templates_refresh(integration=integration)
    case_type = case_type or factories.planning_case_type()
    mapping = mapping_template_save(mapping=MappingTemplate(
        name=f"Bench email ({service})", integration=integration, case_type=case_type, channel="email",
        notify_template_id=template, recipient={"source": "person", "role": "Applicant"}), rows={
        "name": {"source": {"source": "person", "role": "Applicant", "detail": "first_name"}},
        "reference": {"source": {"source": "case", "detail": "reference"}}})
    rule = Rule.objects.create(name=f"Bench rule ({service})", case_type=case_type, trigger=Trigger.CASE_UPDATED, send_once=False)
    Action.objects.create(rule=rule, mapping_template=mapping)
    if cases:
        status = case_type.statuses.get(is_initial=True)
        made = Case.objects.bulk_create((Case(reference=f"B-{n:07d}", case_type=case_type, status=status)
                                         for n in range(cases)), batch_size=5000)
        person = Person.objects.create(first_name="Amira", last_name="Ahmed", email="amira@example.com",
                                       consent_email=True) if people else None
        address = Address.objects.create(line_1="1 High Street", postcode="SW1A 2AA")
        if person:
            CasePerson.objects.bulk_create((CasePerson(case=c, person=person, role="Applicant") for c in made),
                                           batch_size=5000)
        CaseAddress.objects.bulk_create((CaseAddress(case=c, address=address, role="Property") for c in made),
                                        batch_size=5000)
    return {"integration": integration, "rule": rule, "case_type": case_type, "template": template}
