"""Readiness: each part the service needs, checked the way it is used, as {"name": {"ok", "detail", ...}}."""

import datetime
import time

from django.conf import settings
from django.db import connection
from django.db.models import Min
from django.utils import timezone

from .heartbeats import SWEEPER, WORKER, last


def _timed(check):
    started = time.perf_counter()
    try:
        result = check()
    except Exception as error:  # a readiness check reports, never raises; only the error's kind (its text can
        result = {"ok": False, "detail": f"failed ({type(error).__name__})"}  # name hosts and users)
    result["ms"] = round((time.perf_counter() - started) * 1000, 1)
    return result


def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return {"ok": True, "detail": connection.vendor}


def redis():
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return {"ok": True, "detail": "not used (no REDIS_URL: the broker needs no server)"}
    import redis as redis_client

    redis_client.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping()
    return {"ok": True, "detail": "answers"}


def _recent(name, limit_setting, default, words):
    limit = getattr(settings, limit_setting, default)
    at = last(name)
    if at is None:
        return {"ok": False, "detail": f"no {words} yet", "limit_seconds": limit}
    age = (timezone.now() - at).total_seconds()
    return {"ok": age <= limit, "detail": f"{words} {age:.0f} s ago", "age_seconds": round(age), "limit_seconds": limit}


def worker():
    return _recent(WORKER, "READY_WORKER_MAX_AGE_SECONDS", 120, "a worker consumed the heartbeat task")


def sweeper():
    return _recent(SWEEPER, "READY_SWEEPER_MAX_AGE_SECONDS", 120, "beat's outbox sweeper ran")


def oldest_queued_age_seconds():
    """How long the most overdue message has waited past its due time (0 when none waits)."""
    from integrations.log import SENDABLE, LogEntry

    now = timezone.now()
    due = LogEntry.objects.filter(status__in=SENDABLE, next_attempt_at__lte=now).aggregate(at=Min("next_attempt_at"))
    return max(0.0, (now - due["at"]).total_seconds()) if due["at"] else 0.0


def queue():
    limit = getattr(settings, "READY_QUEUE_MAX_AGE_SECONDS", 600)
    age = oldest_queued_age_seconds()
    return {"ok": age <= limit, "detail": f"the most overdue message has waited {age:.0f} s",
            "age_seconds": round(age), "limit_seconds": limit}


CHECKS = {"database": database, "redis": redis, "worker": worker, "sweeper": sweeper, "queue": queue}


def readiness():
    """(ok, {name: result})."""
    results = {name: _timed(check) for name, check in CHECKS.items()}
    return all(r["ok"] for r in results.values()), results


def since(seconds):
    return timezone.now() - datetime.timedelta(seconds=seconds)
