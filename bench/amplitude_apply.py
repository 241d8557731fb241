"""Benchmark: apply a 200-event plan (3 properties each) through the real provider
server against a sandbox with 50 ms latency, then refresh it. Prints JSON.

    python bench/amplitude_apply.py [--events 200] [--properties 3] [--latency-ms 50] [--concurrency 16]

The lower bound is what Amplitude's concurrency limit allows at best: writes cost 2
and at most 4 cost may be in flight, so total write cost / 4 x latency.
"""

from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor, wait
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi.dynamic.dynamic import serialize_provider

from pulumi_taxonomy.amplitude.resources import EventPropertyProvider, EventTypeProvider
from pulumi_taxonomy.testing import Engine, running_sandbox

KEYS = {"AMPLITUDE_API_KEY": "sandbox-api-key", "AMPLITUDE_SECRET_KEY": "sandbox-secret-key"}


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def provider_pickled_by_reference() -> tuple[int, bool]:
    """Size of `__provider`, and whether editing the provider's code leaves it unchanged."""
    before = serialize_provider(EventTypeProvider())
    original = EventTypeProvider.describe
    try:
        EventTypeProvider.describe = lambda self, values: "edited"  # type: ignore[method-assign]
        after = serialize_provider(EventTypeProvider())
    finally:
        EventTypeProvider.describe = original  # type: ignore[method-assign]
    return len(before), before == after


def apply(engine: Engine, events: int, properties: int, concurrency: int) -> None:
    """As the engine does: events at once, each event's properties once it exists."""
    errors: list[BaseException] = []
    pending: list[Future[Any]] = []
    lock = threading.Lock()
    with ThreadPoolExecutor(concurrency) as pool:

        def create_event(i: int) -> None:
            name = f"Bench Event {i:03d}"
            engine.up(f"event-{i}", EventTypeProvider(), {"name": name, "description": f"Event number {i}."})
            for j in range(properties):
                inputs = {"name": f"prop_{j}", "event_type": name, "type": "string", "is_required": j == 0}
                with lock:
                    pending.append(
                        pool.submit(engine.up, f"event-{i}-prop-{j}", EventPropertyProvider(), inputs)
                    )

        pending.extend(pool.submit(create_event, i) for i in range(events))
        while True:
            with lock:
                todo = [f for f in pending if not f.done()]
            if not todo:
                break
            wait(todo)
        errors.extend(f.exception() for f in pending if f.exception() is not None)  # type: ignore[misc]
    if errors:
        raise errors[0]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--properties", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=50.0)
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()

    with running_sandbox("--latency-ms", str(args.latency_ms)) as sandbox:
        env = {**KEYS, "AMPLITUDE_BASE_URL": sandbox.url}
        with Engine(project="bench", env=env) as engine:
            started = time.perf_counter()
            apply(engine, args.events, args.properties, args.concurrency)
            apply_seconds = time.perf_counter() - started
            applied = sandbox.stats()
            rss = peak_rss_mb(engine.server.pid)

            engine.new_command()
            before = sandbox.stats()["total_requests"]
            started = time.perf_counter()
            with ThreadPoolExecutor(args.concurrency) as pool:
                gone = sum(1 for r in pool.map(engine.refresh, list(engine.resources)) if r is None)
            refresh_seconds = time.perf_counter() - started
            refreshed = sandbox.stats()

    writes = sum(n for route, n in applied["by_route"].items() if not route.startswith("GET "))
    write_cost = writes * 2
    lower_bound = write_cost / 4 * args.latency_ms / 1000
    provider_bytes, by_reference = provider_pickled_by_reference()
    resources = args.events * (1 + args.properties)
    print(
        json.dumps(
            {
                "benchmark": "amplitude_apply",
                "events": args.events,
                "properties_per_event": args.properties,
                "resources": resources,
                "latency_ms": args.latency_ms,
                "engine_concurrency": args.concurrency,
                "apply": {
                    "wall_seconds": round(apply_seconds, 2),
                    "requests": applied["total_requests"],
                    "write_requests": writes,
                    "sandbox_429s": applied["rate_limited"],
                    "peak_in_flight_cost": max(applied["peak_in_flight_cost"].values(), default=0),
                    "write_cost_lower_bound_seconds": round(lower_bound, 2),
                    "ratio_to_lower_bound": round(apply_seconds / lower_bound, 3) if lower_bound else None,
                },
                "provider_server_peak_rss_mb": round(rss, 1),
                "provider_bytes": provider_bytes,
                "provider_pickled_by_reference": by_reference,
                "refresh": {
                    "wall_seconds": round(refresh_seconds, 2),
                    "requests": refreshed["total_requests"] - before,
                    "naive_requests": resources,
                    "dropped": gone,
                    "sandbox_429s": refreshed["rate_limited"] - applied["rate_limited"],
                },
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
