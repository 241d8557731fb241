"""Benchmark: several processes on one machine, one Amplitude key, a budget that binds.

    python bench/budget.py [--events 200] [--properties 3] [--latency-ms 10]
        [--hour-seconds 60] [--earlier-runs 2] [--concurrency 16] [--no-peer]

Against one sandbox project whose rate-limit "hour" is `--hour-seconds` long (the
budget stays 7,200 cost per "hour"), in order:

1. setup: stack B (events x properties) is applied;
2. earlier runs: `--earlier-runs` other stacks of events x properties are applied, one
   after the other (CI runs of the same key, back to back), so that most of the
   "hour" is spent when the next phase starts;
3. side by side, three processes at once: an apply of stack A (events x properties),
   a refresh of stack B (a new provider server), and `pulumi-taxonomy drift` of B's
   plan (the command line);
4. back to back in the spent hour: stack A is edited (every event's description) and
   then destroyed, each as its own command.

Every provider server and the drift process share the machine's ledger (a fresh
cache directory for the run). Then the same phases once more with the plain peer
(bench/plain_peer.py: httpx, a thread pool, exponential backoff on 429) against a
fresh sandbox, and the two side by side. Prints JSON.

Lower bound of a run: its cost cannot go faster than the budget allows (in a rolling
hour of H seconds at most 7,200 cost, so C cost take at least (ceil(C / 7200) - 1) x H
seconds) nor than the concurrency cap allows (4 cost in flight, each held for the
latency: C x latency / 4). The bound is the larger of the two.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_taxonomy.amplitude.resources import EventPropertyProvider, EventTypeProvider
from pulumi_taxonomy.testing import Engine, SandboxProcess, running_sandbox

KEYS = {"AMPLITUDE_API_KEY": "sandbox-api-key", "AMPLITUDE_SECRET_KEY": "sandbox-secret-key"}
BUDGET, MAX_IN_FLIGHT = 7200, 4
PEER = Path(__file__).resolve().parent / "plain_peer.py"
BUDGET_NOTICE = "budget of 7200 cost"


class Shape:
    """The plan each stack holds: `events` events of `properties` properties."""

    def __init__(self, events: int, properties: int) -> None:
        self.events = events
        self.properties = properties

    @staticmethod
    def event(prefix: str, i: int) -> str:
        return f"{prefix} Event {i:03d}"

    def plan_yaml(self, prefix: str) -> str:
        lines = ["version: 1", f"name: {prefix}", "events:"]
        for i in range(self.events):
            lines += [
                f"  - name: {self.event(prefix, i)}",
                f"    description: Event number {i}.",
                "    properties:",
            ]
            lines += [
                f"      - {{name: prop_{j}, type: string, required: {str(j == 0).lower()}}}"
                for j in range(self.properties)
            ]
        lines += ["targets:", "  amplitude: {mode: objects}"]
        return "\n".join(lines) + "\n"


def _each(concurrency: int, work: Callable[[Callable[..., Future[Any]]], None]) -> list[BaseException]:
    """Run `work(submit)` on a pool whose tasks may submit more tasks; the errors."""
    futures: list[Future[Any]] = []
    lock = threading.Lock()
    with ThreadPoolExecutor(concurrency) as pool:

        def submit(fn: Callable[..., Any], *args: Any) -> Future[Any]:
            future = pool.submit(fn, *args)
            with lock:
                futures.append(future)
            return future

        work(submit)
        while True:
            with lock:
                todo = [f for f in futures if not f.done()]
            if not todo:
                break
            for future in todo:
                future.exception()
    return [e for f in futures if (e := f.exception()) is not None]


def up(
    engine: Engine, shape: Shape, prefix: str, concurrency: int, description: str = "Event number {i}."
) -> list[BaseException]:
    """As the engine does: events at once, each event's properties once it exists."""

    def event(i: int, submit: Callable[..., Future[Any]]) -> None:
        name = shape.event(prefix, i)
        engine.up(
            f"{prefix}-{i}", EventTypeProvider(), {"name": name, "description": description.format(i=i)}
        )
        for j in range(shape.properties):
            inputs = {"name": f"prop_{j}", "event_type": name, "type": "string", "is_required": j == 0}
            submit(engine.up, f"{prefix}-{i}-prop-{j}", EventPropertyProvider(), inputs)

    return _each(concurrency, lambda submit: [submit(event, i, submit) for i in range(shape.events)])


