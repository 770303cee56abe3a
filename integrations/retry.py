"""When to try again: exponential backoff with jitter for transient failures, midnight UTC for the daily limit."""

import datetime
import random

from django.conf import settings

MAX_RETRIES = 10  # transient failures: 1 attempt + 10 retries
MAX_RATE_LIMITED = 30  # 429 rate-limit answers tolerated for one message before it fails


def backoff_seconds(retry_number, *, rng=random):
    """The wait before retry n (1-based): base * 2^(n-1), capped, times a random 0.5–1.0 (jitter).

    Defaults give 10 s, 20 s, 40 s ... capped at 15 minutes: about an hour over ten retries, always far
    below the broker's visibility timeout (2 hours).
    """
    base = getattr(settings, "NOTIFY_RETRY_BASE_SECONDS", 10)
    cap = getattr(settings, "NOTIFY_RETRY_MAX_SECONDS", 900)
    return min(cap, base * 2 ** (retry_number - 1)) * rng.uniform(0.5, 1.0)


def after_midnight_utc(now, *, rng=random):
    """Shortly after the next midnight UTC, when Notify's daily limits reset (spread over 5 minutes)."""
    tomorrow = (now.astimezone(datetime.UTC) + datetime.timedelta(days=1)).date()
    midnight = datetime.datetime.combine(tomorrow, datetime.time(0, 0), tzinfo=datetime.UTC)
    return midnight + datetime.timedelta(seconds=rng.uniform(30, 300))
