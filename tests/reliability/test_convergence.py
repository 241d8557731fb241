"""Applies interrupted by 429s, 5xx and lost answers converge: the vendor ends up exactly
as planned, nothing duplicated, nothing unmanaged touched, and one more apply is a no-op."""

from __future__ import annotations

import zlib
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.plan import Plan
from pulumi_taxonomy.testing import Engine, SandboxProcess
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client
from tests.reliability.common import FAULTS, VENDORS, apply, engine_for, plan_for, wrong


def unmanaged(sandbox: SandboxProcess) -> dict[str, Any]:
    """The demo seed's objects, which the plan does not name."""
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH) as amp:
        events = {e["event_type"]: e for e in amp.get("/event").json()["data"]}
        demo = {
            name: event
            for name, event in events.items()
            if name not in ("Song Played", "Song Skipped", "Search Performed")
        }
        props = {
            name: amp.get("/event-property", params={"event_type": name}).json()["data"] for name in demo
        }
    with rudderstack_client(sandbox) as rs:
        plans = [
            p for p in rs.get("/tracking-plans").json()["trackingPlans"] if p["name"] != "Music App Plan"
        ]
        rs_events = {p["name"]: rs.get(f"/tracking-plans/{p['id']}/events").json()["data"] for p in plans}
    return {
        "amplitude": demo,
        "properties": props,
        "rudderstack": {p["name"]: p for p in plans},
        "rudderstack_events": rs_events,
    }


def converge(engine: Engine, plan: Plan) -> int:
    """Apply, retrying the whole apply on failure (at most three runs); the runs it took."""
    for run in range(1, 4):
        try:
            apply(engine, plan)
            return run
        except Exception:
            engine.new_command()
    pytest.fail("the apply did not succeed in three runs")


def edited(plan: Plan) -> Plan:
    """Every event's description changed, so the second apply updates everything."""
    events = [e.model_copy(update={"description": f"{e.description} (v2)"}) for e in plan.events]
    return plan.model_copy(update={"events": events})


@pytest.mark.parametrize("seed", [0, 1, 2])
@pytest.mark.parametrize("vendor", VENDORS)
def test_faulty_apply_converges_and_touches_nothing_else(
    sandbox: SandboxProcess, vendor: str, seed: int
) -> None:
    sandbox.reset("demo")
    plan = plan_for(vendor)
    before = unmanaged(sandbox)
    with engine_for(sandbox) as engine:
        sandbox.set_faults(FAULTS, seed=zlib.crc32(vendor.encode()) + seed)
        try:
            runs = [converge(engine, plan), converge(engine, edited(plan))]
        finally:
            sandbox.set_faults("")
        injected = sandbox.stats()["faults_injected"]
        print(f"{vendor} seed {seed}: faults injected {injected}, runs per apply {runs}")
        assert sum(injected.values()) > 0
        assert wrong(edited(plan), vendor, sandbox) == [], "the vendor holds exactly the plan"
        assert unmanaged(sandbox) == before, "nothing the plan does not name was touched"
        engine.new_command()
        assert apply(engine, edited(plan), preview=True).changes == {}, "one more apply is a no-op"
