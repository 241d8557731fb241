"""Benchmark: `pulumi-taxonomy validate` of a big plan (issue 14: 10,000 events with five
properties each, in at most 2 s).

    python bench/plan_validate.py [--events 10000] [--properties 5] [--runs 3]

Writes a plan for all three targets (Amplitude in auto mode, which for a plan this big is
one Taxonomy Import; RudderStack; Stitch), every event with a category, a description
and `--properties` properties (one a reference to a shared definition), and runs the
real command as a subprocess `--runs` times. Prints JSON: the file's size, each run's
wall and CPU seconds (user + system of the child: a shared machine inflates CPU time
far less than wall time), the best of each against the target, and where the time goes
inside `load` (CPU seconds per phase, in-process).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from pulumi_taxonomy.plan import loader, safeyaml
from pulumi_taxonomy.plan.models import Plan

TARGET_SECONDS = 2.0
KINDS = (
    "{{name: amount_{j}, type: number, minimum: 0, description: An amount.}}",
    "{{name: plan_{j}, type: enum, values: [free, premium, family]}}",
    "{{name: label_{j}, type: string, max_length: 200, description: A label.}}",
    "{{name: flag_{j}, type: boolean}}",
)


def plan_text(events: int, properties: int) -> str:
    lines = [
        "version: 1",
        "name: Benchmark plan",
        "categories: [Playback, Discovery, Account]",
        "properties:",
        "  song_id: {type: string, pattern: '^[a-z0-9]{22}$', description: Catalog id of the song.}",
        "events:",
    ]
    for i in range(events):
        lines += [
            f"  - name: Bench Event {i:05d}",
            f"    category: {('Playback', 'Discovery', 'Account')[i % 3]}",
            f"    description: Event number {i}, as the product team wrote it.",
            "    owner: team-a",
            "    properties:",
            "      - {name: song_id, ref: song_id, required: true}",
        ]
        lines += [f"      - {KINDS[(i + j) % len(KINDS)].format(j=j)}" for j in range(1, properties)]
    lines += [
        "targets:",
        "  amplitude: {mode: auto, workspace: Sandbox Project}",
        "  rudderstack:",
        "    plan_name: Benchmark Plan",
        "    sources: [{source_id: 2rL1XeHCG8P8OrMHnHx4WjMjuTo, track: {unplanned_properties: drop}}]",
        "  stitch: {}",
    ]
    return "\n".join(lines) + "\n"


def cli_run(path: Path) -> dict[str, Any]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "validate", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(
            f"validate failed ({result.returncode}): {result.stdout[-2000:]}{result.stderr[-2000:]}"
        )
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall_seconds": round(wall, 3), "cpu_seconds": round(cpu, 3), "answer": json.loads(result.stdout)}


def phases(text: str) -> dict[str, float]:
    """CPU seconds of each step `loads` takes, in this process."""
    out: dict[str, float] = {}
    clock = time.process_time
    with safeyaml.paused_gc():
        started = clock()
        data = safeyaml.load(text)
        out["yaml"] = clock() - started
        started = clock()
        plan = Plan.model_validate(data)
        out["plan_model"] = clock() - started
        started = clock()
        list(loader.name_issues(plan))
        out["child_names"] = clock() - started
        started = clock()
        resolved = plan.resolved_events()
        out["references"] = clock() - started
        for target, rules in loader.TARGET_RULES.items():
            started = clock()
            list(rules(plan, resolved))
            out[target] = clock() - started
    return {k: round(v, 3) for k, v in out.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--properties", type=int, default=5)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()

    text = plan_text(args.events, args.properties)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "plan.yaml"
        path.write_text(text, encoding="utf-8")
        runs = [cli_run(path) for _ in range(args.runs)]
    answer = runs[0].pop("answer")
    for run in runs[1:]:
        run.pop("answer")
    best_wall = min(r["wall_seconds"] for r in runs)
    best_cpu = min(r["cpu_seconds"] for r in runs)
    report = {
        "events": args.events,
        "properties_per_event": args.properties,
        "file_bytes": len(text.encode()),
        "valid": answer["valid"],
        "targets": answer["targets"],
        "validate": {
            "runs": runs,
            "best_wall_seconds": best_wall,
            "best_cpu_seconds": best_cpu,
            "target_seconds": TARGET_SECONDS,
            "within_target": best_cpu <= TARGET_SECONDS,
        },
        "load_phases_cpu_seconds": phases(text),
    }
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
