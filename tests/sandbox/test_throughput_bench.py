"""The sandbox benchmark runs (small size): it sends what it says. Its figures are printed by `make bench`."""

from bench.sandbox_throughput import run


def test_the_benchmark_sends_every_message():
    result = run(sends=120, threads=3)
    assert result["sends"] == 120
    assert result["per_minute"] > 0
