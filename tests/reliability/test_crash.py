"""The provider server killed at random points of an apply: the next apply (adopt off)
converges, with no "already exists" failure for what the killed apply created, and no
orphans."""

from __future__ import annotations

import random
import threading
import time

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client
from tests.reliability.common import VENDORS, apply, engine_for, plan_for, wrong

POINTS = 10


def count_objects(sandbox: SandboxProcess) -> tuple[int, int, int]:
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH) as amp:
        events = len(amp.get("/event").json()["data"])
    with rudderstack_client(sandbox) as rs:
        plans = rs.get("/tracking-plans").json()["trackingPlans"]
        rs_events = sum(rs.get(f"/tracking-plans/{p['id']}/events").json()["total"] for p in plans)
    return events, len(plans), rs_events


@pytest.mark.slow
@pytest.mark.parametrize("vendor", VENDORS)
def test_killed_applies_converge_without_duplicates(sandbox: SandboxProcess, vendor: str) -> None:
    plan = plan_for(vendor)
    dice = random.Random(f"crash-{vendor}")
    survived = 0
    for point in range(POINTS):
        sandbox.reset("empty")
        with engine_for(sandbox) as engine:
            started = time.monotonic()
            apply(engine, plan)  # a clean run, to learn how long an apply takes
            full = time.monotonic() - started
            sandbox.reset("empty")
            engine.resources.clear()
            engine.new_command()
            delay = dice.uniform(0.05, max(0.1, full))
            killer = threading.Timer(delay, engine.server.kill)
            killer.start()
            try:
                apply(engine, plan)
            except Exception:
                pass
            finally:
                killer.cancel()
            engine.new_command()  # the next `pulumi up`, with whatever state was recorded
            run = apply(engine, plan)  # adopt is off: our own lost creates must be recognised
            assert "delete" not in run.operations.values(), point
            assert wrong(plan, vendor, sandbox) == [], f"point {point} (kill after {delay:.2f}s)"
            events, plans, rs_events = count_objects(sandbox)
            if vendor == "amplitude":
                assert events == len(plan.events), "no duplicates, no orphans"
            if vendor == "rudderstack":
                assert (plans, rs_events) == (1, len(plan.events)), "no duplicates, no orphans"
            engine.new_command()
            assert apply(engine, plan, preview=True).changes == {}
            survived += 1
    print(f"{vendor}: {survived} of {POINTS} crash points survived")
    assert survived == POINTS
