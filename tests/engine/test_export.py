"""`pulumi-taxonomy export` then applying the exported program changes nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx

from pulumi_taxonomy.plan import load
from pulumi_taxonomy.rudderstack.models import PlanProperty
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.program import run_program
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client
from tests.engine.test_tracking_plan import env


def export(sandbox: SandboxProcess, tmp: Path, *args: str) -> Path:
    folder = tmp / "adopt"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pulumi_taxonomy",
            "export",
            *args,
            "--output",
            str(tmp / "plan.yaml"),
            "--program",
            str(folder),
        ],
        env={**os.environ, **env(sandbox.url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (folder / "plan.yaml").read_text() == (tmp / "plan.yaml").read_text()
    load(folder / "plan.yaml")  # the export is a valid plan
    return folder


def amplitude_snapshot(sandbox: SandboxProcess) -> dict[str, Any]:
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH, timeout=30) as amp:
        events = amp.get("/event").json()["data"]
        snapshot: dict[str, Any] = {"categories": amp.get("/category").json()["data"], "events": events}
        for event in events:
            props = amp.get("/event-property", params={"event_type": event["event_type"]}).json()["data"]
            # Amplitude shows an untyped property as null; the plan writes it as "any", the same meaning.
            snapshot[event["event_type"]] = [
                {
                    **p,
                    "type": p["type"] or "any",
                    "description": p["description"] or None,
                    "regex": p["regex"] or None,
                }
                for p in props
            ]
        users = [p for p in amp.get("/user-property").json()["data"] if p["user_property"].startswith("gp:")]
        snapshot["users"] = [
            {
                **p,
                "type": p["type"] or "any",
                "description": p["description"] or None,
                "regex": p["regex"] or None,
            }
            for p in users
        ]
        shared = amp.get("/event-property").json()["data"]
        snapshot["shared"] = [{**p, "type": p["type"] or "any"} for p in shared]
    return snapshot


def test_amplitude_demo_export_then_apply_changes_nothing(sandbox: SandboxProcess, tmp_path: Path) -> None:
    sandbox.reset("demo")
    folder = export(sandbox, tmp_path, "--from", "amplitude", "--name", "Demo")
    before = amplitude_snapshot(sandbox)
    with Engine(project="adopt-demo", env=env(sandbox.url)) as engine:
        applied = run_program(folder / "__main__.py", engine)
        assert applied.count("create") == len(applied.operations) > 30
        engine.new_command()
        assert run_program(folder / "__main__.py", engine, preview=True).changes == {}
    assert amplitude_snapshot(sandbox) == before


def rudderstack_snapshot(sandbox: SandboxProcess) -> dict[str, Any]:
    def strip(props: list[dict[str, Any]]) -> str:
        # Content, not spelling: key order, an omitted `required: false` and 0 vs 0.0 mean the same.
        return json.dumps([PlanProperty.from_wire(p).model_dump(mode="json") for p in props], sort_keys=True)

    with rudderstack_client(sandbox) as rs:
        snapshot: dict[str, Any] = {}
        for plan in rs.get("/tracking-plans").json()["trackingPlans"]:
            events = rs.get(f"/tracking-plans/{plan['id']}/events").json()["data"]
            snapshot[plan["name"]] = {
                "description": plan["description"],
                "events": sorted(
                    (e["eventType"], e["name"], e["description"], repr(strip(e["properties"])))
                    for e in events
                ),
                "sources": rs.get(f"/tracking-plans/{plan['id']}/sources").json()["connections"],
            }
    return snapshot


def test_rudderstack_demo_export_then_apply_changes_nothing(sandbox: SandboxProcess, tmp_path: Path) -> None:
    sandbox.reset("demo")
    folder = export(sandbox, tmp_path, "--from", "rudderstack")
    before = rudderstack_snapshot(sandbox)
    with Engine(project="adopt-rs", env=env(sandbox.url)) as engine:
        applied = run_program(folder / "__main__.py", engine)
        assert applied.count("create") == len(applied.operations) == 5  # plan, 3 events, 1 source
        engine.new_command()
        assert run_program(folder / "__main__.py", engine, preview=True).changes == {}
    assert rudderstack_snapshot(sandbox) == before
