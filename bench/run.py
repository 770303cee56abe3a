"""`make bench`: the benchmarks side by side, printed as one table and written to var/bench/results.json.

    .venv/bin/python -m bench.run [--small] [--only rate,overhead,bulk,log,latency,sandbox,search,callbacks,received,
                                                    documents,retention]
"""

import argparse
import json
import platform
import time
from datetime import UTC, datetime

from .setup import ROOT, django_ready

SIZES = {
    "small": {"sandbox": 300, "rate": 120, "overhead": 200, "bulk": 2_000, "log": 20_000, "latency": 2_000,
              "search": 20_000, "callbacks": 1_000, "received": 1_000, "documents": 40, "retention": 20_000},
    "full": {"sandbox": 3_000, "rate": 1_200, "overhead": 1_000, "bulk": 100_000, "log": 1_000_000, "latency": 100_000,
             "search": 1_000_000, "callbacks": 10_000, "received": 10_000, "documents": 1_000,
             "retention": 1_000_000},
}
TARGETS = {"rate": "≥ 0.98 of the limit, 0 × 429", "overhead": "≥ 0.9",
           "bulk": "cases/s ≥ 0.5 × the COPY-only rate (ratio), peak RSS ≤ 300 MB",
           "log": "p95 at N entries ≤ 1.5 × its p95 on an empty log (api_ratio, page_ratio), flat memory", "latency": "p95 ≤ 300 ms", "sandbox": "well over 3,000 a minute",
           "search": "p95 at N cases ≤ 2 × its p95 at 1,000 (a ratio measured in the same run)",
           "callbacks": "every status applied; well above Notify's send rate (3,000 a minute)",
           "received": "every reply kept once and matched, by either path",
           "documents": "worker peak RSS with a 2 MB file ≤ 1.5 × without it (flat: never the file once per case)",
           "retention": "a send's p95 during the purge ≤ 1.5 × its p95 idle, and within the latency target (300 ms)"}


def run(names, size):
    from bench import (
        callbacks,
        documents,
        log,
        pipeline,
        received,
        retention,
        sandbox_throughput,
        search,
        sharing,
    )

    runners = {"sandbox": lambda n: sandbox_throughput.run(n, 4), "rate": pipeline.rate, "overhead": pipeline.overhead,
               "bulk": pipeline.bulk, "log": log.log, "latency": sharing.caseworker, "search": search.search, "callbacks": callbacks.callbacks,
               "received": received.received, "documents": documents.documents,
               "retention": retention.retention}
    results = {}
    for name in names:
        started = time.perf_counter()
        results[name] = runners[name](SIZES[size][name])
        results[name]["seconds"] = round(time.perf_counter() - started, 1)
        print(f"{name:9} {json.dumps(results[name])}", flush=True)
    return results


def table(results):
    lines = ["| benchmark | figures | target |", "| --- | --- | --- |"]
    for name, figures in results.items():
        shown = ", ".join(f"{k} {v}" for k, v in figures.items() if k != "seconds")
        lines.append(f"| {name} | {shown} | {TARGETS[name]} |")
    return "\n".join(lines)


def main():
    parser = argparse.ArgumentParser(description="Run the benchmarks")
    parser.add_argument("--small", action="store_true", help="the CI sizes (seconds, not minutes)")
    parser.add_argument("--only", default=",".join(SIZES["small"]))
    args = parser.parse_args()
    django_ready()
    size = "small" if args.small else "full"
    results = run([n.strip() for n in args.only.split(",") if n.strip()], size)
    out = ROOT / "var" / "bench"
    out.mkdir(parents=True, exist_ok=True)
    record = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "size": size, "machine": platform.platform(),
              "results": results}
    (out / f"results-{size}.json").write_text(json.dumps(record, indent=2))
    print()
    print(table(results))
    return record


if __name__ == "__main__":
    main()
