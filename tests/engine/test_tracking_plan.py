"""The TrackingPlan component and `pulumi-taxonomy drift`, against a real sandbox."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pulumi_taxonomy.plan import TrackingPlan, loads
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.program import run_program
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "tracking-plan"


def env(url: str) -> dict[str, str]:
    return {
        "AMPLITUDE_API_KEY": AMPLITUDE_AUTH[0],
        "AMPLITUDE_SECRET_KEY": AMPLITUDE_AUTH[1],
        "AMPLITUDE_BASE_URL": url,
        "AMPLITUDE_DATA_TOKEN": "sandbox-data-token",
        "AMPLITUDE_DATA_BASE_URL": url,  # Taxonomy Import never follows the REST base URL
        "RUDDERSTACK_ACCESS_TOKEN": "sandbox-rudderstack-token",
        "RUDDERSTACK_BASE_URL": url,
        "STITCH_ACCESS_TOKEN": "sandbox-stitch-token",
        "STITCH_CLIENT_ID": "4231",
        "STITCH_BASE_URL": url,
    }


@pytest.fixture
def stack(sandbox: SandboxProcess) -> Iterator[Engine]:
    sandbox.reset("empty")
    with Engine(project="taxonomy-tracking-plan", env=env(sandbox.url)) as engine:
        yield engine


def drift(sandbox: SandboxProcess, *args: str) -> tuple[int, str]:
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "drift", str(EXAMPLE / "plan.yaml"), *args],
        env={**os.environ, **env(sandbox.url)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return result.returncode, result.stdout


def test_the_example_reaches_all_three_vendors_then_drift_reports_exactly_the_change(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    applied = run_program(EXAMPLE / "__main__.py", stack)
    names = set(applied.operations)
    assert {
        "music-amplitude-event-song-played",
        "music-amplitude-event-song-played-property-song-id",
        "music-rudderstack-plan",
        "music-rudderstack-event-song-played",
        "music-rudderstack-source-2rL1XeHCG8P8OrMHnHx4WjMjuTo",
        "music-stitch-events",
        "music-stitch-properties",
        "music-amplitude-user-property-email",
    } <= names
    assert applied.count("create") == len(applied.operations) == 21
    stack.new_command()
    assert run_program(EXAMPLE / "__main__.py", stack, preview=True).changes == {}
    assert sandbox.introspect("GET", "stitch/tables")["tables"] == {
        "tracking_plan_events": 3,
        "tracking_plan_properties": 7,
    }

    code, out = drift(sandbox, "--format", "json")
    assert (code, json.loads(out)["drift"]) == (0, [])
    # A vendor that leaves fields out of its read-back (types, rules, descriptions: the
    # reference promises none of them) shows no drift either: unknown is not different.
    sandbox.introspect("POST", "rudderstack/variant", {"readback": "lean"})
    code, out = drift(sandbox, "--format", "json")
    sandbox.introspect("POST", "rudderstack/variant", {"readback": "full"})
    assert (code, json.loads(out)["drift"]) == (0, [])

    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH) as amp:
        amp.put(
            "/event-property/query",
            data={"event_type": "Search Performed", "overrideScope": "override", "is_required": "false"},
        ).raise_for_status()
    with rudderstack_client(sandbox) as rs:
        [plan] = rs.get("/tracking-plans").json()["trackingPlans"]
        rs.put(
            f"/tracking-plans/{plan['id']}", json={"description": "edited in the dashboard"}
        ).raise_for_status()
    code, out = drift(sandbox, "--format", "json")
    report = json.loads(out)["drift"]
    assert code == 1
    assert [(d["vendor"], d["kind"], d["name"], d["status"]) for d in report] == [
        ("amplitude", "event property", "Search Performed / query", "different"),
        ("rudderstack", "tracking plan", "Music App Plan", "different"),
    ]
    code, markdown = drift(sandbox, "--format", "markdown")
    assert code == 1 and markdown.startswith("### Tracking plan drift: 2 items")


PLAN = """
version: 1
name: Renames
categories: [Checkout]
events:
  - name: {name}
    id: checkout
    category: Checkout
    properties:
      - {{name: order_id, type: string, required: true}}
targets:
  amplitude: {{}}
  rudderstack: {{plan_name: Renames Plan}}
  stitch: {{}}
"""


def test_renaming_an_event_that_keeps_its_id_is_an_in_place_update(stack: Engine) -> None:
    def program(name: str) -> None:
        TrackingPlan("shop", loads(PLAN.format(name=name)))

    run_program(lambda: program("Checkout Done"), stack)
    stack.new_command()
    plan = run_program(lambda: program("Checkout Finished"), stack, preview=True)
    changes = plan.changes
    assert changes["shop-amplitude-event-checkout"] == "update"
    assert "delete" not in changes.values() and "create" not in changes.values()
    applied = run_program(lambda: program("Checkout Finished"), stack)
    assert applied.changes["shop-amplitude-event-checkout"] == "update"


def test_large_plans_go_to_amplitude_as_one_import(stack: Engine, sandbox: SandboxProcess) -> None:
    events = "".join(f"  - {{name: Event {i}, properties: [{{name: p, type: number}}]}}\n" for i in range(5))
    text = (
        "version: 1\nname: Big\nevents:\n"
        + events
        + "targets:\n  amplitude: {import_above: 3, workspace: Sandbox Project}\n"
    )
    applied = run_program(lambda: TrackingPlan("big", loads(text)), stack)
    assert applied.operations == {"big-amplitude-import": "create"}
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH) as amp:
        assert len(amp.get("/event").json()["data"]) == 5
