"""Moves, replacements and names in paths, through the provider server in the engine's order.

The engine creates a replacement before it deletes what it replaces, and deletes the
resources a program dropped after every create and update of the run. Nothing here may
end with an object missing from Amplitude after a successful apply."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.amplitude.models import user_property_name
from pulumi_taxonomy.amplitude.resources import (
    EventCategoryProvider,
    EventPropertyProvider,
    EventTypeProvider,
    GroupPropertyProvider,
    UserPropertyProvider,
)
from pulumi_taxonomy.testing import Engine, SandboxProcess
from pulumi_taxonomy.testing.engine import StackResource
from tests.conftest import ingest
from tests.engine.conftest import printed
from tests.engine.specs import SPECS, Spec, matches


def on(amp: httpx.Client, event: str | None) -> dict[str, dict[str, Any]]:
    params = {"event_type": event} if event else None
    return {p["event_property"]: p for p in amp.get("/event-property", params=params).json()["data"]}


def replace_in_engine_order(engine: Engine, old: StackResource, news: dict[str, Any]) -> StackResource:
    """`pulumi up --replace`: check, create the replacement, then delete the old resource."""
    checked, failures = engine.server.check(old.urn, old.inputs, engine._news(news.pop("provider"), news))
    assert not failures, failures
    id_, outs = engine.server.create(old.urn, checked)
    engine.server.delete(old.id, old.urn, old.outputs)
    replacement = StackResource(old.urn, id_, checked, outs)
    engine.resources[old.urn] = replacement
    return replacement


def test_moving_a_shared_property_onto_an_event_keeps_it_everywhere(
    engine: Engine, amp: httpx.Client
) -> None:
    """The issue's case: shared -> on an event. As a replace, the delete of the shared
    resource (after the create on the event) removed the definition the event relies on."""
    for name in ("A", "B"):
        amp.post("/event", data={"event_type": name}).raise_for_status()
    shared = {"name": "step", "type": "number", "description": "Which step"}
    engine.up("step", EventPropertyProvider(), shared)
    engine.up("step-on-b", EventPropertyProvider(), {"name": "step", "event_type": "B", "type": "number"})
    plan = engine.preview("step", EventPropertyProvider(), {**shared, "event_type": "A"})
    assert (plan.operation, plan.replaces) == ("update", [])
    assert (
        engine.up("step", EventPropertyProvider(), {**shared, "event_type": "A", "is_required": True})[0]
        == "update"
    )
    assert on(amp, "A")["step"]["is_required"] is True
    assert on(amp, "A")["step"]["type"] == "number"
    assert list(on(amp, "B")) == ["step"] and list(on(amp, None)) == ["step"]
    engine.new_command()
    assert (
        engine.up("step", EventPropertyProvider(), {**shared, "event_type": "A", "is_required": True})[0]
        == "same"
    )


def test_moving_between_events_and_back_to_shared(engine: Engine, amp: httpx.Client) -> None:
    for name in ("A", "B"):
        amp.post("/event", data={"event_type": name}).raise_for_status()
    inputs = {"name": "step", "event_type": "A", "type": "string", "description": "on A"}
    _, created = engine.up("p", EventPropertyProvider(), inputs)
    op, moved = engine.up("p", EventPropertyProvider(), {**inputs, "event_type": "B", "description": "on B"})
    assert (op, moved.id) == ("update", created.id)
    assert (list(on(amp, "A")), on(amp, "B")["step"]["description"]) == ([], "on B")
    op, shared = engine.up("p", EventPropertyProvider(), {**inputs, "event_type": None, "description": "all"})
    assert (op, shared.id) == ("update", created.id)
    assert (list(on(amp, "B")), on(amp, None)["step"]["description"]) == ([], "all")
    engine.new_command()
    refreshed = engine.refresh(shared.urn)
    assert refreshed is not None and refreshed.outputs.get("event_type") is None


def test_moving_a_group_property_between_group_types(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    ingest(sandbox, group_properties={"Company": [], "Team": []})

    def names(group_type: str | None) -> list[str]:
        params = {"group_type": group_type} if group_type else None
        return [p["group_property"] for p in amp.get("/group-property", params=params).json()["data"]]

    inputs = {"name": "seats", "type": "number"}
    engine.up("g", GroupPropertyProvider(), inputs)
    assert engine.up("g", GroupPropertyProvider(), {**inputs, "group_type": "Company"})[0] == "update"
    assert names("Company") == ["grp:seats"] and names(None) == ["grp:seats"]
    assert engine.up("g", GroupPropertyProvider(), {**inputs, "group_type": "Team"})[0] == "update"
    assert names("Team") == ["grp:seats"]
    # Amplitude cannot remove it from Company: it stays there, and the apply says so.
    assert names("Company") == ["grp:seats"]
    assert printed(engine, 'moved off group type "Company"')


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_a_replacement_in_the_engines_order_keeps_the_object(
    spec: Spec, engine: Engine, amp: httpx.Client
) -> None:
    """`pulumi up --replace`: the replacement takes the object over, and the delete of the
    resource it replaces then leaves the object alone."""
    spec.setup(amp)
    _, old = engine.up("r", spec.provider, spec.inputs)
    replacement = replace_in_engine_order(engine, old, {**spec.inputs, "provider": spec.provider})
    assert replacement.id != old.id or spec.id == "EventCategory"
    assert matches(spec.remote(amp, spec.inputs), spec.expected(spec.inputs)), spec.id
    engine.new_command()
    assert engine.refresh(replacement.urn) is not None
    engine.destroy(replacement.urn)  # and a later destroy still deletes it
    if spec.deletable:
        assert spec.remote(amp, spec.inputs) is None


def test_renaming_an_event_and_dropping_one_of_its_properties_in_one_apply(
    engine: Engine, amp: httpx.Client
) -> None:
    """The engine updates the event (renamed) before it deletes the dropped property,
    whose state still names the old event: the property must come off the renamed one."""
    _, event = engine.up("e", EventTypeProvider(), {"name": "Song Played"})
    _, dropped = engine.up("p", EventPropertyProvider(), {"name": "genre", "event_type": "Song Played"})
    engine.up("q", EventPropertyProvider(), {"name": "artist", "event_type": "Song Played"})
    engine.new_command()  # the apply that renames and drops
    engine.up("e", EventTypeProvider(), {"name": "Song Started"})
    assert (
        engine.up("q", EventPropertyProvider(), {"name": "artist", "event_type": "Song Started"})[0]
        == "update"
    )
    engine.destroy(dropped.urn)
    assert list(on(amp, "Song Started")) == ["artist"]
    engine.new_command()
    assert (
        engine.preview(
            "q", EventPropertyProvider(), {"name": "artist", "event_type": "Song Started"}
        ).operation
        == "same"
    )
    assert engine.refresh(event.urn) is not None


def test_a_property_left_on_an_event_renamed_in_another_run_is_reported(
    engine: Engine, amp: httpx.Client
) -> None:
    """What one provider process cannot know: an event renamed by an earlier run (or in
    Amplitude) while a property's state still names the old one. The delete says so."""
    engine.up("e", EventTypeProvider(), {"name": "Song Played"})
    _, dropped = engine.up("p", EventPropertyProvider(), {"name": "genre", "event_type": "Song Played"})
    amp.put("/event/Song Played", data={"new_event_type": "Song Started"}).raise_for_status()
    engine.new_command()
    engine.destroy(dropped.urn)
    assert printed(engine, "If the event was renamed outside this run")
    assert list(on(amp, "Song Started")) == ["genre"], "documented: it stays, and the warning says where"


