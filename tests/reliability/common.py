"""What the reliability suites share: the all-vendor example plan, restricted per vendor,
and checks that the vendors hold exactly the plan."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from pulumi_taxonomy.amplitude.client import client_for
from pulumi_taxonomy.plan import Plan, TrackingPlan, loads
from pulumi_taxonomy.plan import drift as compare
from pulumi_taxonomy.rudderstack.client import client_for as rudderstack_client
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.program import ProgramRun, run_program
from tests.engine.test_tracking_plan import env

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "tracking-plan" / "plan.yaml"
VENDORS = ("amplitude", "rudderstack", "stitch")
FAULTS = "429=0.1,500=0.05,drop=0.02"
FAST_RETRIES = {"PULUMI_TAXONOMY_RETRY_WAIT": "0.02"}


def plan_for(vendor: str) -> Plan:
    data = yaml.safe_load(EXAMPLE.read_text())
    data["targets"] = {vendor: data["targets"][vendor]}
    return loads(yaml.safe_dump(data))


def apply(engine: Engine, plan: Plan, preview: bool = False) -> ProgramRun:
    return run_program(lambda: TrackingPlan("music", plan), engine, preview=preview)


def wrong(plan: Plan, vendor: str, sandbox: SandboxProcess) -> list[Any]:
    """What differs from the plan at the vendor, leaving out objects the plan does not name."""
    settings = {"api_key": "sandbox-api-key", "secret_key": "sandbox-secret-key", "base_url": sandbox.url}
    if vendor == "amplitude":
        client = client_for(settings)
        client.cache.invalidate()
        found = compare.amplitude(plan, client)
    elif vendor == "rudderstack":
        client_rs = rudderstack_client({"access_token": "sandbox-rudderstack-token", "base_url": sandbox.url})
        client_rs.cache.invalidate()
        found = compare.rudderstack(plan, client_rs)
    else:
        tables = sandbox.introspect("GET", "stitch/tables")["tables"]
        expected = {
            "tracking_plan_events": len(plan.events),
            "tracking_plan_properties": sum(len(e.properties) for e in plan.events),
        }
        return [] if tables == expected else [("stitch", tables, expected)]
    # In Amplitude the plan's scope is the whole project, where the demo seed's objects are
    # extras by design (the suites check separately that they stay untouched).
    return [d for d in found if not (vendor == "amplitude" and d.status == "extra")]


def engine_for(sandbox: SandboxProcess) -> Engine:
    return Engine(project="reliability", env={**env(sandbox.url), **FAST_RETRIES})
