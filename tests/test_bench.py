"""The benchmarks run at their small size (their figures are printed, never asserted: see `make bench`)."""

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.timing import scaled

ROOT = Path(__file__).resolve().parent.parent


def test_the_small_benchmarks_run_and_write_their_figures():
    env = {**os.environ, "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/notify_bench_ci",
           "REDIS_URL": "redis://127.0.0.1:6379/13"}
    result = subprocess.run([sys.executable, "-m", "bench.run", "--small", "--only",
                             "rate,overhead,bulk,log,latency,integrations,search,callbacks,received,documents,retention"],
                            cwd=ROOT, env=env, capture_output=True, text=True, timeout=scaled(600))
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((ROOT / "var" / "bench" / "results-small.json").read_text())
    results = record["results"]
    assert set(results) == {"rate", "overhead", "bulk", "log", "latency", "integrations", "search", "callbacks",
                            "received", "documents", "retention"}
    assert results["retention"]["all_purged"] is True
    assert results["retention"]["send_samples_during"] > 0
    assert results["documents"]["all_sent"] is True
    assert results["documents"]["sent_as_links"] == results["documents"]["cases"]
    assert results["received"]["all_kept_once"] is True
    assert results["received"]["all_matched"] is True
    assert results["callbacks"]["all_applied"] is True
    assert results["callbacks"]["refused_all_401"] is True
    assert results["search"]["cases"] == 20_000
    assert results["search"]["ratio"] > 0
    assert results["rate"]["all_sent"] is True
    assert results["rate"]["duplicates"] == 0
    assert results["overhead"]["all_sent"] is True
    assert results["bulk"]["status"] == "done"
    assert results["log"]["export_rows"] == results["log"]["entries"]
    assert results["latency"]["samples"] == 20
    assert results["latency"]["bulk_was_sending"] is True
    assert results["integrations"]["all_sent"] is True
    assert results["integrations"]["duplicates"] == 0
    assert results["integrations"]["rate_limited_429"] == 0
    assert "| P7 | integrations: ratio |" in result.stdout
    assert "| benchmark | figures | target |" in result.stdout
