"""Citizens' replies at volume: N received texts read from Notify's list (the sandbox's), and N more POSTed as
Notify's received-text callbacks to the product's endpoint on gunicorn, every one kept once and matched to its
case. Reported: texts a second each way, the p95 of one callback beside the same server refusing a wrong token,
and polling's rate beside the callbacks' (all measured in the same run)."""

import datetime
import time
import uuid

from .callbacks import _answers, _burst, _serve
from .setup import clean, p95, wait_until

PEOPLE = 1_000  # Ofcom's drama numbers 07700 900000 to 900999: one applicant each, on one open case


def _applicants():
    from cases.models import Person
    from tests import factories

    case_type = factories.planning_case_type()
    people = Person.objects.bulk_create(Person(first_name="Alex", last_name=f"Taylor{n}", phone=f"+447700900{n:03d}",
                                               email_failed_reason="", phone_failed_reason="")
                                        for n in range(PEOPLE))
    for person in people:
        factories.make_case(case_type, people=[(person, "Applicant")])


def _poll(integration, sandbox, count):
    from integrations.delivery.received import poll_received_texts
    from notify_sandbox.store import Store

    store = Store(sandbox.data)
    service_id = store.ensure_service()["id"]
    for n in range(count):
        store.add_received_text(service_id, f"447700900{n % PEOPLE:03d}", f"Reply {n}")
    started = time.perf_counter()
    calls, new, _ = poll_received_texts(integration)
    return time.perf_counter() - started, calls, new


def _callback_bodies(count):
    now = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return [{"id": str(uuid.uuid4()), "source_number": f"447700900{n % PEOPLE:03d}", "destination_number": "07700900000",
             "message": f"Callback reply {n}", "date_received": now} for n in range(count)]


def received(count, concurrency=8):
    from inbox.models import ReceivedText
    from integrations.delivery.tokens import make_callback_tokens
    from integrations.models import Integration
    from integrations.services import integration_save
    from notify_sandbox.testing import SandboxServer
    from tests.workers import free_port

    clean()
    _applicants()
    with SandboxServer(rate_limit="off") as sandbox:
        integration = integration_save(integration=Integration(name="Bench texts", enabled=True,
                                                               base_url=sandbox.base_url),
                                       new_key=sandbox.create_key("test"))
        poll_seconds, calls, polled = _poll(integration, sandbox, count)
    token = make_callback_tokens(integration)["received_text_token"]
    port = free_port()
    url = f"http://127.0.0.1:{port}/notify/callbacks/{integration.callback_id}/received-text/"
    server = _serve(port)
    bodies = _callback_bodies(count)
    try:
        assert wait_until(lambda: _answers(url), 60), "gunicorn did not start"
        refused_s, refused_times, _ = _burst(url, bodies[: min(count, 2000)], "Bearer wrong-token-0000000000",
                                             concurrency)
        seconds, times, answered = _burst(url, bodies, f"Bearer {token}", concurrency)
        _burst(url, bodies[:100], f"Bearer {token}", concurrency)  # Notify's retries: kept once
    finally:
        server.terminate()
        server.wait(30)
    stored = ReceivedText.objects.count()
    matched = ReceivedText.objects.filter(case__isnull=False).count()
    poll_rate, callback_rate = polled / poll_seconds, count / seconds
    return {
        "texts_each_way": count, "all_kept_once": stored == 2 * count and polled == count and answered == {200: count},
        "all_matched": matched == stored, "poll_calls": calls, "poll_per_second": round(poll_rate),
        "callbacks_per_second": round(callback_rate), "callback_p95_ms": round(p95(times), 1),
        "refused_p95_ms": round(p95(refused_times), 1),
        "p95_ratio_to_refused": round(p95(times) / p95(refused_times), 2),
        "poll_ratio_to_callbacks": round(poll_rate / callback_rate, 2),
    }
