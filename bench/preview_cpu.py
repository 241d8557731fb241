"""Benchmark: the provider's time per resource when a big `TrackingPlan` previews with
no change. Prints JSON.

    python bench/preview_cpu.py [--events 2000]

A TrackingPlan component with `--events` RudderStack events (three properties each: a
string with a pattern, an integer with a minimum, an enum) is applied through the real
provider server against a sandbox, then previewed again by a new provider server (a
new command), as `pulumi preview` does: Check and Diff for every resource. Per
resource, the median of check + diff is reported three ways:

- provider: the time spent in the provider's own `check` and `diff` (our code), timed
  inside the provider server;
- server: the time the provider server spends on the Check and Diff calls, from the
  gRPC handler's start to its end (the SDK's (de)serialization of the properties
  included).

Also the provider server's CPU time over the whole preview, per resource (Linux), and
the preview's wall time (the program runs under the SDK's mocks, with its calls at
once, as the engine makes them).

The timers are installed in the provider server by a `sitecustomize` module on its
PYTHONPATH, so the package itself carries no instrumentation.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_taxonomy.plan import TrackingPlan, loads
from pulumi_taxonomy.testing import Engine, running_sandbox
from pulumi_taxonomy.testing.program import run_program

TARGET_MS = 1.0

SITECUSTOMIZE = '''
"""Timers for bench/preview_cpu.py, inside the provider server."""
import atexit, json, os, threading, time, functools

OUT = os.environ["PREVIEW_CPU_TIMINGS"]
_times = {"provider": {}, "server": {}}
_lock = threading.Lock()

def _record(kind, urn, seconds):
    with _lock:
        _times[kind].setdefault(urn, 0.0)
        _times[kind][urn] += seconds

_depth = threading.local()

def _timed(kind, fn, urn_of):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        outer = getattr(_depth, "n", 0) == 0  # a subclass calling super(): count once
        _depth.n = getattr(_depth, "n", 0) + 1
        started = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            _depth.n -= 1
            if outer:
                _record(kind, urn_of(args), time.perf_counter() - started)
    return wrapper

from pulumi_taxonomy.core import provider as _provider
import pulumi_taxonomy.rudderstack.resources  # noqa: F401  (the subclasses)

def _providers(cls):
    yield cls
    for sub in cls.__subclasses__():
        yield from _providers(sub)

_current = threading.local()
for _cls in set(_providers(_provider.TaxonomyProvider)):
    for _name in ("check", "diff"):
        if _name in vars(_cls):
            urn = lambda args: getattr(_current, "urn", "?")
            setattr(_cls, _name, _timed("provider", vars(_cls)[_name], urn))

from pulumi.runtime.proto import provider_pb2_grpc as _grpc
_add = _grpc.add_ResourceProviderServicer_to_server

def _add_timed(servicer, server):
    for _name in ("Check", "Diff"):
        method = getattr(servicer, _name)
        def handler(request, context, method=method):
            _current.urn = request.urn
            started = time.perf_counter()
            try:
                return method(request, context)
            finally:
                _record("server", request.urn, time.perf_counter() - started)
        setattr(servicer, _name, handler)
    return _add(servicer, server)

_grpc.add_ResourceProviderServicer_to_server = _add_timed
atexit.register(lambda: open(OUT, "w").write(json.dumps(_times)))
'''


def plan_text(events: int) -> str:
    lines = ["version: 1", "name: Big plan", "events:"]
    for i in range(events):
        lines += [
            f"  - name: Event {i:04d}",
            f"    description: Event number {i}.",
            "    properties:",
            '      - {name: item_id, type: string, pattern: "^[a-z0-9]{8}$", required: true}',
            "      - {name: quantity, type: integer, minimum: 0}",
            "      - {name: channel, type: enum, values: [web, ios, android]}",
        ]
    lines += ["targets:", "  rudderstack:", "    plan_name: Big Plan"]
    return "\n".join(lines) + "\n"


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux /proc; NaN elsewhere)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def median_ms(values: list[float]) -> float:
    return round(statistics.median(values) * 1000, 3) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=2000)
    args = parser.parse_args()
    plan = loads(plan_text(args.events))

    with tempfile.TemporaryDirectory() as tmp, running_sandbox() as sandbox:
        hooks = Path(tmp) / "hooks"
        hooks.mkdir()
        (hooks / "sitecustomize.py").write_text(SITECUSTOMIZE, encoding="utf-8")
        timings = Path(tmp) / "timings.json"
        env = {
            "RUDDERSTACK_ACCESS_TOKEN": "sandbox-rudderstack-token",
            "RUDDERSTACK_BASE_URL": sandbox.url,
            "PULUMI_TAXONOMY_CACHE_DIR": tmp,
        }
        with Engine(project="bench", env=env) as engine:
            started = time.perf_counter()
            applied = run_program(lambda: TrackingPlan("big", plan), engine)
            apply_seconds = time.perf_counter() - started
            apply_requests = sandbox.stats()["total_requests"]
            engine.env = {**env, "PYTHONPATH": str(hooks), "PREVIEW_CPU_TIMINGS": str(timings)}
            engine.new_command()  # `pulumi preview`: a provider server of its own, with the timers

            cpu_before = cpu_seconds(engine.server.pid)
            requests_before = sandbox.stats()["total_requests"]
            started = time.perf_counter()
            previewed = run_program(lambda: TrackingPlan("big", plan), engine, preview=True)
            preview_seconds = time.perf_counter() - started
            requests = sandbox.stats()["total_requests"] - requests_before
            cpu = cpu_seconds(engine.server.pid) - cpu_before
        measured = json.loads(timings.read_text())

    resources = len(previewed.operations)
    provider = median_ms(list(measured["provider"].values()))
    server = median_ms(list(measured["server"].values()))
    print(
        json.dumps(
            {
                "benchmark": "preview_cpu",
                "rudderstack_events": args.events,
                "resources": resources,
                "apply": {
                    "wall_seconds": round(apply_seconds, 2),
                    "created": applied.count("create"),
                    "vendor_requests": apply_requests,
                },
                "preview": {
                    "wall_seconds": round(preview_seconds, 2),
                    "changes": len(previewed.changes),
                    "vendor_requests": requests,
                    "provider_server_cpu_ms_per_resource": round(cpu / resources * 1000, 3),
                },
                "median_ms_per_resource_check_plus_diff": {"provider": provider, "server": server},
                "target_ms": TARGET_MS,
                "provider_within_target": provider <= TARGET_MS,
                "server_within_target": server <= TARGET_MS,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
