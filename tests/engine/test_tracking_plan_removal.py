"""Safe removal: `removal: retain` (plan-wide or per target) keeps a removed item at the
vendor and only drops it from the stack, through the real provider server."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pulumi_taxonomy.plan import TrackingPlan, loads
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.program import run_program
from tests.conftest import AMPLITUDE_AUTH, rudderstack_client
from tests.engine.test_tracking_plan import env

PLAN = """
version: 1
name: Removal
removal: {removal}
events:
{events}
targets:
  amplitude: {{}}
  rudderstack: {{plan_name: Removal Plan, removal: delete}}
"""
PLAYED = "  - {name: Song Played, properties: [{name: song_id, type: string}]}\n"
SKIPPED = "  - {name: Song Skipped, properties: [{name: song_id, type: string}]}\n"


@pytest.fixture
def stack(sandbox: SandboxProcess) -> Iterator[Engine]:
    sandbox.reset("empty")
    with Engine(project="taxonomy-removal", env=env(sandbox.url)) as engine:
        yield engine


def program(events: str, removal: str = "retain") -> None:
    TrackingPlan("rm", loads(PLAN.format(removal=removal, events=events)))


def amplitude_events(sandbox: SandboxProcess) -> list[str]:
    with httpx.Client(base_url=f"{sandbox.url}/api/2/taxonomy", auth=AMPLITUDE_AUTH, timeout=10) as amp:
        return sorted(e["event_type"] for e in amp.get("/event").json()["data"])


def rudderstack_events(sandbox: SandboxProcess) -> list[str]:
    with rudderstack_client(sandbox) as rs:
        [plan] = rs.get("/tracking-plans").json()["trackingPlans"]
        events = rs.get(f"/tracking-plans/{plan['id']}/events").json()["data"]
        return sorted(e["name"] for e in events)


def test_retain_keeps_removed_items_at_the_vendor_and_drops_them_from_the_stack(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    created = run_program(lambda: program(PLAYED + SKIPPED), stack)
    assert created.count("create") == len(created.operations)
    assert not any("soft-deletes" in message for _, message in created.logs)  # Amplitude retains

    stack.new_command()
    preview = run_program(lambda: program(PLAYED), stack, preview=True)
    gone = {
        "rm-amplitude-event-song-skipped",
        "rm-amplitude-event-song-skipped-property-song-id",
        "rm-rudderstack-event-song-skipped",
    }
    assert {name for name, op in preview.changes.items() if op == "delete"} == gone
    assert sorted(preview.retained) == sorted(gone - {"rm-rudderstack-event-song-skipped"})

    stack.new_command()
    applied = run_program(lambda: program(PLAYED), stack)
    assert sorted(applied.retained) == sorted(preview.retained)
    assert not any(r.urn.endswith(tuple(f"::{name}" for name in gone)) for r in stack.resources.values())
    assert amplitude_events(sandbox) == ["Song Played", "Song Skipped"]  # retained: still there
    assert rudderstack_events(sandbox) == ["Song Played"]  # removal: delete for RudderStack

    stack.new_command()
    deleting = run_program(lambda: program(PLAYED, removal="delete"), stack, preview=True)
    notes = [message for level, message in deleting.logs if level == "info"]
    assert any("Amplitude soft-deletes what already has data" in note for note in notes), deleting.logs
