"""Prometheus metrics (prometheus-client), read from where the truth is at scrape time:

- the database, for what every process shares: messages by channel and status, attempts by outcome and error type
  (retries and their reasons, 429s), the queue's depth and its most overdue message, delivery reports and received
  texts by how they came (callback or Notify's list), bulk applies' progress;
- Redis, for counters the workers keep (rate-limiter waits);
- this process, for web request latency (a histogram per process; with several gunicorn workers set
  PROMETHEUS_MULTIPROC_DIR to add them up, as prometheus-client documents).
"""

import os
import time

from django.conf import settings
from django.db.models import Count
from prometheus_client import CollectorRegistry, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

REQUEST_SECONDS = Histogram("http_request_duration_seconds", "Web request latency", ["method", "view", "status"],
                            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10))
RATE_LIMIT_WAITS_KEY = "metrics:rate_limiter_waits"
METHODS = {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"}


_redis = {}


def redis_for(url):
    """One client (and its connection pool) per process and URL: a wait on the send path opens no new connection."""
    if url not in _redis:
        import redis

        _redis[url] = redis.Redis.from_url(url, socket_timeout=1)
    return _redis[url]


def note_rate_limit_wait():
    """A send that had to wait for the shared rate limiter (counted in Redis, across workers)."""
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return
    try:
        redis_for(url).incr(RATE_LIMIT_WAITS_KEY)
    except Exception:  # a metric never stops a send
        return


def _gauge(name, words, labels, rows):
    family = GaugeMetricFamily(name, words, labels=labels)
    for *values, count in rows:
        family.add_metric([str(v or "") for v in values], count)
    return family


class ProductCollector:
    """The product's own metrics, computed at each scrape."""

    def collect(self):
        from inbox.models import ReceivedText
        from integrations.delivery.models import DeliveryEvent
        from integrations.log import Attempt, LogEntry
        from rules.models import BulkJob

        from .checks import oldest_queued_age_seconds

        yield _gauge("notify_messages", "Messages in the log by channel and status", ["channel", "status"],
                     LogEntry.objects.order_by().values_list("channel", "status").annotate(n=Count("id")))
        yield _gauge("notify_attempts", "Calls to Notify by outcome and error type (retries, 429s, failures)",
                     ["outcome", "error_type"],
                     Attempt.objects.order_by().values_list("outcome", "error_type").annotate(n=Count("id")))
        queued = LogEntry.objects.filter(status__in=["queued", "retrying"]).count()
        yield _gauge("notify_queue_depth", "Messages queued or waiting to retry", [], [(queued,)])
        yield _gauge("notify_oldest_due_message_seconds", "How long the most overdue message has waited", [],
                     [(oldest_queued_age_seconds(),)])
        yield _gauge("notify_delivery_reports", "Delivery status reports received, by how they came", ["source"],
                     DeliveryEvent.objects.order_by().values_list("source").annotate(n=Count("id")))
        yield _gauge("notify_received_texts", "Citizens' replies kept, by how they came", ["source"],
                     ReceivedText.objects.order_by().values_list("source").annotate(n=Count("id")))
        jobs = BulkJob.objects.filter(status__in=["queued", "running"]).values_list("pk", "done", "total")
        family = GaugeMetricFamily("notify_bulk_job_progress", "Bulk applies in progress: cases done of total",
                                   labels=["job", "of"])
        for pk, done, total in jobs:
            family.add_metric([str(pk), "done"], done)
            family.add_metric([str(pk), "total"], total)
        yield family
        yield _gauge("notify_rate_limiter_waits", "Sends that waited for the shared rate limiter", [],
                     [(_redis_counter(RATE_LIMIT_WAITS_KEY),)])


def _redis_counter(key):
    url = getattr(settings, "REDIS_URL", "")
    if not url:
        return 0
    try:
        return int(redis_for(url).get(key) or 0)
    except Exception:
        return 0


def exposition():
    """The text a scrape gets: the product's metrics and this process's (or all processes') request latency."""
    registry = CollectorRegistry()
    registry.register(ProductCollector())
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.MultiProcessCollector(registry)
    else:
        registry.register(_ThisProcess())
    return generate_latest(registry)


class _ThisProcess:
    def collect(self):
        yield from REQUEST_SECONDS.collect()


class RequestLatencyMiddleware:
    """Times every web request into http_request_duration_seconds, labelled by its URL name (never its path, which
    would hold ids)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        view = match.view_name if match and match.view_name else "unmatched"
        method = request.method if request.method in METHODS else "other"  # a client cannot grow the label set
        REQUEST_SECONDS.labels(method, view, str(response.status_code)).observe(time.perf_counter() - started)
        return response
