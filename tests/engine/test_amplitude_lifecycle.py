"""Every Amplitude resource through the real provider server, against a real sandbox."""

from __future__ import annotations

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_taxonomy.amplitude.resources import EventPropertyProvider, EventTypeProvider, UserPropertyProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess
from tests.engine.conftest import printed, writes
from tests.engine.specs import SPECS, Spec, matches

BY_ID = pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])


@BY_ID
def test_lifecycle(spec: Spec, engine: Engine, amp: httpx.Client, sandbox: SandboxProcess) -> None:
    spec.setup(amp)
    before = sandbox.stats()["total_requests"]
    assert engine.preview("r", spec.provider, spec.inputs).operation == "create"
    assert sandbox.stats()["total_requests"] == before, "preview must not call the vendor"

    op, created = engine.up("r", spec.provider, spec.inputs)
    assert op == "create"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs)), spec.remote(amp, spec.inputs)

    # Re-applying the same program is a no-op: no write reaches the vendor.
    writes_before = writes(sandbox)
    engine.new_command()
    assert engine.up("r", spec.provider, spec.inputs)[0] == "same"
    assert writes(sandbox) == writes_before

    updated_inputs = {**spec.inputs, **spec.update}
    op, updated = engine.up("r", spec.provider, updated_inputs)
    assert (op, updated.id) == ("update", created.id)
    assert matches(spec.remote(amp, updated_inputs), spec.expected(updated_inputs))

    renamed_inputs = {**updated_inputs, **spec.rename}
    op, renamed = engine.up("r", spec.provider, renamed_inputs)
    assert (op, renamed.id) == ("update", created.id), "a rename is an in-place update"
    assert spec.remote(amp, updated_inputs) is None
    assert matches(spec.remote(amp, renamed_inputs), spec.expected(renamed_inputs))

    engine.new_command()
    refreshed = engine.refresh(renamed.urn)
    assert refreshed is not None
    assert engine.preview("r", spec.provider, renamed_inputs).operation == "same"

    engine.destroy(renamed.urn)
    if spec.deletable:
        assert spec.remote(amp, renamed_inputs) is None
    else:
        assert spec.remote(amp, renamed_inputs) is not None
        assert printed(engine, "no API to delete group properties")


@BY_ID
def test_refresh_shows_out_of_band_changes_and_up_repairs_them(
    spec: Spec, engine: Engine, amp: httpx.Client
) -> None:
    spec.setup(amp)
    _, created = engine.up("r", spec.provider, spec.inputs)
    before = dict(created.outputs)
    spec.oob_change(amp, spec.inputs)
    engine.new_command()
    refreshed = engine.refresh(created.urn)
    assert refreshed is not None
    assert refreshed.outputs.get(spec.drift_field) != before.get(spec.drift_field)
    plan = engine.preview("r", spec.provider, spec.inputs)
    assert plan.operation == "update"
    assert engine.up("r", spec.provider, spec.inputs)[0] == "update"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs))


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.oob_delete], ids=[s.id for s in SPECS if s.oob_delete]
)
def test_refresh_drops_what_was_deleted_out_of_band(spec: Spec, engine: Engine, amp: httpx.Client) -> None:
    spec.setup(amp)
    _, created = engine.up("r", spec.provider, spec.inputs)
    assert spec.oob_delete is not None
    spec.oob_delete(amp, spec.inputs)
    engine.new_command()
    assert engine.refresh(created.urn) is None
    assert created.urn not in engine.resources
    assert engine.up("r", spec.provider, spec.inputs)[0] == "create"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs))


@BY_ID
def test_existing_objects_are_adopted_only_when_asked(spec: Spec, engine: Engine, amp: httpx.Client) -> None:
    spec.setup(amp)
    spec.pre_existing(amp, spec.inputs).raise_for_status()  # type: ignore[func-returns-value]
    if spec.id == "EventCategory":
        # A category is only its name: one that exists is exactly as declared, and is taken
        # over (the way a create whose answer was lost in a crash is recognised).
        assert engine.up("r", spec.provider, spec.inputs)[0] == "create"
        return
    with pytest.raises(ProviderFailed) as failure:
        engine.up("r", spec.provider, spec.inputs)
    assert "already exists" in failure.value.text and "adopt=True" in failure.value.text
    op, _ = engine.up("r", spec.provider, {**spec.inputs, "adopt": True})
    assert op == "create"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs))
    # Turning adopt off afterwards changes nothing.
    assert engine.up("r", spec.provider, spec.inputs)[0] == "same"


