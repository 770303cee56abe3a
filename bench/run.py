"""`make bench`: the benchmarks side by side, printed as one table and written to var/bench/results.json.

    .venv/bin/python -m bench.run [--small] [--only rate,overhead,bulk,log,latency,integrations,sandbox,search,
                                                    callbacks,received,documents,retention]

#20's rows (P1–P7) are also printed as ratios, each to a reference measured in the same run (RATIOS).
"""

import argparse
import json
import platform
import time
from datetime import UTC, datetime

from .setup import ROOT, django_ready

SIZES = {
    "small": {"sandbox": 300, "rate": 120, "overhead": 200, "bulk": 2_000, "log": 20_000, "latency": 2_000,
              "integrations": 30, "search": 20_000, "callbacks": 1_000, "received": 1_000, "documents": 40,
              "retention": 20_000},
    "full": {"sandbox": 3_000, "rate": 3_600, "overhead": 5_000, "bulk": 100_000, "log": 1_000_000,
             "latency": 100_000, "integrations": 600, "search": 1_000_000, "callbacks": 10_000, "received": 10_000,
             "documents": 1_000, "retention": 1_000_000},
}
TARGETS = {"rate": "P1: ≥ 0.98 of the limit, busiest 60 s ≤ 1.0, 0 × 429",
           "overhead": "P2: pipeline / plain client ≥ 0.8",
           "bulk": "P3: cases/s ≥ 0.5 × the COPY-only rate, peak RSS ≤ 300 MB",
           "log": "P4: p95 at N entries ≤ 1.5 × its p95 on an empty log, flat memory",
           "latency": "P5: p95 during a bulk apply ≤ 2 × idle; idle p95 ≤ 300 ms",
           "integrations": "P7: every integration ≥ 0.95 of its limit (also beside a faulty one), 0 × 429, 0 twice",
           "sandbox": "well over 3,000 a minute",
           "search": "p95 at N cases ≤ 2 × its p95 at 1,000 (a ratio measured in the same run)",
           "callbacks": "every status applied; well above Notify's send rate (3,000 a minute)",
           "received": "every reply kept once and matched, by either path",
           "documents": "worker peak RSS with a 2 MB file ≤ 1.5 × without it (flat: never the file once per case)",
           "retention": "a send's p95 during the purge ≤ 1.5 × its p95 idle, and within the latency target (300 ms)"}
# #20's rows: each a ratio to a reference measured in the same run, with its absolute figures beside it.
# (row, benchmark, ratio, figures beside, at least / at most, target)
RATIOS = [
    ("P1", "rate", "ratio", ("per_minute", "limit_per_minute"), ">=", 0.98),
    ("P1", "rate", "busiest_window_ratio", ("window_seconds", "rate_limited_429"), "<=", 1.0),
    ("P2", "overhead", "ratio", ("pipeline_per_second", "plain_client_per_second"), ">=", 0.8),
    ("P3", "bulk", "ratio", ("cases_per_second", "copy_only_rows_per_second", "worker_peak_rss_mb"), ">=", 0.5),
    ("P4", "log", "api_ratio", ("api_p95_ms", "api_p95_empty_ms"), "<=", 1.5),
    ("P4", "log", "page_ratio", ("page_p95_ms", "page_p95_empty_ms"), "<=", 1.5),
    ("P5", "latency", "ratio", ("during_bulk_p95_ms", "idle_p95_ms", "bulk_per_minute_meanwhile"), "<=", 2.0),
    ("P7", "integrations", "ratio", ("highest_ratio", "limit_per_minute_each", "rate_limited_429", "duplicates"),
     ">=", 0.95),
    ("P7", "integrations", "ratio_beside_a_faulty_service", ("faulty_service_ratio",), ">=", 0.95),
]


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
               "retention": retention.retention, "integrations": sharing.integrations}
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


def ratio_table(results):
    """#20's rows that were run: the ratio, what it was measured from, its target and whether it was met."""
    lines = ["| # | benchmark | ratio | beside it | target | met |", "| --- | --- | --- | --- | --- | --- |"]
    for row, name, key, beside, sense, target in RATIOS:
        if name not in results:
            continue
        figures = results[name]
        value = figures.get(key)
        met = value is not None and (value >= target if sense == ">=" else value <= target)
        shown = ", ".join(f"{k} {figures.get(k)}" for k in beside)
        lines.append(f"| {row} | {name}: {key} | {value} | {shown} | {sense.replace('>=', '≥').replace('<=', '≤')} "
                     f"{target} | {'yes' if met else 'no'} |")
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
    print()
    print(ratio_table(results))
    return record


if __name__ == "__main__":
    main()
