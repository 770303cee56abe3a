"""Date triggers, checked by Celery beat: "date reached" (a case date or date field, with an offset) and
"time in status" (N days in a status). Each fires once per case and date value (rules.models.DateFiring).

A firing that was missed (beat was down) is caught up for CATCH_UP_DAYS days, never later, so turning
a rule on does not send for every old case.
"""

import datetime
import logging

from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from cases.models import Case, CaseEvent, EventKind
from mappings.snapshot import snapshots

from .engine import apply_rule
from .models import DateFiring, Rule, Trigger

logger = logging.getLogger(__name__)
CATCH_UP_DAYS = 7
CASE_DATE_COLUMNS = {"created": "created_at__date", "updated": "updated_at__date", "closed": "closed_at__date",
                     "due": "due_date"}


def _window(today, offset_days):
    """The source dates whose target (date + offset) falls in the catch-up window ending today."""
    latest = today - datetime.timedelta(days=offset_days)
    return latest - datetime.timedelta(days=CATCH_UP_DAYS), latest


def date_reached_candidates(rule, today):
    """(case, date value) pairs whose date + offset has come, within the catch-up window."""
    config = rule.trigger_config or {}
    earliest, latest = _window(today, int(config.get("offset_days") or 0))
    cases = Case.objects.filter(case_type_id=rule.case_type_id)
    name = config.get("date")
    if name in CASE_DATE_COLUMNS:
        column = CASE_DATE_COLUMNS[name]
        cases = cases.filter(**{f"{column}__gte": earliest, f"{column}__lte": latest})
        return [(case, _case_date(case, name)) for case in cases]
    # A date field: values are ISO strings in the JSON, so string comparison orders them as dates.
    key = f"field_values__{name}"
    cases = cases.filter(**{f"{key}__gte": earliest.isoformat(), f"{key}__lte": latest.isoformat()})
    return [(case, datetime.date.fromisoformat(case.field_values[name])) for case in cases]


def _case_date(case, name):
    value = {"created": case.created_at, "updated": case.updated_at, "closed": case.closed_at,
             "due": case.due_date}[name]
    return timezone.localdate(value) if isinstance(value, datetime.datetime) else value


def time_in_status_candidates(rule, today):
    """(case, date entered the status) for cases that have been in the status for N days."""
    config = rule.trigger_config or {}
    earliest, latest = _window(today, int(config.get("days") or 0))
    entered = (
        CaseEvent.objects.filter(case=OuterRef("pk"), kind=EventKind.STATUS_CHANGED, data__to=config.get("status"))
        .order_by("-created_at").values("created_at")[:1]
    )
    cases = (
        Case.objects.filter(case_type_id=rule.case_type_id, status__name=config.get("status"))
        .annotate(entered_at=Subquery(entered))
    )
    found = []
    for case in cases:
        day = timezone.localdate(case.entered_at or case.created_at)
        if earliest <= day <= latest:
            found.append((case, day))
    return found


def _fire(rule, case, snapshot, date_value, today):
    """Apply the rule once for this date value. A case that does not meet the conditions yet is not
    marked, so a later check within the window can still fire it."""
    try:
        with transaction.atomic():
            DateFiring.objects.create(rule=rule, case=case, date_value=date_value)
            outcome = apply_rule(rule, case, snapshot, today=today)
            if outcome.result == "unmatched":
                transaction.set_rollback(True)
                return None
    except IntegrityError:
        return None  # fired already for this date value
    return outcome


def check_dates(*, today=None):
    """Fire every enabled date rule for the cases whose date has come. Returns how many fired."""
    today = today or timezone.localdate()
    fired = 0
    rules = Rule.objects.filter(enabled=True, trigger__in=[Trigger.DATE_REACHED, Trigger.TIME_IN_STATUS]).prefetch_related(
        "actions__mapping_template__placeholders", "actions__mapping_template__integration")
    for rule in rules:
        finder = date_reached_candidates if rule.trigger == Trigger.DATE_REACHED else time_in_status_candidates
        found = [(case, date_value) for case, date_value in finder(rule, today) if date_value is not None]
        by_id = {snapshot["id"]: snapshot for snapshot in snapshots(Case.objects.filter(pk__in=[c.pk for c, _ in found]))}
        for case, date_value in found:
            if _fire(rule, case, by_id[case.pk], date_value, today) is not None:
                fired += 1
    if fired:
        logger.info("Date rules fired %s times", fired)
    return fired