@pytest.mark.parametrize(
    "spec", [s for s in SPECS if s.soft_delete], ids=[s.id for s in SPECS if s.soft_delete]
)
def test_soft_deleted_objects_are_restored_when_adopted(
    spec: Spec, engine: Engine, amp: httpx.Client
) -> None:
    spec.setup(amp)
    assert spec.soft_delete is not None
    spec.soft_delete(amp, spec.inputs)
    assert spec.remote(amp, spec.inputs) is None
    with pytest.raises(ProviderFailed) as failure:
        engine.up("r", spec.provider, spec.inputs)
    assert "deleted" in failure.value.text and "adopt=True" in failure.value.text
    engine.up("r", spec.provider, {**spec.inputs, "adopt": True})
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs))


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_an_object_already_exactly_as_declared_is_taken_over_without_adopt(
    spec: Spec, engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    """How a create whose answer was lost (say the provider was killed) is recognised on the
    next apply: the object is there exactly as declared, so it is this stack's own."""
    spec.setup(amp)
    with Engine(env=engine.env) as first:
        first.up("r", spec.provider, spec.inputs)  # created, then the state is lost
    writes_before = writes(sandbox)
    op, _ = engine.up("r", spec.provider, spec.inputs)
    assert op == "create"
    assert writes(sandbox) - writes_before == 1, "one create attempt (409), and nothing rewritten"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs))


def test_deleting_a_live_event_soft_deletes_it(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    _, event = engine.up("e", EventTypeProvider(), {"name": "Live Event"})
    sandbox.introspect("POST", "amplitude/ingest", {"event_type": "Live Event"})
    engine.destroy(event.urn)
    listed = amp.get("/event", params={"showDeleted": "true"}).json()["data"]
    assert [(e["event_type"], e["deleted"]) for e in listed] == [("Live Event", True)]


def test_changing_the_event_of_a_property_moves_it_in_place(engine: Engine, amp: httpx.Client) -> None:
    for name in ("A", "B"):
        amp.post("/event", data={"event_type": name}).raise_for_status()
    inputs = {"name": "step", "event_type": "A", "type": "number"}
    _, first = engine.up("p", EventPropertyProvider(), inputs)
    plan = engine.preview("p", EventPropertyProvider(), {**inputs, "event_type": "B"})
    assert (plan.operation, plan.replaces) == ("update", [])
    op, second = engine.up("p", EventPropertyProvider(), {**inputs, "event_type": "B"})
    assert op == "update" and second.id == first.id
    on = {
        e: [p["event_property"] for p in amp.get("/event-property", params={"event_type": e}).json()["data"]]
        for e in ("A", "B")
    }
    assert on == {"A": [], "B": ["step"]}


def test_preview_tolerates_unknown_inputs(engine: Engine, amp: httpx.Client, sandbox: SandboxProcess) -> None:
    amp.post("/event", data={"event_type": "A"}).raise_for_status()
    before = sandbox.stats()["total_requests"]
    plan = engine.preview("e", EventTypeProvider(), {"name": "X", "description": Unknown()})
    assert plan.operation == "create"
    assert sandbox.stats()["total_requests"] == before
    engine.up("p", EventPropertyProvider(), {"name": "step", "event_type": "A"})
    before = sandbox.stats()["total_requests"]
    assert (
        engine.preview("p", EventPropertyProvider(), {"name": Unknown(), "event_type": "A"}).operation
        == "update"
    )
    moved = engine.preview("p", EventPropertyProvider(), {"name": "step", "event_type": Unknown()})
    assert (moved.operation, moved.replaces) == ("update", [])
    assert sandbox.stats()["total_requests"] == before


def test_what_was_only_seen_in_data_is_planned_by_adopting_and_stays_editable(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    """Amplitude lists an event it has seen in data but never planned like a planned one;
    adopting it must plan it (a create), not take it over unplanned: Amplitude refuses
    updates of what is not in its plan, so later edits would fail."""
    sandbox.introspect(
        "POST",
        "amplitude/ingest",
        {"event_type": "Seen Event", "event_properties": ["color"], "user_properties": ["plan"]},
    )
    assert (
        engine.up("e", EventTypeProvider(), {"name": "Seen Event", "description": "d", "adopt": True})[0]
        == "create"
    )
    prop = {"name": "color", "event_type": "Seen Event", "type": "string", "adopt": True}
    assert engine.up("p", EventPropertyProvider(), prop)[0] == "create"
    assert (
        engine.up("u", UserPropertyProvider(), {"name": "plan", "type": "string", "adopt": True})[0]
        == "create"
    )
    assert engine.up("e", EventTypeProvider(), {"name": "Seen Event", "description": "edited"})[0] == "update"
    assert (
        engine.up("q", EventPropertyProvider(), {"name": "size", "event_type": "Seen Event"})[0] == "create"
    )
    [listed] = [e for e in amp.get("/event").json()["data"] if e["event_type"] == "Seen Event"]
    assert listed["description"] == "edited"