def destroy(engine: Engine, concurrency: int) -> list[BaseException]:
    """As `pulumi destroy`: dependents (properties) first, then the events."""
    properties = [urn for urn in engine.resources if "EventPropertyProvider" in urn]
    events = [urn for urn in engine.resources if urn not in properties]
    errors = _each(concurrency, lambda submit: [submit(engine.destroy, urn) for urn in properties])
    return errors + _each(concurrency, lambda submit: [submit(engine.destroy, urn) for urn in events])


def refresh(engine: Engine, concurrency: int) -> tuple[list[BaseException], int]:
    urns = list(engine.resources)
    errors = _each(concurrency, lambda submit: [submit(engine.refresh, urn) for urn in urns])
    return errors, len(urns) - len(engine.resources)


def cost_of(stats: dict[str, Any]) -> int:
    return sum(n * (1 if route.startswith("GET ") else 2) for route, n in stats["by_route"].items())


def bounds(cost: int, hour: float, latency_ms: float) -> dict[str, float]:
    budget = (math.ceil(cost / BUDGET) - 1) * hour
    concurrency = cost * latency_ms / 1000 / MAX_IN_FLIGHT
    return {
        "budget_bound_seconds": round(budget, 2),
        "concurrency_bound_seconds": round(concurrency, 2),
        "lower_bound_seconds": round(max(budget, concurrency), 2),
    }


class Phases:
    """Wall time and sandbox counters of each phase."""

    def __init__(self, sandbox: SandboxProcess) -> None:
        self.sandbox = sandbox
        self.started = time.perf_counter()
        self.report: dict[str, Any] = {}

    def run(self, name: str, work: Callable[[], dict[str, Any]]) -> None:
        before = self.sandbox.stats()
        started = time.perf_counter()
        result = work()
        after = self.sandbox.stats()
        self.report[name] = {
            "wall_seconds": round(time.perf_counter() - started, 2),
            "requests": after["total_requests"] - before["total_requests"],
            "sandbox_429s": after["rate_limited"] - before["rate_limited"],
            **result,
        }

    def total(self, hour: float, latency_ms: float) -> dict[str, Any]:
        stats = self.sandbox.stats()
        wall = time.perf_counter() - self.started
        limits = bounds(cost_of(stats) if stats["rate_limited"] == 0 else 0, hour, latency_ms)
        return {
            "wall_seconds": round(wall, 2),
            "requests": stats["total_requests"],
            "sandbox_429s": stats["rate_limited"],
            "peak_in_flight_cost": max(stats["peak_in_flight_cost"].values(), default=0),
            "failures": sum(p.get("failures", 0) for p in self.report.values()),
            **({"cost": cost_of(stats), **limits} if stats["rate_limited"] == 0 else {}),
        }


