"""The shared rate limiter, on the real Redis the tests use."""

import os
import threading
import time
import uuid

import pytest

from integrations.ratelimit import LocalRateLimiter, Rate, RedisRateLimiter, wait_for_slot


@pytest.fixture
def limiter():
    return RedisRateLimiter.from_url(os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/15"))


@pytest.fixture
def key():
    return f"test-{uuid.uuid4()}"


def test_notify_bucket_sizes_follow_notify():
    assert Rate(3000, 60).notify_bucket == 1000  # min(ceil(3000/3) + 1, 1000)
    assert Rate(600, 12).notify_bucket == 201
    assert Rate(30, 6).notify_bucket == 11
    assert Rate(600, 12).interval == pytest.approx(0.02)


@pytest.mark.parametrize("make", [lambda: None, LocalRateLimiter], ids=["redis", "local"])
def test_sends_are_spaced_evenly(limiter, key, make):
    chosen = make() or limiter
    rate = Rate(limit=10, window=1, burst=1)
    started = time.monotonic()
    assert chosen.acquire(key, rate) == 0.0
    wait = chosen.acquire(key, rate)
    # The next slot is 0.1 s after the first, less whatever time passed between the two calls.
    assert 0.1 - (time.monotonic() - started) - 0.005 <= wait <= 0.1
    time.sleep(wait)
    assert chosen.acquire(key, rate) == 0.0


def test_a_burst_is_allowed_up_to_its_size(limiter, key):
    rate = Rate(limit=10, window=1, burst=3)
    assert [limiter.acquire(key, rate) == 0.0 for _ in range(4)] == [True, True, True, False]


def test_the_limit_is_shared_between_threads_and_never_exceeded(limiter, key):
    rate = Rate(limit=50, window=1, burst=5)
    taken = []

    def worker():
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            if wait_for_slot(limiter, key, rate, max_wait=1.0) == 0.0 and time.monotonic() < deadline:
                taken.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # One second at 50 a second, plus the burst: never more, whatever the number of workers (and however
    # slowly they run: the lower bound only shows the limiter let them through at all).
    assert 0 < len(taken) <= 50 + 5


def test_a_pause_holds_every_caller_until_it_ends(limiter, key):
    rate = Rate(limit=100, window=1)
    started = time.monotonic()
    limiter.pause(key, 0.5)
    wait = limiter.acquire(key, rate)
    assert 0.5 - (time.monotonic() - started) - 0.005 <= wait <= 0.5
    assert limiter.state(key) > 0
    assert wait_for_slot(limiter, key, rate, max_wait=0.1) > 0.1  # too long: handed back to the caller
    time.sleep(0.5)
    assert limiter.acquire(key, rate) == 0.0


def test_a_pause_never_shortens_a_longer_one(limiter, key):
    limiter.pause(key, 1.0)
    limiter.pause(key, 0.1)
    assert limiter.acquire(key, Rate(100, 1)) > 0.8


def test_a_cases_own_message_finds_a_slot_at_once_while_a_bulk_apply_holds_the_limit(limiter, key):
    """A caseworker's message is not queued behind a bulk apply's at the limiter, and the two together stay within
    the limit: the case's message takes from the same key, so bulk waits a slot longer for each one."""
    from integrations.models import Integration
    from integrations.sending import rate_for

    integration = Integration(rate_limit=3000, rate_window=3600)  # a slot every 1.2 s: no refill while we look
    bulk, case = rate_for(integration, bulk=True), rate_for(integration)
    assert case.burst > bulk.burst
    started = time.monotonic()
    taken = 0
    while limiter.acquire(key, bulk) == 0.0:  # the bulk apply takes every slot it may
        taken += 1
    assert taken == bulk.burst
    before = limiter.acquire(key, bulk)  # bulk must wait (a refusal takes nothing)
    asked = time.monotonic()
    assert limiter.acquire(key, case) == 0.0  # ... and the case's message still goes now
    after = limiter.acquire(key, bulk)
    # Bulk now waits one slot more for it (less the time between the two questions).
    assert after >= before + bulk.interval - (time.monotonic() - asked) - 0.002
    # Within the time taken, no more were let through than the limit's rate plus the case's burst.
    elapsed = time.monotonic() - started
    assert taken + 1 <= case.burst + elapsed / case.interval


@pytest.mark.parametrize("make", [lambda: None, LocalRateLimiter], ids=["redis", "local"])
def test_a_batch_takes_the_slots_free_now_in_one_call_and_never_more_than_the_burst(limiter, key, make):
    chosen = make() or limiter
    rate = Rate(limit=3000, window=3600, burst=5)  # a slot every 1.2 s: none frees while we look
    assert chosen.take(key, rate, 3) == (3, 0.0)
    assert chosen.take(key, rate, 8) == (2, 0.0)  # what is left of the burst, not what was asked for
    taken, wait = chosen.take(key, rate, 1)
    assert taken == 0
    assert 0 < wait <= 1.2
