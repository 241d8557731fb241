"""Managed resources carry the ids and timestamps the vendors' answers give, exactly as
the vendor wrote them, through create, update and refresh (the real provider server
against the sandbox), and never one the answer left out."""

from __future__ import annotations

from typing import Any

import httpx

from pulumi_taxonomy.amplitude.taxonomy_import import TaxonomyImportProvider
from pulumi_taxonomy.rudderstack.models import EventInfo, PlanInfo
from pulumi_taxonomy.rudderstack.resources import (
    TrackingPlanEventProvider,
    TrackingPlanProvider,
    _facts,
)
from pulumi_taxonomy.testing import Engine, SandboxProcess
from tests.engine.test_taxonomy_import import EVENTS_ONLY
from tests.engine.test_taxonomy_import import env as import_env
from tests.engine.test_taxonomy_import import inputs as import_inputs

FACTS = ("workspace_id", "created_at", "updated_at")


def facts(outputs: dict[str, Any]) -> dict[str, Any]:
    return {k: outputs.get(k) for k in FACTS}


def vendor_facts(answer: dict[str, Any]) -> dict[str, Any]:
    return {
        "workspace_id": answer["workspaceId"],
        "created_at": answer["createdAt"],
        "updated_at": answer["updatedAt"],
    }


def test_a_tracking_plan_carries_rudderstacks_ids_and_timestamps(rs_engine: Engine, rs: httpx.Client) -> None:
    _, created = rs_engine.up("plan", TrackingPlanProvider(), {"name": "Checkout Plan"})
    first = rs.get(f"/tracking-plans/{created.id}").json()
    assert facts(created.outputs) == vendor_facts(first)
    rs_engine.new_command()
    op, updated = rs_engine.up("plan", TrackingPlanProvider(), {"name": "Checkout Plan", "description": "v2"})
    now = rs.get(f"/tracking-plans/{created.id}").json()
    assert op == "update" and facts(updated.outputs) == vendor_facts(now)
    assert updated.outputs["created_at"] == first["createdAt"]
    # Changed out of band: a refresh reads the vendor's new timestamp; they are no
    # inputs, so the next preview shows no change.
    rs.put(f"/tracking-plans/{created.id}", json={"name": "Checkout Plan", "description": "v2"})
    rs_engine.new_command()
    refreshed = rs_engine.refresh(created.urn)
    assert refreshed is not None
    assert facts(refreshed.outputs) == vendor_facts(rs.get(f"/tracking-plans/{created.id}").json())
    plan = rs_engine.preview("plan", TrackingPlanProvider(), {"name": "Checkout Plan", "description": "v2"})
    assert plan.operation == "same"


def test_a_plan_event_carries_rudderstacks_ids_and_timestamps(rs_engine: Engine, rs: httpx.Client) -> None:
    _, plan = rs_engine.up("plan", TrackingPlanProvider(), {"name": "Checkout Plan"})
    event = {
        "tracking_plan_id": plan.id,
        "name": "Order Completed",
        "properties": [{"name": "order_id", "type": "string", "required": True}],
    }
    _, created = rs_engine.up("event", TrackingPlanEventProvider(), event)
    answer = rs.get(f"/tracking-plans/{plan.id}/events/{created.outputs['event_id']}").json()
    assert facts(created.outputs) == vendor_facts(answer)
    rs_engine.new_command()
    refreshed = rs_engine.refresh(created.urn)
    assert refreshed is not None and facts(refreshed.outputs) == vendor_facts(answer)


def test_an_answer_without_them_gives_none() -> None:
    assert _facts(PlanInfo.model_validate({"id": "tp_" + "0" * 27, "name": "Plan"})) == {}
    partial = EventInfo.model_validate({"id": "ev_x", "name": "E", "eventType": "track", "createdAt": "2024"})
    assert _facts(partial) == {"created_at": "2024"}


def test_a_taxonomy_import_carries_the_main_branch_id(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    with Engine(env=import_env(sandbox.url)) as stack:
        _, created = stack.up("plan", TaxonomyImportProvider(), import_inputs())
        data = sandbox.introspect("GET", "amplitude/data")
        assert (created.outputs["workspace_id"], created.outputs["main_branch_id"]) == (
            data["workspace"]["id"],
            data["branches"][0]["id"],
        )
        stack.new_command()
        op, updated = stack.up("plan", TaxonomyImportProvider(), import_inputs(EVENTS_ONLY))
        assert op == "update" and updated.outputs["main_branch_id"] == data["branches"][0]["id"]
