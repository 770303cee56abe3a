"""How many sends a minute the Notify sandbox sustains on this machine (its limit switched off).

    .venv/bin/python -m bench.sandbox_throughput [--sends 3000] [--threads 4]

Sends emails with a test key through the real notifications-python-client from a few threads and
prints requests a minute and the p50/p95 latency. The product's benchmarks need the sandbox to be far
faster than Notify's 3,000 a minute, so its own speed never limits them.
"""

import argparse
import statistics
import threading
import time

from notifications_python_client.notifications import NotificationsAPIClient

from notify_sandbox.testing import SandboxServer


def run(sends, threads):
    with SandboxServer(rate_limit="off") as sandbox:
        key = sandbox.create_key("test")
        template = sandbox.create_template("email", subject="Hello ((name))", body="Dear ((name)), hello.")
        latencies, lock = [], threading.Lock()

        def worker(count):
            client = NotificationsAPIClient(key, base_url=sandbox.base_url)
            mine = []
            for n in range(count):
                start = time.perf_counter()
                client.send_email_notification("a@example.com", template, personalisation={"name": f"n{n}"})
                mine.append(time.perf_counter() - start)
            with lock:
                latencies.extend(mine)

        started = time.perf_counter()
        pool = [threading.Thread(target=worker, args=(sends // threads,)) for _ in range(threads)]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join()
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "sends": len(latencies),
        "threads": threads,
        "seconds": round(elapsed, 2),
        "per_minute": round(len(latencies) / elapsed * 60),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(latencies[int(len(latencies) * 0.95) - 1] * 1000, 1),
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sends", type=int, default=3000)
    parser.add_argument("--threads", type=int, default=4)
    args = parser.parse_args()
    result = run(args.sends, args.threads)
    print(f"sandbox: {result['sends']} sends from {result['threads']} threads in {result['seconds']} s: "
          f"{result['per_minute']:,} a minute, p50 {result['p50_ms']} ms, p95 {result['p95_ms']} ms")
    return result


if __name__ == "__main__":
    main()
