"""Date triggers: fire once per case and date value, at the right offset, within the catch-up window."""

import datetime

import pytest
from django.utils import timezone

from cases import services
from cases.models import CaseEvent
from integrations.log import LogEntry
from rules.dates import check_dates
from rules.models import Trigger
from tests.rules.helpers import applicant_case, make_rule

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 3, 10)


def test_a_date_field_fires_on_its_day_plus_offset_and_only_once(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.DATE_REACHED, conditions=[],
              trigger_config={"date": "decision_date", "offset_days": 2})
    case = applicant_case(case_type)
    services.case_update(case=case, field_values={"decision_date": "2026-03-09"})
    assert check_dates(today=TODAY) == 0  # 9 March + 2 days is 11 March
    assert check_dates(today=TODAY + datetime.timedelta(days=1)) == 1
    assert check_dates(today=TODAY + datetime.timedelta(days=2)) == 0
    assert LogEntry.objects.count() == 1
    # A new date value is a new occasion.
    services.case_update(case=case, field_values={"decision_date": "2026-03-20"})
    assert check_dates(today=datetime.date(2026, 3, 22)) == 1


def test_days_before_the_due_date(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.DATE_REACHED, conditions=[],
              trigger_config={"date": "due", "offset_days": -7})
    case = applicant_case(case_type)
    services.case_update(case=case, due_date=datetime.date(2026, 3, 17))
    assert check_dates(today=datetime.date(2026, 3, 9)) == 0
    assert check_dates(today=TODAY) == 1


def test_missed_days_are_caught_up_for_a_week_only(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.DATE_REACHED, conditions=[],
              trigger_config={"date": "decision_date", "offset_days": 0})
    recent, old = applicant_case(case_type), applicant_case(case_type)
    services.case_update(case=recent, field_values={"decision_date": "2026-03-05"})
    services.case_update(case=old, field_values={"decision_date": "2026-02-01"})
    assert check_dates(today=TODAY) == 1
    assert LogEntry.objects.get().case_id == recent.pk


def test_a_case_that_does_not_meet_the_conditions_yet_can_fire_later(case_type, mapping):
    consent = {"subject": {"source": "person", "role": "Applicant", "detail": "consent_email"}, "operator": "is_true"}
    make_rule(case_type, mapping, trigger=Trigger.DATE_REACHED, conditions=[consent],
              trigger_config={"date": "decision_date", "offset_days": 0})
    case = applicant_case(case_type, consent=False)
    services.case_update(case=case, field_values={"decision_date": "2026-03-09"})
    assert check_dates(today=TODAY) == 0
    case.people.update(consent_email=True)
    assert check_dates(today=TODAY) == 1


def test_time_in_status(case_type, mapping):
    make_rule(case_type, mapping, trigger=Trigger.TIME_IN_STATUS, conditions=[],
              trigger_config={"status": "Under review", "days": 14})
    case = applicant_case(case_type)
    services.case_update(case=case, status=case_type.statuses.get(name="Under review"))
    entered = timezone.make_aware(datetime.datetime(2026, 2, 20, 12, 0))
    CaseEvent.objects.filter(case=case, kind="status_changed").update(created_at=entered)
    assert check_dates(today=datetime.date(2026, 3, 5)) == 0
    assert check_dates(today=datetime.date(2026, 3, 6)) == 1
    assert check_dates(today=datetime.date(2026, 3, 7)) == 0