def provider_run(args: argparse.Namespace, shape: Shape, cache: str) -> dict[str, Any]:
    hour, latency = args.hour_seconds, args.latency_ms
    with running_sandbox("--hour-seconds", str(hour), "--latency-ms", str(latency)) as sandbox:
        env = {
            **KEYS,
            "AMPLITUDE_BASE_URL": sandbox.url,
            "AMPLITUDE_HOUR_SECONDS": str(hour),
            "PULUMI_TAXONOMY_CACHE_DIR": cache,
        }
        phases = Phases(sandbox)

        def earlier() -> dict[str, Any]:
            failures = waits = 0
            for run in range(args.earlier_runs):
                with Engine(project="bench", stack=f"earlier-{run}", env=env) as engine:
                    failures += len(up(engine, shape, f"Earlier {run}", args.concurrency))
                    waits += engine.server.output.count(BUDGET_NOTICE)
            return {"runs": args.earlier_runs, "failures": failures, "budget_waits_reported": waits}

        stack_b = Engine(project="bench", stack="b", env=env)
        stack_a = Engine(project="bench", stack="a", env=env)
        try:
            phases.run("setup", lambda: {"failures": len(up(stack_b, shape, "Bench B", args.concurrency))})
            phases.run("earlier_runs", earlier)
            plan_b = Path(cache) / "plan-b.yaml"
            plan_b.write_text(shape.plan_yaml("Bench B"), encoding="utf-8")
            stack_b.new_command()  # the refresh is a command of its own
            spent, elapsed = cost_of(sandbox.stats()), time.perf_counter() - phases.started
            phases.run("side_by_side", lambda: side_by_side(args, shape, env, stack_a, stack_b, plan_b))
            phases.report["side_by_side"]["hour_at_start"] = {
                "cost_spent_in_the_last_hour": spent if elapsed < hour else None,
                "budget_left": max(0, BUDGET - spent) if elapsed < hour else None,
                "cost_needed": cost_of(sandbox.stats()) - spent,
            }
            phases.run("back_to_back", lambda: back_to_back(args, shape, stack_a))
        finally:
            stack_a.close()
            stack_b.close()
        return {**phases.report, "total": phases.total(hour, latency)}


