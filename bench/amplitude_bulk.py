"""Benchmark: whole plans through TaxonomyImport, next to per-object resources.

    python bench/amplitude_bulk.py [--latency-ms 50] [--big-events 2000] [--big-properties 5]

1. The 200 x 3 plan of bench/amplitude_apply.py, applied per object (800 resources,
   16 engine-like calls) and through one TaxonomyImport, each against a fresh sandbox
   with the same latency: wall seconds and requests side by side.
2. A 2,000-event x 5-property plan through TaxonomyImport, then re-applied (a no-op),
   and the provider time of that no-op: the Check and Diff calls a re-apply or a
   preview makes (target: at most 0.5 s together), and an Update with nothing changed,
   each timed around the gRPC call alone (the server's own work, protobuf included;
   the harness's conversions before and after are left out), median of 5.
Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from amplitude_apply import KEYS, apply
from pulumi.runtime.proto import provider_pb2

from pulumi_taxonomy.amplitude.importcsv import ImportEvent, ImportPlan, ImportProperty
from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImportProvider
from pulumi_taxonomy.testing import Engine, running_sandbox
from pulumi_taxonomy.testing.engine import to_struct


def plan(events: int, properties: int) -> ImportPlan:
    return ImportPlan(
        events=[
            ImportEvent(
                name=f"Bench Event {i:04d}",
                description=f"Event number {i}.",
                properties=[
                    ImportProperty(name=f"prop_{j}", type="string", is_required=j == 0)
                    for j in range(properties)
                ],
            )
            for i in range(events)
        ]
    )


def env(url: str) -> dict[str, str]:
    return {
        **KEYS,
        "AMPLITUDE_BASE_URL": url,
        "AMPLITUDE_DATA_TOKEN": "sandbox-data-token",
        "AMPLITUDE_DATA_BASE_URL": url,  # Taxonomy Import never follows the REST base URL
    }


def noop_provider_seconds(engine: Engine, inputs: dict[str, Any], rounds: int = 5) -> dict[str, float]:
    """The provider's time for a no-op re-apply or preview of the resource `plan`."""
    existing = next(iter(engine.resources.values()))
    news = engine._news(TaxonomyImportProvider(), inputs)
    checked, _ = engine.server.check(existing.urn, existing.inputs, news)
    calls = {
        "check": (
            "Check",
            provider_pb2.CheckRequest(
                urn=existing.urn, olds=to_struct(existing.inputs), news=to_struct(news)
            ),
        ),
        "diff": (
            "Diff",
            provider_pb2.DiffRequest(
                id=existing.id, urn=existing.urn, olds=to_struct(existing.outputs), news=to_struct(checked)
            ),
        ),
        "update_without_changes": (
            "Update",
            provider_pb2.UpdateRequest(
                id=existing.id, urn=existing.urn, olds=to_struct(existing.outputs), news=to_struct(checked)
            ),
        ),
    }
    timings: dict[str, float] = {}
    for label, (method, request) in calls.items():
        samples = []
        for _ in range(rounds):
            started = time.perf_counter()
            getattr(engine.server.stub, method)(request, timeout=600)
            samples.append(time.perf_counter() - started)
        timings[label] = round(statistics.median(samples), 3)
    timings["check_and_diff"] = round(timings["check"] + timings["diff"], 3)
    return timings


def import_run(latency_ms: float, events: int, properties: int, reapply: bool) -> dict[str, Any]:
    inputs = {"workspace": "Sandbox Project", "plan": plan(events, properties).canonical_json()}
    with running_sandbox("--latency-ms", str(latency_ms)) as sandbox, Engine(env=env(sandbox.url)) as engine:
        started = time.perf_counter()
        operation, resource = engine.up("plan", TaxonomyImportProvider(), inputs)
        seconds = time.perf_counter() - started
        requests = sandbox.stats()["total_requests"]
        result: dict[str, Any] = {
            "operation": operation,
            "wall_seconds": round(seconds, 2),
            "requests": requests,
            "rows_uploaded": int(resource.outputs["rows_uploaded"]),
        }
        if reapply:
            engine.new_command()
            started = time.perf_counter()
            again, _ = engine.up("plan", TaxonomyImportProvider(), inputs)
            result["reapply"] = {
                "operation": again,
                "wall_seconds": round(time.perf_counter() - started, 2),
                "requests": sandbox.stats()["total_requests"] - requests,
            }
            result["noop_provider_seconds"] = noop_provider_seconds(engine, inputs)
            result["noop_provider_seconds"]["requests"] = sandbox.stats()["total_requests"] - requests
    return result


def per_object_run(latency_ms: float, events: int, properties: int) -> dict[str, Any]:
    with running_sandbox("--latency-ms", str(latency_ms)) as sandbox, Engine(env=env(sandbox.url)) as engine:
        started = time.perf_counter()
        apply(engine, events, properties, concurrency=16)
        seconds = time.perf_counter() - started
        return {"wall_seconds": round(seconds, 2), "requests": sandbox.stats()["total_requests"]}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--properties", type=int, default=3)
    parser.add_argument("--big-events", type=int, default=2000)
    parser.add_argument("--big-properties", type=int, default=5)
    args = parser.parse_args()

    per_object = per_object_run(args.latency_ms, args.events, args.properties)
    bulk = import_run(args.latency_ms, args.events, args.properties, reapply=False)
    big = import_run(args.latency_ms, args.big_events, args.big_properties, reapply=True)
    print(
        json.dumps(
            {
                "benchmark": "amplitude_bulk",
                "latency_ms": args.latency_ms,
                "plan": {
                    "events": args.events,
                    "properties_per_event": args.properties,
                    "per_object": per_object,
                    "taxonomy_import": bulk,
                    "speedup": round(per_object["wall_seconds"] / max(bulk["wall_seconds"], 1e-9), 1),
                },
                "big_plan": {
                    "events": args.big_events,
                    "properties_per_event": args.big_properties,
                    "taxonomy_import": big,
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
