"""Notify's API rate limit: a token bucket per service and key type, shared by all channels.

Bucket size min(ceil(rate/3)+1, 1000), refilled at rate/window tokens a second. Every send request
takes a token before any validation (a templated letter takes two), and a refused request still takes
its token, so a client that keeps sending after a 429 stays locked out.
"""

import math
import threading
import time


class Buckets:
    def __init__(self):
        self._state = {}
        self._lock = threading.Lock()

    @staticmethod
    def size(rate):
        return min(math.ceil(rate / 3) + 1, 1000)

    def take(self, key, rate, window, cost=1):
        """Take `cost` tokens; True if the request is allowed. rate 0 means no limit."""
        if not rate:
            return True
        size = self.size(rate)
        per_second = rate / window
        with self._lock:
            tokens, stamp = self._state.get(key, (float(size), time.monotonic()))
            now = time.monotonic()
            tokens = min(size, tokens + (now - stamp) * per_second)
            allowed = tokens >= cost
            # Taken whether or not the request is allowed; never below one bucket's worth of debt.
            tokens = max(tokens - cost, -size)
            self._state[key] = (tokens, now)
        return allowed

    def reset(self):
        with self._lock:
            self._state.clear()
