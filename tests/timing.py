"""Waiting in tests: every time limit is multiplied by TEST_TIMEOUT_FACTOR (default 1).

No test relies on how fast the machine is: a test waits for something it observes, and the limit only says
when to give up. A slow or busy machine raises the factor (README, "Running the tests").
"""

import os
import time

FACTOR = float(os.environ.get("TEST_TIMEOUT_FACTOR", "1") or 1)


def scaled(seconds):
    """A time limit, scaled by TEST_TIMEOUT_FACTOR."""
    return seconds * FACTOR


def wait_until(predicate, timeout, interval=0.2):
    """Poll `predicate` until it is true (returns True) or `timeout` (scaled) has passed (returns False)."""
    deadline = time.monotonic() + scaled(timeout)
    while True:
        if predicate():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval)
