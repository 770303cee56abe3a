"""Case events: recorded with the change, announced to subscribers without cases/ knowing them.

Two signals, so that each subscriber picks its moment:
- `case_event_recorded` is sent inside the transaction of the change. A subscriber that writes (the rules
  engine putting a message in the outbox) writes in that same transaction: the change and its
  consequences commit or roll back together.
- `case_event_committed` is sent after the transaction commits, for subscribers with side effects
  outside the database.
Both pass `event` (a saved CaseEvent).
"""

from django.db import transaction
from django.dispatch import Signal

from .models import CaseEvent

case_event_recorded = Signal()
case_event_committed = Signal()


def record_event(*, case, kind, data=None, actor=None, rule_name=""):
    """Save a CaseEvent for the case and announce it (now, and again after commit)."""
    event = CaseEvent.objects.create(case=case, kind=kind, data=data or {}, actor=actor, rule_name=rule_name)
    case_event_recorded.send(sender=CaseEvent, event=event)
    transaction.on_commit(lambda: case_event_committed.send(sender=CaseEvent, event=event))
    return event
