"""bench/plan_validate.py runs and reports what it measured (a small size: the figures of
the 10,000-event plan live in docs/benchmarks.md)."""

from __future__ import annotations

from tests.bench.run import bench_report


def test_plan_validate_benchmark_reports_its_measurements() -> None:
    report = bench_report("plan_validate.py", "--events", "300", "--properties", "5", "--runs", "1")
    assert (report["events"], report["properties_per_event"], report["valid"]) == (300, 5, True)
    assert report["targets"] == ["amplitude", "rudderstack", "stitch"]
    [run] = report["validate"]["runs"]
    assert run["cpu_seconds"] > 0 and run["wall_seconds"] >= run["cpu_seconds"] / 2
    assert report["validate"]["target_seconds"] == 2.0
    phases = report["load_phases_cpu_seconds"]
    assert set(phases) == {
        "yaml",
        "plan_model",
        "child_names",
        "references",
        "amplitude",
        "rudderstack",
        "stitch",
    }
    assert report["file_bytes"] > 300 * 5 * 30
