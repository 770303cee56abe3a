"""The fault scenarios (`make faults`) at their small size: in each, 0 messages lost and 0 duplicates.

They run once, in a subprocess of their own (its own Redis server, which it stops and starts, its own
database notify_faults_ci), and each test reads its scenario's figures.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.timing import scaled

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["worker_killed", "redis_down", "notify_flaky", "notify_down", "bulk_restart", "callbacks", "replies",
             "retention"]


@pytest.fixture(scope="module")
def figures():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/notify_faults_ci"}
    result = subprocess.run([sys.executable, "-m", "bench.faults", "--small"], cwd=ROOT, env=env, capture_output=True,
                            text=True, timeout=scaled(900))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    assert "| scenario | triggered | sent | failed | lost | duplicates |" in result.stdout
    return json.loads((ROOT / "var" / "bench" / "faults-small.json").read_text())["results"]


@pytest.mark.timeout(900)
@pytest.mark.parametrize("scenario", SCENARIOS)
def test_no_message_is_lost_or_sent_twice(figures, scenario):
    result = figures[scenario]
    assert result["settled"] is True, result
    assert result["triggered"] > 0
    assert (result["lost"], result["duplicates"]) == (0, 0), result
    assert result["sent"] + result["failed"] == result["triggered"]
    assert result["in_notify_not_recorded_sent"] == 0


@pytest.mark.timeout(900)
def test_each_fault_really_happened_during_the_run(figures):
    killed = figures["worker_killed"]  # each kill while a send waited at a gate part-way through
    assert len(killed["killed_when_sent"]) == 2
    assert all(0 < sent < killed["triggered"] for sent in killed["killed_when_sent"])
    assert figures["redis_down"]["triggered_while_down"] > 0
    assert figures["redis_down"]["sent_before_outage"] is True
    assert figures["notify_flaky"]["retried"] > 0
    down = figures["notify_down"]
    assert down["failed_after_retries"] == down["triggered"]  # every message used its whole retry budget
    assert down["attempts_per_message"] == [11]
    assert down["sent"] == down["triggered"]  # ... and went out once resent
    bulk = figures["bulk_restart"]
    assert (bulk["job_status"], bulk["job_done"]) == ("done", bulk["job_total"])
    assert bulk["resumed"] >= 1
    assert 0 < bulk["web_killed_at"] < bulk["worker_killed_at"] < bulk["job_total"]
    for name in ("callbacks", "replies"):  # lost callbacks, and callbacks refused while the store was locked
        assert figures[name]["callbacks_dropped"] > 0
        assert figures[name]["callbacks_retried"] > 0


@pytest.mark.timeout(900)
def test_every_delivery_status_arrives_and_none_goes_backwards(figures):
    calls = figures["callbacks"]
    assert (calls["statuses_lost"], calls["regressions"]) == (0, 0), calls
    assert calls["by_poll"] > 0  # the lost callbacks' statuses came from reading Notify's list
