"""`pulumi-taxonomy export` then applying the exported program: a preview after it shows
no changes (as after `terraform import`); RudderStack gets no write at all, Amplitude
only the creates that plan what it had seen in data but not planned."""

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
from tests.engine.conftest import writes
from tests.engine.test_tracking_plan import env


def cli(sandbox: SandboxProcess, *args: str) -> subprocess.CompletedProcess[str]:
    """The real CLI, as a subprocess reaching the sandbox through the environment."""
    return subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", *args],
        env={**os.environ, **env(sandbox.url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def export(sandbox: SandboxProcess, tmp: Path, *args: str) -> Path:
    return export_with_warnings(sandbox, tmp, *args)[0]


def export_with_warnings(sandbox: SandboxProcess, tmp: Path, *args: str) -> tuple[Path, str]:
    folder = tmp / "adopt"
    result = cli(sandbox, "export", *args, "--output", str(tmp / "plan.yaml"), "--program", str(folder))
    assert result.returncode == 0, result.stderr
    assert (folder / "plan.yaml").read_text() == (tmp / "plan.yaml").read_text()
    load(folder / "plan.yaml")  # the export is a valid plan
    return folder, result.stderr


def amplitude_snapshot(sandbox: SandboxProcess) -> dict[str, Any]:
    """Everything the Taxonomy API lists, exactly as it answers (an untyped property's
    `null` included)."""
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH, timeout=30) as amp:
        events = amp.get("/event").json()["data"]
        snapshot: dict[str, Any] = {"categories": amp.get("/category").json()["data"], "events": events}
        for event in events:
            snapshot[event["event_type"]] = amp.get(
                "/event-property", params={"event_type": event["event_type"]}
            ).json()["data"]
        snapshot["users"] = amp.get("/user-property").json()["data"]
        snapshot["shared"] = amp.get("/event-property").json()["data"]
    return snapshot


def typed_as_any(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The items whose one change is an untyped (null) type become `any`; any other
    difference fails."""
    assert before.keys() == after.keys()
    changed = []
    for kind, items in before.items():
        assert len(items) == len(after[kind]), kind
        for old, new in zip(items, after[kind], strict=True):
            if old != new:
                assert {**old, "type": "any"} == new and old["type"] is None, (kind, old, new)
                changed.append(f"{kind}: {old.get('event_property') or old.get('user_property')}")
    return changed


def test_amplitude_demo_export_then_apply_plans_what_was_only_seen_and_changes_nothing_else(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """Amplitude's lists show what it has seen in data but never planned beside what is
    planned, so the export holds both; applying it plans the first kind (a plan declares
    them: a create, which an untyped item takes as `any`) and leaves every planned object
    exactly as it was (the create is refused, the object found as declared and taken
    over). After that one apply, nothing is left to do."""
    sandbox.reset("demo")
    folder = export(sandbox, tmp_path, "--from", "amplitude", "--name", "Demo")
    before = amplitude_snapshot(sandbox)
    untyped = [p["event_property"] for p in before["Page Viewed"] if p["type"] is None]
    assert untyped == ["path", "title"]  # seen in data on an unplanned event
    with Engine(project="adopt-demo", env=env(sandbox.url)) as engine:
        applied = run_program(folder / "__main__.py", engine)
        assert applied.count("create") == len(applied.operations) > 30
        assert typed_as_any(before, amplitude_snapshot(sandbox)) == [
            "Onboard Start: Completed Task",
            "Onboard Start: Completed Tutorial",
            "Page Viewed: path",
            "Page Viewed: title",
            "users: gp:utm_source",
            "shared: Completed Task",
            "shared: Completed Tutorial",
            "shared: path",
            "shared: title",
        ], "only what was seen in data but not planned, now planned"
        engine.new_command()
        assert run_program(folder / "__main__.py", engine, preview=True).changes == {}
        written = writes(sandbox)
        run_program(folder / "__main__.py", engine)
        assert writes(sandbox) == written, "a second apply writes nothing"


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
    versions = plan_versions(sandbox)
    written = writes(sandbox)
    with Engine(project="adopt-rs", env=env(sandbox.url)) as engine:
        applied = run_program(folder / "__main__.py", engine)
        assert applied.count("create") == len(applied.operations) == 5  # plan, 3 events, 1 source
        # Events stored without `required: false`, and a connected source: nothing re-sent.
        assert writes(sandbox) == written
        engine.new_command()
        assert run_program(folder / "__main__.py", engine, preview=True).changes == {}
    after = rudderstack_snapshot(sandbox)
    assert after == before
    assert plan_versions(sandbox) == versions  # not even a version bump


def plan_versions(sandbox: SandboxProcess) -> dict[str, int]:
    with rudderstack_client(sandbox) as rs:
        return {p["name"]: p["version"] for p in rs.get("/tracking-plans").json()["trackingPlans"]}


def test_amplitude_export_warns_of_what_the_plan_cannot_say_and_drift_agrees(
    sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """Shared properties on no event cannot be said in a plan: each is named on stderr,
    and `drift` on the fresh export reports exactly those, as the warning announces."""
    sandbox.reset("demo")
    folder, stderr = export_with_warnings(sandbox, tmp_path, "--from", "amplitude", "--name", "Demo")
    unsayable = {"cart_value", "app_version"}
    for name in unsayable:
        assert f'shared event property "{name}" is on no event' in " ".join(stderr.split()), stderr
    result = cli(sandbox, "drift", str(folder / "plan.yaml"), "--format", "json")
    assert result.returncode == 1, result.stderr
    drift = json.loads(result.stdout)["drift"]
    assert sorted((d["kind"], d["name"], d["status"]) for d in drift) == sorted(
        ("shared event property", name, "extra") for name in unsayable
    )
