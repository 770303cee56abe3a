"""Fault scenario `callbacks`: Notify's delivery-status callbacks at their worst, against the real web process.

A bulk apply sends N messages; the sandbox calls back with 30% of callbacks duplicated, 30% reordered and 20%
lost on the way, and Notify's retries every second. The store is locked against writes (a real lock) for a
while as callbacks arrive, so some callbacks wait past Notify's 5-second timeout and are tried again; the lost
ones can only come from beat's read of Notify's list. Counted: statuses lost (a sent message left without its
final status) and regressions (a message whose status ever moved backwards).
"""

import threading
import time

from .faults import Processes, _fresh, outcome, scaled, settle, wait_for


def _register(sandbox, port, kind="delivery_status"):
    """Give the sandbox the product's callback address and a new token of this kind (received_text: inbound_sms)."""
    from django.urls import reverse

    from integrations.delivery.tokens import make_callback_tokens
    from integrations.models import Integration

    integration = Integration.objects.get()
    token = make_callback_tokens(integration)[f"{kind}_token"]
    url = f"http://127.0.0.1:{port}" + reverse(f"notify_callbacks:{kind}", args=[integration.callback_id])
    sandbox.control("POST", "callbacks", {
        "service_name": "Sandbox service", "bearer_token": token, "url": url,
        "callback_type": "inbound_sms" if kind == "received_text" else "delivery_status"})


def _lock_while_they_arrive(model, hold_seconds):
    """Once the first row of `model` is stored, hold a SHARE lock on its table (reads go on, writes wait) for
    `hold_seconds`: the store is down for writes while callbacks arrive."""
    from django.db import connections

    def hold():
        if not wait_for(lambda: model.objects.exists(), scaled(120), 0.05):
            return
        holder = connections.create_connection("default")
        holder.set_autocommit(False)
        with holder.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE MODE")
        time.sleep(hold_seconds)
        holder.rollback()
        holder.close()

    thread = threading.Thread(target=hold, daemon=True)
    thread.start()
    return thread


def _callback_tries(sandbox):
    """(dropped, refused or timed out) over every callback try the sandbox made."""
    tries = sandbox.control("GET", "callbacks")["outcomes"]
    return tries.get("dropped", 0), sum(n for answer, n in tries.items() if answer not in ("200", "dropped"))


def _regressions():
    from integrations.delivery.models import DeliveryEvent
    from integrations.delivery.statuses import rank

    last, backwards = {}, set()
    for entry_id, status in (DeliveryEvent.objects.filter(applied=True).order_by("entry_id", "received_at", "id")
                             .values_list("entry_id", "status")):
        if entry_id in last and rank(status) <= rank(last[entry_id]):
            backwards.add(entry_id)
        last[entry_id] = status
    return len(backwards)


def callbacks(messages):
    from integrations.delivery import statuses
    from integrations.log import LogEntry, Status
    from rules import bulk
    from tests.workers import free_port

    sandbox, setup = _fresh(cases=messages)
    processes = Processes()
    port = free_port()
    try:
        processes.start_web(port)
        _register(sandbox, port)
        sandbox.set_faults(callback_duplicate_rate=0.3, callback_reorder_rate=0.3, callback_drop_rate=0.2,
                           callback_retry_seconds=1.0)
        processes.start_beat()
        processes.start_worker()
        from integrations.delivery.models import DeliveryEvent

        locker = _lock_while_they_arrive(DeliveryEvent, hold_seconds=8)
        bulk.bulk_job_start(rule=setup["rule"])
        settled = settle(messages, timeout=messages / 5 + 120)
        final = sorted(statuses.FINAL)

        def all_final():
            return not LogEntry.objects.filter(status=Status.SENT).exclude(delivery_status__in=final).exists()

        known = wait_for(all_final, scaled(messages / 5 + 180), 1.0)
        locker.join(timeout=1)
        dropped, retried = _callback_tries(sandbox)
        return outcome(messages, sandbox, settled=settled and known,
                       statuses_lost=LogEntry.objects.filter(status=Status.SENT).exclude(delivery_status__in=final)
                       .count(),
                       regressions=_regressions(),
                       by_poll=LogEntry.objects.filter(delivery_events__source="poll",
                                                       delivery_events__applied=True).distinct().count(),
                       callbacks_dropped=dropped, callbacks_retried=retried)
    finally:
        processes.stop()
        sandbox.close()


def replies(count):
    """Citizens' replies at their worst: N replies, their callbacks 30% duplicated, 30% reordered, 20% lost, the
    store locked against writes for a while as they arrive; beat also reads Notify's list. Every reply must be
    kept exactly once."""
    from inbox.models import ReceivedText
    from tests.workers import free_port

    sandbox, _ = _fresh()
    processes = Processes()
    port = free_port()
    try:
        processes.start_web(port)
        _register(sandbox, port, "received_text")
        sandbox.set_faults(callback_duplicate_rate=0.3, callback_reorder_rate=0.3, callback_drop_rate=0.2,
                           callback_retry_seconds=1.0)
        processes.start_beat()
        processes.start_worker()
        locker = _lock_while_they_arrive(ReceivedText, hold_seconds=8)
        ids = [sandbox.control("POST", "received-text-messages", {
            "service_name": "Sandbox service", "user_number": f"07700 900{n % 1000:03d}", "content": f"Reply {n}"})["id"]
            for n in range(count)]
        kept = wait_for(lambda: ReceivedText.objects.count() >= count, scaled(count / 5 + 120), 1.0)
        locker.join(timeout=1)
        stored = set(map(str, ReceivedText.objects.values_list("notify_id", flat=True)))
        dropped, retried = _callback_tries(sandbox)
        return {"triggered": count, "sent": len(stored & set(ids)), "failed": 0,
                "lost": len(set(ids) - stored), "duplicates": ReceivedText.objects.count() - len(stored),
                "in_notify_not_recorded_sent": 0, "settled": kept,
                "by_poll": ReceivedText.objects.filter(source="poll").count(),
                "callbacks_dropped": dropped, "callbacks_retried": retried}
    finally:
        processes.stop()
        sandbox.close()