def test_a_shared_definition_left_behind_by_a_destroy_is_reported_by_drift(
    engine: Engine, amp: httpx.Client, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """Put on an event where no shared one exists, a property gets a shared definition
    from Amplitude; destroying the resource only takes it off the event (documented).
    `pulumi-taxonomy drift` reports such definitions: shared, on no event."""
    engine.up("e", EventTypeProvider(), {"name": "Song Played"})
    _, genre = engine.up("p", EventPropertyProvider(), {"name": "genre", "event_type": "Song Played"})
    engine.destroy(genre.urn)
    assert list(on(amp, "Song Played")) == [] and list(on(amp, None)) == ["genre"]
    amp.post("/event", data={"event_type": "Ad Shown"}).raise_for_status()  # not planned
    amp.post("/event-property", data={"event_property": "slot", "event_type": "Ad Shown"}).raise_for_status()
    plan = tmp_path / "plan.yaml"
    plan.write_text("version: 1\nname: Music\nevents:\n  - name: Song Played\ntargets:\n  amplitude: {}\n")
    listed = sandbox.stats()["by_route"].get(LIST_PROPERTIES, 0)
    result = subprocess.run(
        [sys.executable, "-m", "pulumi_taxonomy", "drift", str(plan), "--format", "json"],
        env={**os.environ, **engine.env, "PULUMI_TAXONOMY_CACHE_SECONDS": "0"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)["drift"]
    assert {
        "vendor": "amplitude",
        "kind": "shared event property",
        "name": "genre",
        "status": "extra",
        "detail": "on no event",
    } in report, report
    assert ("shared event property", "slot") not in {(d["kind"], d["name"]) for d in report}, "on Ad Shown"
    # Each event's properties listed once, and the shared ones once (no cache to hide a repeat).
    assert sandbox.stats()["by_route"][LIST_PROPERTIES] - listed == 3


LIST_PROPERTIES = "GET /api/2/taxonomy/event-property"
NAMES = ["100% done", "#1 hit?", "Café ☕", "a+b", "gp:looks:prefixed", "..."]


def test_names_with_reserved_characters_reach_exactly_their_object(engine: Engine, amp: httpx.Client) -> None:
    """Through paths: percent-encoded, each name reaches its own object and no other."""
    amp.post("/event", data={"event_type": "Bystander"}).raise_for_status()
    for name in NAMES:
        engine.up(f"e{name}", EventTypeProvider(), {"name": name, "description": "v1"})
        engine.up(f"p{name}", EventPropertyProvider(), {"name": name, "event_type": name, "type": "string"})
        engine.up(f"u{name}", UserPropertyProvider(), {"name": name})
    for name in NAMES:
        engine.up(f"e{name}", EventTypeProvider(), {"name": name, "description": "v2"})
        engine.up(f"p{name}", EventPropertyProvider(), {"name": name, "event_type": name, "type": "number"})
    events = {e["event_type"]: e for e in amp.get("/event").json()["data"]}
    assert {n: events[n]["description"] for n in NAMES} == dict.fromkeys(NAMES, "v2")
    assert all([(p, d["type"]) for p, d in on(amp, n).items()] == [(n, "number")] for n in NAMES)
    remote = {user_property_name(n) for n in NAMES}  # "gp:looks:prefixed" is written with its gp:
    assert remote <= {p["user_property"] for p in amp.get("/user-property").json()["data"]}
    engine.new_command()
    assert all(engine.refresh(urn) is not None for urn in list(engine.resources))
    for urn in list(engine.resources):
        engine.destroy(urn)
    assert [e["event_type"] for e in amp.get("/event").json()["data"]] == ["Bystander"]
    assert not {f"gp:{n}" for n in NAMES} & {
        p["user_property"] for p in amp.get("/user-property").json()["data"]
    }


def test_any_category_name_works(engine: Engine, amp: httpx.Client) -> None:
    """Categories never go into a path (read from the list, changed by id)."""
    names = [".", "..", "Checkout / Payment", "../event/x", "100% #1?"]
    for name in names:
        engine.up(name, EventCategoryProvider(), {"name": name})
    assert sorted(c["name"] for c in amp.get("/category").json()["data"]) == sorted(names)
    engine.up(".", EventCategoryProvider(), {"name": "./renamed"})
    engine.new_command()
    assert all(engine.refresh(urn) is not None for urn in list(engine.resources))
    for urn in list(engine.resources):
        engine.destroy(urn)
    assert amp.get("/category").json()["data"] == []
