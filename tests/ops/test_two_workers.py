"""Scaling out: more workers on more machines share one REDIS_URL and DATABASE_URL. Two worker processes with
different host names send for one integration at its rate limit: together they stay within Notify's limit (the
sandbox enforces Notify's own bucket and would answer 429), and nothing is sent twice."""

import pytest

from integrations import outbox
from integrations.log import Attempt, LogEntry, Outcome, Status
from integrations.models import Integration
from integrations.services import integration_save
from mappings.resolve import Message
from notify_sandbox.testing import SandboxServer
from tests.timing import wait_until
from tests.workers import CeleryProcess, purge_queue, worker_environment

MESSAGES = 90


@pytest.mark.django_db(transaction=True)
def test_two_workers_on_two_hosts_share_one_rate_limit():
    with SandboxServer(rate_limit="120/30") as sandbox:  # 4 a second, Notify's bucket of 41
        integration = integration_save(integration=Integration(name="Shared", enabled=True, base_url=sandbox.base_url,
                                                               rate_limit=120), new_key=sandbox.create_key("test"))
        Integration.objects.filter(pk=integration.pk).update(rate_window=30)
        integration.refresh_from_db()
        template = sandbox.create_template("email", name="Shared", subject="Hi", body="Hi ((name))")
        purge_queue()
        workers = [CeleryProcess("worker", "--loglevel=INFO", "--concurrency=2", "-n", f"sender@{host}",
                                 "--without-gossip", "--without-mingle", "--without-heartbeat",
                                 env=worker_environment(), log_name=f"scale-{host}") for host in ("host-a", "host-b")]
        try:
            for worker in workers:
                worker.wait_ready()
            entries = outbox.put_many([outbox.entry_for(integration=integration, message=Message(
                channel="email", template_id=template, template_version=1, recipient=f"p{n}@example.com",
                personalisation={"name": f"n{n}"}, reference=outbox.new_reference())) for n in range(MESSAGES)])
            for entry in entries:  # a task each, so both hosts take some
                outbox.enqueue(entry.pk)
            assert wait_until(lambda: LogEntry.objects.filter(status=Status.SENT).count() == MESSAGES, 180)
        finally:
            for worker in workers:
                worker.stop()
        logs = [worker.log_path.read_text() for worker in workers]
        counts = sandbox.counts()
    assert all(log.count("Task integrations.send_log_entry[") >= 5 for log in logs), logs  # both hosts sent
    assert Attempt.objects.filter(outcome=Outcome.RATE_LIMITED).count() == 0  # 0 × 429
    assert [n for n in counts["by_reference"].values() if n > 1] == []  # nothing sent twice
    assert len(counts["by_reference"]) == MESSAGES
