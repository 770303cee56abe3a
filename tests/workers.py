"""A real Celery worker (and beat, when asked) in a subprocess, on the test database and Redis.

Tests that use them need `transactional_db`, so what they write is committed and the worker sees it.
"""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import redis
from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def worker_environment(**extra):
    db = connection.settings_dict
    url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test", "DATABASE_URL": url,
           "REDIS_URL": settings.REDIS_URL}
    env.update({k: str(v) for k, v in extra.items()})
    return env


class CeleryProcess:
    """`celery -A config worker` (or beat) as a child process; stop() ends it (SIGTERM, then SIGKILL)."""

    def __init__(self, *args, env=None, log_name="worker"):
        self.log_path = ROOT / "var" / "test-logs" / f"{log_name}-{os.getpid()}.log"
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = self.log_path.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", *args],
            cwd=ROOT, env=env or worker_environment(), stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, so kill() takes the pool's children too
        )

    def wait_ready(self, text="ready.", timeout=30):
        from tests.timing import scaled

        deadline = time.monotonic() + scaled(timeout)
        while time.monotonic() < deadline:
            if text in self.log_path.read_text():
                return
            if self.process.poll() is not None:
                raise RuntimeError(f"celery exited early:\n{self.log_path.read_text()[-3000:]}")
            time.sleep(0.2)
        raise RuntimeError(f"celery not ready after {timeout}s:\n{self.log_path.read_text()[-3000:]}")

    def kill(self):
        """SIGKILL the worker and its pool, as a crash would."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(5)
        self.log.close()


def start_worker(concurrency=2, *, queues=None, name="worker", purge=True, **env):
    """A worker consuming every queue, or only `queues` (comma-separated) under its own node `name`."""
    if purge:
        purge_queue()
    only = [f"--queues={queues}", f"--hostname={name}@%h"] if queues else []
    worker = CeleryProcess("worker", "--loglevel=INFO", f"--concurrency={concurrency}", "--without-gossip",
                           "--without-mingle", "--without-heartbeat", *only, env=worker_environment(**env),
                           log_name=name)
    worker.wait_ready()
    return worker


def queued_tasks(name, queue="celery"):
    """The argument lists (as Celery shows them) of the tasks called `name` waiting in a queue of the test broker."""
    import json

    raw = redis.Redis.from_url(settings.REDIS_URL).lrange(queue, 0, -1)
    return [m["headers"]["argsrepr"] for m in map(json.loads, raw) if m["headers"]["task"] == name]


def purge_queue():
    """Empty the test broker's queues, so tasks left by an earlier run never reach this run's worker (and the count
    of waiting sends with them: integrations.turns)."""
    from integrations import turns

    redis.Redis.from_url(settings.REDIS_URL).delete("celery", "bulk", "case-sends", "bulk-sends", "unacked",
                                                      "unacked_index", turns.WAITING)


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class PrivateRedis:
    """A Redis server of one's own on a free port (no persistence), to stop and start without touching others'."""

    def __init__(self, folder):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.dir = folder
        self.process = None

    def start(self):
        self.process = subprocess.Popen(["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                                         "--appendonly", "no", "--dir", str(self.dir)], stdout=subprocess.DEVNULL)
        client = redis.Redis.from_url(self.url)
        for _ in range(50):
            try:
                if client.ping():
                    return self
            except redis.ConnectionError:
                time.sleep(0.1)
        raise RuntimeError("private redis did not start")

    def stop(self):
        if self.process:
            self.process.terminate()
            self.process.wait(10)
            self.process = None