def side_by_side(
    args: argparse.Namespace,
    shape: Shape,
    env: dict[str, str],
    stack_a: Engine,
    stack_b: Engine,
    plan_b: Path,
) -> dict[str, Any]:
    results: dict[str, Any] = {}

    def apply_a() -> None:
        started = time.perf_counter()
        errors = up(stack_a, shape, "Bench A", args.concurrency)
        results["apply"] = {"wall_seconds": round(time.perf_counter() - started, 2), "failures": len(errors)}

    def refresh_b() -> None:
        started = time.perf_counter()
        errors, dropped = refresh(stack_b, args.concurrency)
        results["refresh"] = {
            "wall_seconds": round(time.perf_counter() - started, 2),
            "failures": len(errors),
            "dropped": dropped,
        }

    def drift_b() -> None:
        started = time.perf_counter()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "pulumi_taxonomy",
                "drift",
                str(plan_b),
                "--format",
                "json",
                "--timeout",
                "3600",
            ],
            env={**os.environ, **env},
            capture_output=True,
            text=True,
            timeout=3600,
            check=False,
        )
        # Exit 1 is "drift found": stack A's events, applied meanwhile in the same project,
        # are "extra" to B's plan. Anything missing or different would be a real failure.
        found = json.loads(done.stdout)["drift"] if done.returncode in (0, 1) else []
        wrong = [d for d in found if d["status"] != "extra"]
        results["drift"] = {
            "wall_seconds": round(time.perf_counter() - started, 2),
            "exit_code": done.returncode,
            "extra_items_seen": len(found) - len(wrong),
            "missing_or_different": len(wrong),
            "failures": int(done.returncode == 2 or bool(wrong)),
            "budget_waits_reported": done.stderr.count(BUDGET_NOTICE),
            **({"stderr": done.stderr[-500:]} if done.returncode == 2 else {}),
        }

    threads = [threading.Thread(target=t) for t in (apply_a, refresh_b, drift_b)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    waits = {
        "apply": stack_a.server.output.count(BUDGET_NOTICE),
        "refresh": stack_b.server.output.count(BUDGET_NOTICE),
    }
    for role, count in waits.items():
        results[role]["budget_waits_reported"] = count
    return {"processes": results, "failures": sum(r["failures"] for r in results.values())}


def back_to_back(args: argparse.Namespace, shape: Shape, stack_a: Engine) -> dict[str, Any]:
    stack_a.new_command()
    started = time.perf_counter()
    edited = up(stack_a, shape, "Bench A", args.concurrency, description="Event {i}, edited.")
    edit_seconds = time.perf_counter() - started
    edit_waits = stack_a.server.output.count(BUDGET_NOTICE)
    stack_a.new_command()
    started = time.perf_counter()
    destroyed = destroy(stack_a, args.concurrency)
    return {
        "edit": {
            "wall_seconds": round(edit_seconds, 2),
            "failures": len(edited),
            "budget_waits_reported": edit_waits,
        },
        "destroy": {
            "wall_seconds": round(time.perf_counter() - started, 2),
            "failures": len(destroyed),
            "budget_waits_reported": stack_a.server.output.count(BUDGET_NOTICE),
        },
        "failures": len(edited) + len(destroyed),
    }


def peer(role: str, url: str, shape: Shape, prefix: str, concurrency: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(PEER),
            role,
            "--base-url",
            url,
            "--events",
            str(shape.events),
            "--properties",
            str(shape.properties),
            "--prefix",
            prefix,
            "--workers",
            str(concurrency),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )


def peer_results(*processes: subprocess.Popen[str]) -> list[dict[str, Any]]:
    results = []
    for process in processes:
        out, _ = process.communicate(timeout=3600)
        results.append(json.loads(out))
    return results


def peer_run(args: argparse.Namespace, shape: Shape) -> dict[str, Any]:
    hour, latency, workers = args.hour_seconds, args.latency_ms, args.concurrency
    with running_sandbox("--hour-seconds", str(hour), "--latency-ms", str(latency)) as sandbox:
        phases = Phases(sandbox)

        def sequence(*steps: tuple[str, str]) -> dict[str, Any]:
            done = [
                peer_results(peer(role, sandbox.url, shape, prefix, workers))[0] for role, prefix in steps
            ]
            return {"steps": done, "failures": sum(d["failures"] for d in done)}

        earlier = [("apply", f"Earlier {run}") for run in range(args.earlier_runs)]
        phases.run("setup", lambda: sequence(("apply", "Bench B")))
        phases.run("earlier_runs", lambda: sequence(*earlier))

        def side_by_side_peer() -> dict[str, Any]:
            started = [
                peer(role, sandbox.url, shape, prefix, workers)
                for role, prefix in (("apply", "Bench A"), ("refresh", "Bench B"), ("drift", "Bench B"))
            ]
            results = dict(zip(("apply", "refresh", "drift"), peer_results(*started), strict=True))
            return {"processes": results, "failures": sum(r["failures"] for r in results.values())}

        phases.run("side_by_side", side_by_side_peer)
        phases.run("back_to_back", lambda: sequence(("update", "Bench A"), ("destroy", "Bench A")))
        return {**phases.report, "total": phases.total(hour, latency)}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--properties", type=int, default=3)
    parser.add_argument("--latency-ms", type=float, default=10.0)
    parser.add_argument("--hour-seconds", type=float, default=60.0)
    parser.add_argument("--earlier-runs", type=int, default=3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--no-peer", action="store_true", help="Skip the plain peer.")
    args = parser.parse_args()
    shape = Shape(args.events, args.properties)
    with tempfile.TemporaryDirectory(prefix="pulumi-taxonomy-bench-") as cache:
        provider = provider_run(args, shape, cache)
    report: dict[str, Any] = {
        "benchmark": "budget",
        "events": args.events,
        "properties_per_event": args.properties,
        "latency_ms": args.latency_ms,
        "hour_seconds": args.hour_seconds,
        "budget_per_hour": BUDGET,
        "earlier_runs": args.earlier_runs,
        "engine_concurrency": args.concurrency,
        "provider": provider,
    }
    if not args.no_peer:
        plain = peer_run(args, shape)
        report["plain_peer"] = plain
        report["comparison"] = {
            "wall_seconds": {
                "provider": provider["total"]["wall_seconds"],
                "plain_peer": plain["total"]["wall_seconds"],
            },
            "peer_to_provider_wall_ratio": round(
                plain["total"]["wall_seconds"] / provider["total"]["wall_seconds"], 2
            ),
            "sandbox_429s": {
                "provider": provider["total"]["sandbox_429s"],
                "plain_peer": plain["total"]["sandbox_429s"],
            },
            "failures": {"provider": provider["total"]["failures"], "plain_peer": plain["total"]["failures"]},
        }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
