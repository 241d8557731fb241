"""Whole Pulumi programs, run under mocks with their resources forwarded to the real
provider server: the quickstart itself, and a program that changes between runs."""

from __future__ import annotations

from pathlib import Path

import httpx

from pulumi_taxonomy.amplitude import EventProperty, EventType
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.program import run_program
from tests.engine.conftest import amplitude_env

QUICKSTART = Path(__file__).resolve().parents[2] / "examples" / "quickstart" / "__main__.py"


def test_quickstart_applies_then_previews_clean(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    sandbox.reset("demo")
    with Engine(project="taxonomy-quickstart", env=amplitude_env(sandbox.url)) as engine:
        applied = run_program(QUICKSTART, engine)
        assert applied.count("create") == len(applied.operations) == 14
        engine.new_command()
        assert run_program(QUICKSTART, engine, preview=True).changes == {}
        engine.new_command()
        assert run_program(QUICKSTART, engine).changes == {}
    props = amp.get("/event-property", params={"event_type": "Song Played"}).json()["data"]
    assert [(p["event_property"], p["is_required"]) for p in props] == [("position_ms", True)]


def test_program_edits_become_minimal_changes(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    sandbox.reset("empty")

    def version(name: str, with_property: bool) -> None:
        event = EventType("checkout", name=name)
        if with_property:
            EventProperty("order-id", name="order_id", event_type=event.name, type="string", is_required=True)

    def on(event: str) -> list[str]:
        props = amp.get("/event-property", params={"event_type": event}).json()["data"]
        return [p["event_property"] for p in props]

    with Engine(env=amplitude_env(sandbox.url)) as engine:
        first = run_program(lambda: version("Checkout Done", with_property=True), engine)
        assert first.operations == {"checkout": "create", "order-id": "create"}
        # Renaming the event: the event is updated in place; its property follows it
        # in Amplitude, and in the stack it is updated in place onto the new name.
        engine.new_command()
        renamed = run_program(lambda: version("Checkout Finished", with_property=True), engine)
        assert renamed.operations == {"checkout": "update", "order-id": "update"}
        assert on("Checkout Finished") == ["order_id"]
        engine.new_command()
        assert run_program(lambda: version("Checkout Finished", with_property=True), engine).changes == {}
        # Dropping the property from the program deletes it from the event.
        engine.new_command()
        dropped = run_program(lambda: version("Checkout Finished", with_property=False), engine)
        assert dropped.operations == {"checkout": "same", "order-id": "delete"}
    assert [e["event_type"] for e in amp.get("/event").json()["data"]] == ["Checkout Finished"]
    assert on("Checkout Finished") == []


def test_rudderstack_example_applies_then_previews_clean(sandbox: SandboxProcess) -> None:
    from tests.conftest import rudderstack_client
    from tests.engine.conftest import rudderstack_env

    program = QUICKSTART.parents[1] / "rudderstack" / "__main__.py"
    sandbox.reset("demo")
    with Engine(project="taxonomy-rudderstack", env=rudderstack_env(sandbox.url)) as engine:
        assert run_program(program, engine).count("create") == 5
        engine.new_command()
        assert run_program(program, engine, preview=True).changes == {}
    with rudderstack_client(sandbox) as rs:
        plans = {p["name"]: p["id"] for p in rs.get("/tracking-plans").json()["trackingPlans"]}
        events = rs.get(f"/tracking-plans/{plans['Storefront Plan']}/events").json()
        assert events["total"] == 3
        connections = rs.get(f"/tracking-plans/{plans['Storefront Plan']}/sources").json()["connections"]
        assert connections[0]["config"]["track"]["allowUnplannedEvents"] == "false"


def test_warehouse_example_applies_then_previews_clean(sandbox: SandboxProcess) -> None:
    program = QUICKSTART.parents[1] / "warehouse" / "__main__.py"
    sandbox.reset("empty")
    stitch = {
        "STITCH_ACCESS_TOKEN": "sandbox-stitch-token",
        "STITCH_CLIENT_ID": "4231",
        "STITCH_BASE_URL": sandbox.url,
    }
    with Engine(project="taxonomy-warehouse", env=stitch) as engine:
        assert run_program(program, engine).count("create") == 2
        engine.new_command()
        assert run_program(program, engine, preview=True).changes == {}
    tables = sandbox.introspect("GET", "stitch/tables")["tables"]
    assert tables == {"tracking_plan_events": 3, "tracking_plan_properties": 4}
