"""`make faults`: the pipeline while things break. Each scenario prints the messages triggered, sent,
failed, lost (triggered but neither sent nor failed) and duplicates (Notify notifications per reference
beyond the first, plus log entries per case beyond the first: every scenario triggers one message a case).

    .venv/bin/python -m bench.faults [--small] [--only worker_killed,redis_down,notify_flaky,notify_down,bulk_restart]

Everything is real: PostgreSQL (database notify_faults unless DATABASE_URL says otherwise), a Redis server
of the run's own (so it can be stopped), Celery worker and beat processes, gunicorn for the web process
and the Notify sandbox. The recovery thresholds are scaled down (FAST) so a scenario takes seconds.
"""

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

SIZES = {
    "small": {"worker_killed": 300, "redis_down": 4, "notify_flaky": 100, "notify_down": 20, "bulk_restart": 3_000,
              "callbacks": 100, "replies": 100, "retention": 400},
    "full": {"worker_killed": 10_000, "redis_down": 60, "notify_flaky": 1_000, "notify_down": 200,
             "bulk_restart": 30_000, "callbacks": 2_000, "replies": 2_000, "retention": 20_000},
}
# Every one is a setting (README.md, Configuration); production keeps the defaults, which are minutes.
FAST = {"OUTBOX_LOST_TASK_SECONDS": "5", "OUTBOX_STUCK_SENDING_SECONDS": "8", "OUTBOX_SWEEP_SECONDS": "1",
        "BULK_JOB_STALLED_SECONDS": "8", "BULK_RESUME_CHECK_SECONDS": "1", "NOTIFY_TIMEOUT_SECONDS": "1",
        "NOTIFY_RETRY_BASE_SECONDS": "0.2", "NOTIFY_RETRY_MAX_SECONDS": "1", "WORKER_WATCHDOG_SECONDS": "2",
        "LOG_LEVEL": "WARNING", "DELIVERY_POLL_SECONDS": "5",
        "RECEIVED_TEXT_POLL_SECONDS": "5"}
UNSETTLED = ("queued", "retrying", "sending")
_scenario = ""


# What every scenario shares -------------------------------------------------------------------------
def scaled(seconds):
    """A time limit times TEST_TIMEOUT_FACTOR (default 1): limits only say when to give up waiting."""
    return seconds * float(os.environ.get("TEST_TIMEOUT_FACTOR", "1") or 1)


def wait_for(predicate, timeout, interval=0.5):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return False


def settle(expected, timeout):
    """Wait until `expected` entries exist and none is still on its way."""
    from integrations.log import LogEntry

    return wait_for(lambda: LogEntry.objects.count() >= expected
                    and not LogEntry.objects.filter(status__in=UNSETTLED).exists(), scaled(timeout))


class Gate:
    """A row lock held in an open transaction of the harness's own, so the pipeline stops when it reaches that row.

    A scenario places its fault where it sees the pipeline waiting at a gate, never after a guessed time:
    whatever the machine's speed, the fault lands at the same point. `release` rolls the transaction back.
    """

    def __init__(self, what, sql, params):
        import psycopg

        self.what = what
        self.connection = psycopg.connect(os.environ["DATABASE_URL"])
        self.connection.execute(sql, params)
        self.pid = self.connection.info.backend_pid

    def waiting(self):
        """How many database sessions wait for this gate."""
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE %s = ANY(pg_blocking_pids(pid))", [self.pid])
            return cursor.fetchone()[0]

    def wait_reached(self, timeout, also=lambda: True):
        """Wait until the pipeline waits at the gate (and `also` holds); fail saying so if it never does."""
        if not wait_for(lambda: self.waiting() > 0 and also(), scaled(timeout), 0.05):
            raise FaultNotPlaced(f"could not place the fault: nothing reached {self.what} in {scaled(timeout):.0f} s")

    def release(self):
        if not self.connection.closed:
            self.connection.rollback()
            self.connection.close()


class FaultNotPlaced(RuntimeError):
    """A scenario could not put its fault where it means to: the run says so rather than measure something else."""


