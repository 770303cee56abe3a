"""A send-rate limiter shared by every worker through Redis, shaped to stay inside Notify's own limit.

Notify limits each service and key type with a token bucket of min(ceil(rate/3)+1, 1000) tokens that
refills at rate/60 a second, and a refused request still takes a token. So a client must keep its
bursts small and its pace even, and after a 429 it must stop sending for a while or stay locked out.

This limiter is GCRA (the generic cell rate algorithm, a token bucket kept as one timestamp) in a
Redis Lua script, so the check and the update are one atomic step for all workers:
- `acquire(key)` takes a slot now (returns 0.0) or says how many seconds until one is free;
- `pause(key, seconds)` holds the key after a 429 so nobody sends until Notify's bucket has refilled.
The `limits` library was considered; it offers fixed and moving windows with whole-second windows,
which allow bursts as large as the window's limit (see docs/decisions/0002-rate-limiter.md).
"""

import math
import threading
import time
from dataclasses import dataclass

import redis

from ops.metrics import note_rate_limit_wait

# KEYS[1] = the key; ARGV = interval ms, burst tolerance ms, slots wanted. Takes as many of the wanted slots as are
# free now (the k-th is free when now >= tat + (k - 1) * interval - tolerance). Returns {slots taken, wait ms}: the
# wait until the next slot when none was taken.
ACQUIRE_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local want = tonumber(ARGV[3])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local allow_at = tat - tolerance
if now < allow_at then
  return {0, math.ceil(allow_at - now)}
end
local taken = math.min(want, math.floor((now + tolerance - tat) / interval) + 1)
local new_tat = tat + taken * interval
redis.call('SET', KEYS[1], new_tat, 'PX', math.ceil(new_tat - now + 1000))
return {taken, 0}
"""

# Hold the key until now + ARGV[1] ms (never shortening a longer hold).
PAUSE_SCRIPT = """
local t = redis.call('TIME')
local now = t[1] * 1000 + math.floor(t[2] / 1000)
local until_ = now + tonumber(ARGV[1])
local tat = tonumber(redis.call('GET', KEYS[1]) or 0)
if tat < until_ then
  redis.call('SET', KEYS[1], until_, 'PX', math.ceil(tonumber(ARGV[1]) + 1000))
end
return until_
"""


@dataclass(frozen=True)
class Rate:
    """`limit` sends per `window` seconds, sent evenly with at most `burst` at once."""

    limit: int
    window: float
    burst: int = 1

    @property
    def interval(self):
        return self.window / self.limit

    @property
    def notify_bucket(self):
        """The size of Notify's own bucket for this rate."""
        return min(math.ceil(self.limit / 3) + 1, 1000)

    @property
    def refill_seconds(self):
        """How long Notify's bucket takes to refill from empty: the pause after a 429."""
        return self.notify_bucket * self.interval


class RedisRateLimiter:
    """GCRA over Redis; one instance per process, keys per integration (service and key type)."""

    prefix = "notify-rate:"

    def __init__(self, client):
        self.client = client
        self._acquire = client.register_script(ACQUIRE_SCRIPT)
        self._pause = client.register_script(PAUSE_SCRIPT)

    @classmethod
    def from_url(cls, url):
        return cls(redis.Redis.from_url(url, socket_timeout=5, socket_connect_timeout=5))

    def acquire(self, key, rate):
        """Take a slot: 0.0 if taken, else the seconds to wait before asking again."""
        return _one(self.take(key, rate, 1))

    def take(self, key, rate, want):
        """Take up to `want` slots free now: (slots taken, 0.0), or (0, seconds until the next is free)."""
        tolerance = (max(rate.burst, 1) - 1) * rate.interval
        taken, wait_ms = self._acquire(keys=[self.prefix + key], args=[rate.interval * 1000, tolerance * 1000, want])
        return int(taken), float(wait_ms) / 1000

    def pause(self, key, seconds):
        self._pause(keys=[self.prefix + key], args=[int(seconds * 1000)])

    def state(self, key):
        """Seconds until the key's next free slot (0 when free), for the operator view."""
        raw = self.client.get(self.prefix + key)
        if raw is None:
            return 0.0
        now_ms = time.time() * 1000
        return max(0.0, (float(raw) - now_ms) / 1000)


class LocalRateLimiter:
    """The same algorithm in memory, for `make run` without Redis (one worker process)."""

    def __init__(self):
        self._tat = {}
        self._lock = threading.Lock()

    def acquire(self, key, rate):
        return _one(self.take(key, rate, 1))

    def take(self, key, rate, want):
        tolerance = (max(rate.burst, 1) - 1) * rate.interval
        with self._lock:
            now = time.monotonic()
            tat = max(self._tat.get(key, now), now)
            allow_at = tat - tolerance
            if now < allow_at:
                return 0, allow_at - now
            taken = min(want, math.floor((now + tolerance - tat) / rate.interval) + 1)
            self._tat[key] = tat + taken * rate.interval
            return taken, 0.0

    def pause(self, key, seconds):
        with self._lock:
            until = time.monotonic() + seconds
            self._tat[key] = max(self._tat.get(key, 0), until)

    def state(self, key):
        with self._lock:
            return max(0.0, self._tat.get(key, 0) - time.monotonic())


def _one(taken_and_wait):
    taken, wait = taken_and_wait
    return 0.0 if taken else wait


def wait_for_slot(limiter, key, rate, *, max_wait):
    """Block until a slot is taken, as long as each wait is short; return the wait that was too long.

    Returns 0.0 when a slot was taken. A longer wait (a pause after a 429) is returned to the caller,
    which reschedules instead of holding a worker.
    """
    return _one(wait_for_slots(limiter, key, rate, max_wait=max_wait, want=1))


def wait_for_slots(limiter, key, rate, *, max_wait, want):
    """As wait_for_slot, taking up to `want` slots at once: (slots taken, 0.0), or (0, the wait that was too long)."""
    while True:
        taken, wait = limiter.take(key, rate, want)
        if taken:
            return taken, 0.0
        note_rate_limit_wait()
        if wait > max_wait:
            return 0, wait
        time.sleep(wait)
