"""The benchmark runs and reports what it measured (a small size: figures live in docs/benchmarks.md)."""

from __future__ import annotations

from tests.bench.run import bench_report


def test_amplitude_apply_benchmark_reports_its_measurements() -> None:
    report = bench_report("amplitude_apply.py", "--events", "6", "--latency-ms", "10", "--concurrency", "8")
    assert report["resources"] == 24
    assert report["apply"]["write_requests"] == 24
    assert report["apply"]["sandbox_429s"] == 0
    assert report["apply"]["peak_in_flight_cost"] <= 4
    assert report["refresh"]["requests"] == 1 + 6
    assert report["provider_pickled_by_reference"] is True
    assert report["provider_bytes"] < 1024


def test_amplitude_bulk_benchmark_reports_its_measurements() -> None:
    report = bench_report(
        "amplitude_bulk.py",
        *("--latency-ms", "5", "--events", "8", "--properties", "2"),
        *("--big-events", "40", "--big-properties", "3"),
    )
    assert report["plan"]["per_object"]["requests"] == 8 * 3
    assert report["plan"]["taxonomy_import"]["rows_uploaded"] == 8 * 3
    assert report["big_plan"]["taxonomy_import"]["requests"] < 20
    assert report["big_plan"]["taxonomy_import"]["reapply"] == {
        **report["big_plan"]["taxonomy_import"]["reapply"],
        "operation": "same",
        "requests": 0,
    }


def test_budget_benchmark_reports_its_measurements() -> None:
    report = bench_report(
        "budget.py",
        *("--events", "5", "--properties", "2", "--latency-ms", "5"),
        *("--hour-seconds", "30", "--earlier-runs", "1", "--concurrency", "8"),
    )
    provider = report["provider"]
    assert provider["total"]["sandbox_429s"] == 0 and provider["total"]["failures"] == 0
    assert provider["total"]["peak_in_flight_cost"] <= 4
    processes = provider["side_by_side"]["processes"]
    assert set(processes) == {"apply", "refresh", "drift"}
    assert processes["drift"]["missing_or_different"] == 0 and processes["refresh"]["dropped"] == 0
    assert provider["total"]["lower_bound_seconds"] > 0
    assert {"earlier_runs", "setup", "side_by_side", "back_to_back"} <= set(report["plain_peer"])
    assert report["comparison"]["peer_to_provider_wall_ratio"] > 0


def test_preview_cpu_benchmark_reports_its_measurements() -> None:
    report = bench_report("preview_cpu.py", "--events", "20")
    assert report["resources"] == 21 and report["apply"]["created"] == 21
    # An upsert and a page each, the plan's create, a first list: not a whole list per event.
    assert report["apply"]["vendor_requests"] <= 2 * 20 + 10, report["apply"]
    assert report["preview"]["changes"] == 0 and report["preview"]["vendor_requests"] == 0
    medians = report["median_ms_per_resource_check_plus_diff"]
    assert 0 < medians["provider"] <= medians["server"], "the provider's own time is part of the server's"