def outcome(triggered, sandbox, **extra):
    """The figures every scenario prints."""
    from django.db.models import Count, Q

    from integrations.log import LogEntry, Status

    sent = LogEntry.objects.filter(status=Status.SENT).count()
    failed = LogEntry.objects.filter(status=Status.FAILED).count()
    by_reference = sandbox.counts()["by_reference"]
    per_case = LogEntry.objects.values("case").annotate(n=Count("id")).filter(n__gt=1).values_list("n", flat=True)
    recorded = set(LogEntry.objects.filter(status=Status.SENT).values_list("reference", flat=True))
    figures = {"triggered": triggered, "sent": sent, "failed": failed, "lost": max(0, triggered - sent - failed),
               "duplicates": sum(n - 1 for n in by_reference.values() if n > 1) + sum(n - 1 for n in per_case),
               "in_notify_not_recorded_sent": len(set(by_reference) - recorded), **extra}
    if figures["lost"]:  # where the lost ones are: never written, or the state they are stuck in
        stuck = (LogEntry.objects.filter(status__in=UNSETTLED).values("status")
                 .annotate(n=Count("id"), not_published=Count("id", filter=Q(enqueued_at__isnull=True))))
        figures["lost_where"] = {"entries": LogEntry.objects.count(),
                                 **{row["status"]: [row["n"], row["not_published"]] for row in stuck}}
    return figures


class Processes:
    """The worker, beat and web processes of a scenario, restartable, all stopped at the end."""

    def __init__(self):
        self.worker = self.beat = self.web = None
        self.folder = tempfile.TemporaryDirectory(prefix="faults-")

    def start_worker(self, concurrency=4):
        from tests.workers import CeleryProcess, worker_environment

        self.worker = CeleryProcess("worker", "--loglevel=INFO", f"--concurrency={concurrency}",
                                    "--without-gossip", "--without-mingle", "--without-heartbeat",
                                    env=worker_environment(), log_name=f"faults-{_scenario}-worker")
        self.worker.wait_ready(text="ready", timeout=60)

    def start_beat(self):
        from tests.workers import CeleryProcess, worker_environment

        self.beat = CeleryProcess("beat", "--loglevel=INFO", "-s", f"{self.folder.name}/beat-schedule",
                                  env=worker_environment(), log_name=f"faults-{_scenario}-beat")
        self.beat.wait_ready(text="Starting", timeout=30)

    def start_web(self, port):
        import subprocess

        from tests.workers import worker_environment

        log = open(Path(self.folder.name) / "web.log", "ab")  # noqa: SIM115 (closed in stop)
        self.web = subprocess.Popen([sys.executable, "-m", "gunicorn", "config.wsgi", "--bind", f"127.0.0.1:{port}",
                                     "--workers", "1", "--log-level", "warning"], cwd=ROOT, env=worker_environment(),
                                    stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.web.log = log
        ready = wait_for(lambda: _answers(f"http://127.0.0.1:{port}/api/"), scaled(30), 0.2)
        if not ready:
            raise RuntimeError("the web process did not start")

    def kill_web(self):
        import signal

        os.killpg(self.web.pid, signal.SIGKILL)
        self.web.wait(10)
        self.web.log.close()

    def stop(self):
        for process in (self.worker, self.beat):
            if process:
                process.stop()
        if self.web and self.web.poll() is None:
            self.kill_web()
        self.folder.cleanup()


def _admin():
    """The run's administrator (kept between runs: `clean` leaves users alone)."""
    from django.contrib.auth.models import User

    from accounts.roles import ADMINISTRATORS
    from tests.factories import user_with_role

    return User.objects.filter(username="faults-admin").first() or user_with_role(ADMINISTRATORS, "faults-admin")


def _answers(url):
    try:
        urllib.request.urlopen(url, timeout=2)
    except urllib.error.HTTPError:
        return True  # it answered (401 without a token)
    except OSError:
        return False
    return True


def _fresh(faults=None, cases=0):
    """An emptied database and broker, a sandbox, and the bench pipeline (integration, mapping, rule).

    The sandbox's faults start after the set-up (the integration is verified against Notify on save).
    """
    from notify_sandbox.testing import SandboxServer

    from .setup import clean, pipeline

    clean()
    sandbox = SandboxServer(rate_limit="off").start()
    try:
        setup = pipeline(sandbox, rate=1_000_000, window=60, cases=cases)
        if faults:
            sandbox.set_faults(**faults)
    except BaseException:
        sandbox.close()
        raise
    return sandbox, setup


# The scenarios --------------------------------------------------------------------------------------
def worker_killed(messages, kills=None):
    """A bulk apply queues `messages`; the worker is SIGKILLed several times while it sends, then restarted.

    Each kill is placed by a gate: a queued entry part-way through the run whose row the harness holds
    locked, so the worker sending it waits there. The worker is killed once a send is seen waiting at the
    gate (other sends in flight beside it), and the gate is released after the kill, so the dead worker's
    claim of that entry goes through and leaves it "sending": the sweeper's recovery, with its look-up in
    Notify, must still send it exactly once.
    """
    from integrations.log import Attempt, LogEntry, Outcome, Status
    from rules import bulk
    from rules.models import BulkJob

    kills = kills or (5 if messages > 1000 else 2)
    sandbox, setup = _fresh({"latency_ms": 5}, cases=messages)
    processes = Processes()
    killed_at, gates = [], []
    try:
        # The entries are written and their tasks published before any worker runs, so the gates are in place
        # before anything is sent.
        bulk.bulk_job_run(BulkJob.objects.create(rule=setup["rule"], total=messages).pk)
        ids = list(LogEntry.objects.order_by("pk").values_list("pk", flat=True))
        for n in range(1, kills + 1):  # spread over the run, mid-batch: at about n/(kills+1) of it
            entry_id = ids[min(len(ids) - 1, len(ids) * n // (kills + 1) + 7)]
            gates.append(Gate(f"log entry {entry_id}", "SELECT 1 FROM integrations_logentry WHERE id = %s FOR UPDATE",
                              [entry_id]))
        processes.start_beat()
        processes.start_worker()
        for gate in gates:
            gate.wait_reached(messages / 10 + 60, also=lambda: LogEntry.objects.filter(status=Status.SENT).exists())
            processes.worker.kill()
            killed_at.append(LogEntry.objects.filter(status=Status.SENT).count())
            gate.release()
            processes.start_worker()
        settled = settle(messages, timeout=messages / 20 + 120)
        lookups = Attempt.objects.filter(outcome__in=[Outcome.FOUND, Outcome.NOT_FOUND]).count()
        return outcome(messages, sandbox, killed_when_sent=killed_at, looked_up_after_kill=lookups, settled=settled)
    finally:
        for gate in gates:
            gate.release()
        processes.stop()
        sandbox.close()


def redis_down(outage_seconds, per_second=5):
    """Rules keep firing (case status changes) while the Redis server (broker and limiter) is stopped.

    Redis is stopped only once the first messages have been sent (the pipeline is seen flowing), rules fire
    for `outage_seconds` with it down (at least one fires while it is down, however slowly each does), and
    as many fire after it is back. The server keeps no data, so what was queued in it is lost with it.
    """
    from cases import services
    from integrations.log import LogEntry, Status
    from rules.models import Trigger

    before = after = min(10, outage_seconds) * per_second
    total = before + after + outage_seconds * per_second + 50
    sandbox, setup = _fresh(cases=total)
    rule = setup["rule"]
    rule.trigger, rule.trigger_config = Trigger.STATUS_CHANGED, {"to": "Under review"}
    rule.save()
    under_review = setup["case_type"].statuses.get(name="Under review")
    cases = iter(setup["case_type"].cases.order_by("pk"))
    processes = Processes()
    triggered = during = 0

    def fire():
        nonlocal triggered
        services.case_update(case=next(cases), status=under_review)
        triggered += 1
        time.sleep(1 / per_second)

    try:
        processes.start_beat()
        processes.start_worker()
        for _ in range(before):
            fire()
        if not wait_for(lambda: LogEntry.objects.filter(status=Status.SENT).exists(), scaled(60), 0.05):
            raise FaultNotPlaced("could not place the fault: nothing was sent before Redis was to be stopped")
        REDIS.stop()
        stopped = time.monotonic()
        while during == 0 or time.monotonic() - stopped < outage_seconds:
            fire()
            during += 1
        REDIS.start()
        for _ in range(after):
            fire()
        settled = settle(triggered, timeout=120)
        return outcome(triggered, sandbox, outage_seconds=outage_seconds, triggered_while_down=during,
                       sent_before_outage=True, settled=settled)
    finally:
        if REDIS.process is None:
            REDIS.start()
        processes.stop()
        sandbox.close()


def notify_flaky(messages):
    """Notify answers 30% of calls with a 500 and takes longer than the client waits on 10% (after accepting)."""
    from integrations.log import Attempt, Outcome
    from rules import bulk

    sandbox, setup = _fresh({"fail_rate": 0.3, "timeout_rate": 0.1, "timeout_seconds": 2}, cases=messages)
    processes = Processes()
    try:
        processes.start_beat()
        processes.start_worker()
        bulk.bulk_job_start(rule=setup["rule"])
        settled = settle(messages, timeout=messages / 5 + 120)
        return outcome(messages, sandbox, retried=Attempt.objects.filter(outcome=Outcome.RETRY).count(),
                       found_after_timeout=Attempt.objects.filter(outcome=Outcome.FOUND).count(), settled=settled)
    finally:
        processes.stop()
        sandbox.close()


def notify_down(messages):
    """Notify is unreachable for longer than the whole retry budget; the failed messages are then resent."""
    from integrations.log import Attempt, FailureKind, LogEntry, Status
    from integrations.log_services import log_entry_resend
    from rules import bulk
    sandbox, setup = _fresh(cases=messages)
    processes = Processes()
    try:
        processes.start_beat()
        processes.start_worker()
        sandbox.stop()
        bulk.bulk_job_start(rule=setup["rule"])
        first = settle(messages, timeout=120)
        exhausted = LogEntry.objects.filter(status=Status.FAILED, failure_kind=FailureKind.RETRIES_EXHAUSTED).count()
        attempts = sorted(set(LogEntry.objects.values_list("attempt_count", flat=True)))
        sandbox.start()  # same port and data
        administrator = _admin()
        for entry in LogEntry.objects.filter(status=Status.FAILED):
            log_entry_resend(entry=entry, actor=administrator)
        settled = settle(messages, timeout=messages / 5 + 60)
        return outcome(messages, sandbox, failed_after_retries=exhausted, attempts_per_message=attempts,
                       attempts=Attempt.objects.count(), settled=first and settled)
    finally:
        processes.stop()
        sandbox.close()


def bulk_restart(cases):
    """A bulk apply started over the API; the web process is SIGKILLed and restarted mid-job, then the
    worker running the job is SIGKILLed and restarted too. The job must finish, each case sent once.

    Two gates place the kills: the run-once rows of a case a third of the way in and of one two thirds in,
    inserted by the harness and left uncommitted, so the job's claim for that chunk waits on them. The web
    process is killed while the job waits at the first; the worker while it waits at the second, mid-chunk.
    """
    from knox.models import AuthToken

    from rules.bulk import CHUNK
    from rules.models import BulkJob, JobStatus
    from tests.workers import free_port

    if cases < 3 * CHUNK:
        raise FaultNotPlaced(f"bulk_restart needs at least {3 * CHUNK} cases, so that each kill falls in a chunk "
                             "of its own")
    sandbox, setup = _fresh(cases=cases)
    port = free_port()
    token = AuthToken.objects.create(user=_admin())[1]
    processes = Processes()
    rule = setup["rule"]
    ids = list(setup["case_type"].cases.order_by("pk").values_list("pk", flat=True))
    gates = [Gate(f"case {ids[at]} of the bulk apply",
                  "INSERT INTO rules_rulerun (rule_id, case_id, first_run_at, last_run_at, runs) "
                  "VALUES (%s, %s, now(), now(), 1)", [rule.pk, ids[at]]) for at in (cases // 3, 2 * cases // 3)]

    def api(method, path):
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", method=method, data=b"" if method == "POST"
                                         else None, headers={"Authorization": f"Token {token}"})
        with urllib.request.urlopen(request, timeout=scaled(10)) as response:
            return json.loads(response.read())

    def done():
        return BulkJob.objects.get(pk=job["id"]).done

    try:
        processes.start_beat()
        processes.start_worker()
        processes.start_web(port)
        job = api("POST", f"/api/rules/{rule.pk}/apply/")
        gates[0].wait_reached(cases / 50 + 60)
        processes.kill_web()
        web_killed_at = done()
        processes.start_web(port)
        gates[0].release()
        gates[1].wait_reached(cases / 50 + 60)
        processes.worker.kill()
        worker_killed_at = done()
        gates[1].release()
        processes.start_worker()
        finished = wait_for(lambda: api("GET", f"/api/rule-jobs/{job['id']}/")["status"] == JobStatus.DONE,
                            scaled(cases / 50 + 120))
        settled = settle(cases, timeout=cases / 20 + 120)
        final = api("GET", f"/api/rule-jobs/{job['id']}/")
        return outcome(cases, sandbox, job_status=final["status"], job_done=final["done"], job_total=final["total"],
                       resumed=final["resumed"], web_killed_at=web_killed_at, worker_killed_at=worker_killed_at,
                       settled=finished and settled)
    finally:
        for gate in gates:
            gate.release()
        processes.stop()
        sandbox.close()


def _callbacks(messages):
    from .faults_delivery import callbacks

    return callbacks(messages)


def _replies(count):
    from .faults_delivery import replies

    return replies(count)


def _retention(due):
    from .faults_retention import retention

    return retention(due)


SCENARIOS = {"worker_killed": worker_killed, "redis_down": redis_down, "notify_flaky": notify_flaky,
             "notify_down": notify_down, "bulk_restart": bulk_restart, "callbacks": _callbacks,
             "replies": _replies, "retention": _retention}
COLUMNS = ["triggered", "sent", "failed", "lost", "duplicates"]
REDIS = None


def table(results):
    lines = ["| scenario | " + " | ".join(COLUMNS) + " | also |", "| --- |" + " --- |" * (len(COLUMNS) + 1)]
    for name, figures in results.items():
        also = ", ".join(f"{k} {v}" for k, v in figures.items() if k not in COLUMNS and k != "seconds")
        lines.append(f"| {name} | " + " | ".join(str(figures[c]) for c in COLUMNS) + f" | {also} |")
    return "\n".join(lines)


def main():
    global REDIS, _scenario
    parser = argparse.ArgumentParser(description="Run the fault scenarios")
    parser.add_argument("--small", action="store_true", help="the CI sizes (seconds, not minutes)")
    parser.add_argument("--only", default=",".join(SCENARIOS))
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()]
    size = "small" if args.small else "full"

    from tests.workers import PrivateRedis

    redis_folder = tempfile.TemporaryDirectory(prefix="faults-redis-")
    REDIS = PrivateRedis(redis_folder.name).start()
    os.environ.update(FAST)
    os.environ["REDIS_URL"] = REDIS.url
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/notify_faults")
    from .setup import django_ready

    django_ready()
    results = {}
    try:
        for name in names:
            started = time.perf_counter()
            _scenario = name  # names the scenario's worker and beat logs in var/test-logs
            results[name] = SCENARIOS[name](SIZES[size][name])
            results[name]["seconds"] = round(time.perf_counter() - started, 1)
            print(f"{name:14} {json.dumps(results[name])}", flush=True)
    finally:
        REDIS.stop()
        redis_folder.cleanup()
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    record = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "size": size, "machine": platform.platform(),
              "results": results}
    (out / f"faults-{size}.json").write_text(json.dumps(record, indent=2))
    print()
    print(table(results))
    return record


if __name__ == "__main__":
    main()
