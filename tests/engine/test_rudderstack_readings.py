"""RudderStack resources through the real provider server, against each reading of the
reference the vendor may follow where the sandbox's default is only a guess: names that
repeat, `total` and `page`, read-backs that leave fields out, ids that smuggle a path,
and replacements in the engine's order."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_taxonomy.core.cache import TTL_ENV
from pulumi_taxonomy.rudderstack.client import client_for
from pulumi_taxonomy.rudderstack.resources import (
    SourceConnectionProvider,
    TrackingPlanEventProvider,
    TrackingPlanProvider,
)
from pulumi_taxonomy.testing import CheckFailed, Engine, ProviderFailed, SandboxProcess
from tests.conftest import RUDDERSTACK_TOKEN
from tests.engine.conftest import rudderstack_env, writes
from tests.engine.test_rudderstack import CONFIG, PROPERTIES, SOURCE, plan
from tests.sandbox.test_rudderstack import many_events, variant

UNKNOWN_SOURCE = "2zzzzzzzzzzzzzzzzzzzzzzzzzz"  # a source id's shape; no such source here


def plans_named(rs: httpx.Client, name: str) -> list[dict[str, Any]]:
    return [p for p in rs.get("/tracking-plans").json()["trackingPlans"] if p["name"] == name]


def gets(sandbox: SandboxProcess, route: str) -> int:
    return int(sandbox.stats()["by_route"].get(route, 0))


# -- 1. the create answer's id; names only to adopt ----------------------------------------


def test_a_plan_of_the_same_name_is_never_taken_without_adopt(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """Without name uniqueness (the reference never promises it), a plan that merely shares
    the name is someone else's: refused without adopt; two of them are ambiguous even with it."""
    variant(sandbox, unique_plan_names=False)
    theirs = rs.post("/tracking-plans", json={"name": "Web Plan", "description": "theirs"}).json()
    before = writes(sandbox)
    with pytest.raises(ProviderFailed) as refused:
        rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan", "description": "ours"})
    assert "already has a tracking plan of this name" in refused.value.text, refused.value.text
    assert "adopt=True" in refused.value.text
    assert writes(sandbox) == before, "nothing was written"
    assert [p["description"] for p in plans_named(rs, "Web Plan")] == ["theirs"]

    rs.post("/tracking-plans", json={"name": "Web Plan", "description": "also theirs"})
    with pytest.raises(ProviderFailed) as ambiguous:
        rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan", "description": "ours", "adopt": True})
    assert "2 tracking plans of this name" in ambiguous.value.text, ambiguous.value.text
    assert sorted(p["description"] for p in plans_named(rs, "Web Plan")) == ["also theirs", "theirs"]

    other = next(p for p in plans_named(rs, "Web Plan") if p["id"] != theirs["id"])
    rs.delete(f"/tracking-plans/{other['id']}")
    _, adopted = rs_engine.up(
        "p", TrackingPlanProvider(), {"name": "Web Plan", "description": "ours", "adopt": True}
    )
    assert adopted.id == theirs["id"]
    assert [p["description"] for p in plans_named(rs, "Web Plan")] == ["ours"]


def test_a_new_plan_is_known_by_the_id_its_create_answer_gives(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    variant(sandbox, unique_plan_names=False)
    _, created = rs_engine.up("m", TrackingPlanProvider(), {"name": "Mobile Plan"})
    [remote] = plans_named(rs, "Mobile Plan")
    assert created.id == remote["id"]
    # Another plan of that name appears later: ours is still ours, and no other is touched.
    rs.post("/tracking-plans", json={"name": "Mobile Plan", "description": "theirs"})
    rs_engine.new_command()
    _, updated = rs_engine.up("m", TrackingPlanProvider(), {"name": "Mobile Plan", "description": "v2"})
    assert updated.id == created.id
    assert sorted((p["id"] == created.id, p["description"]) for p in plans_named(rs, "Mobile Plan")) == [
        (False, "theirs"),
        (True, "v2"),
    ]


# -- 2. pages: short or empty ends the list; `total` is not trusted -------------------------


def test_events_beyond_the_first_page_are_found(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """The sandbox reads `total` as the reference words it ("entries in the response"): a
    client that pages by `total` never sees page 2."""
    tp = plan(rs_engine)
    many_events(rs, tp, 55)
    inputs = {"tracking_plan_id": tp, "name": "Late Event", "properties": PROPERTIES[1:3]}
    op, created = rs_engine.up("late", TrackingPlanEventProvider(), inputs)
    assert op == "create" and created.outputs["event_id"].startswith("ev_")
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is not None, "an event on page 2 is not gone"
    assert rs_engine.preview("late", TrackingPlanEventProvider(), inputs).operation == "same"

    # An event already on page 2 is not overwritten without adopt.
    on_page_two = {
        "tracking_plan_id": tp,
        "name": "Event 052",
        "properties": [{"name": "other", "type": "string"}],
    }
    with pytest.raises(ProviderFailed) as refused:
        rs_engine.up("e52", TrackingPlanEventProvider(), on_page_two)
    assert "adopt=True" in refused.value.text, refused.value.text
    listed = rs.get(f"/tracking-plans/{tp}/events", params={"page": 2}).json()["data"]
    assert next(e for e in listed if e["name"] == "Event 052")["properties"][0]["name"] == "product_id"


def test_a_vendor_that_ignores_page_neither_loops_nor_loses_events(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    tp = plan(rs_engine)
    many_events(rs, tp, 50)
    inputs = {"tracking_plan_id": tp, "name": "Late Event", "properties": PROPERTIES[1:3]}
    _, created = rs_engine.up("late", TrackingPlanEventProvider(), inputs)  # the 51st: page 2
    variant(sandbox, page_param="ignored", total="plan")
    rs_engine.new_command()
    lists, singles = (
        gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events"),
        gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events/{event}"),
    )
    refreshed = rs_engine.refresh(created.urn)
    assert refreshed is not None, "not dropped: the event is read on its own"
    assert refreshed.outputs["event_id"] == created.outputs["event_id"]
    assert gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events") - lists == 2, "page 2 repeats page 1"
    assert gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events/{event}") - singles == 1
    assert rs_engine.up("late", TrackingPlanEventProvider(), inputs)[0] == "same"

    client = client_for({"access_token": RUDDERSTACK_TOKEN, "base_url": sandbox.url})
    client.cache.invalidate()
    listing = client.event_listing(tp)
    ids = [e.id for e in listing.events]
    assert (len(ids), len(set(ids)), listing.complete) == (50, 50, False), "no duplicates, and it says so"

    # An event the list cannot show is not silently taken for created.
    with pytest.raises(ProviderFailed) as unseen:
        rs_engine.up("more", TrackingPlanEventProvider(), {**inputs, "name": "More Event"})
    assert "lists only 50 events" in unseen.value.text, unseen.value.text

    # Nor one renamed after the old one left the plan outside: the old id, gone, is asked
    # for once, not again when the list does not show the new one either.
    rs.delete(f"/tracking-plans/{tp}/events/{created.outputs['event_id']}").raise_for_status()
    singles = gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events/{event}")
    with pytest.raises(ProviderFailed) as renamed:
        rs_engine.up("late", TrackingPlanEventProvider(), {**inputs, "name": "Renamed Event"})
    assert "lists only 50 events" in renamed.value.text, renamed.value.text
    assert gets(sandbox, "GET /v2/catalog/tracking-plans/{plan}/events/{event}") - singles == 1


# -- 3. what a read-back leaves out is unknown, not drift ------------------------------------


def test_fields_left_out_of_a_read_back_are_not_drift(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    tp = plan(rs_engine)
    inputs = {"tracking_plan_id": tp, "name": "Product Viewed", "description": "d", "properties": PROPERTIES}
    _, created = rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    variant(sandbox, readback="lean")
    rs_engine.new_command()
    refreshed = rs_engine.refresh(created.urn)
    assert refreshed is not None
    assert refreshed.outputs["properties"] == created.outputs["properties"]
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "same"
    before = writes(sandbox)
    assert rs_engine.up("e", TrackingPlanEventProvider(), inputs)[0] == "same"
    assert writes(sandbox) == before

    # What the vendor does show still shows drift: a property made optional in the dashboard.
    variant(sandbox, readback="full")
    path = f"/tracking-plans/{tp}/events/{created.outputs['event_id']}"
    full = rs.get(path, params={"format": "properties"}).json()["properties"]

    def without_ids(props: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [
            {k: without_ids(v) if k == "properties" else v for k, v in p.items() if k != "id"} for p in props
        ]

    edited = [p | {"required": False} if p["name"] == "product_id" else p for p in without_ids(full)]
    body = {"name": "Product Viewed", "eventType": "track", "description": "d", "properties": edited}
    rs.post(f"/tracking-plans/{tp}/events", json=body).raise_for_status()
    variant(sandbox, readback="lean")
    rs_engine.new_command()
    drifted = rs_engine.refresh(created.urn)
    assert drifted is not None and drifted.outputs["properties"][0]["required"] is False
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "update"
    rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is not None
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "same"


def test_a_lean_read_back_proves_nothing_it_leaves_out(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """Creating under a lean read-back works; taking over an existing event as "exactly as
    declared" needs proof the vendor does not give, so it asks for adopt instead."""
    variant(sandbox, readback="lean")
    tp = plan(rs_engine)
    inputs = {"tracking_plan_id": tp, "name": "Signed Up", "properties": PROPERTIES[:3]}
    assert rs_engine.up("e", TrackingPlanEventProvider(), inputs)[0] == "create"
    rs_engine.new_command()
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "same"
    with Engine(env=rs_engine.env) as fresh:
        with pytest.raises(ProviderFailed) as unproven:
            fresh.up("e", TrackingPlanEventProvider(), inputs)
        assert "adopt=True" in unproven.value.text
        assert fresh.up("e", TrackingPlanEventProvider(), {**inputs, "adopt": True})[0] == "create"


# -- 4. ids that smuggle a path never reach the vendor ----------------------------------------


@pytest.mark.parametrize(
    "source_id",
    [
        "../../{other}/sources/" + SOURCE,
        SOURCE + "/",
        SOURCE + "?x=1",
        SOURCE + "#x",
        "%2e%2e",
        "..",
        "2nk0qVvmxE79uIwsKebgVH4iNT\u0280",
    ],
    ids=["dot-dot", "slash", "query", "fragment", "encoded", "dots", "unicode"],
)
def test_source_ids_that_smuggle_a_path_are_refused_before_any_request(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess, source_id: str
) -> None:
    web, other = plan(rs_engine, "Web Plan"), plan(rs_engine, "Other Plan")
    before = sandbox.stats()["total_requests"]
    with pytest.raises(CheckFailed) as refused:
        rs_engine.up(
            "c",
            SourceConnectionProvider(),
            {"tracking_plan_id": web, "source_id": source_id.format(other=other), "config": CONFIG},
        )
    assert [prop for prop, _ in refused.value.failures] == ["source_id"], refused.value
    assert "RudderStack source id" in refused.value.failures[0][1]
    assert sandbox.stats()["total_requests"] == before
    assert rs.get(f"/tracking-plans/{other}/sources").json()["connections"] == []


# -- 5. replacements in the engine's order ----------------------------------------------------


def test_event_replacements_create_the_new_before_deleting_the_old(
    rs_engine: Engine, rs: httpx.Client
) -> None:
    web, mobile = plan(rs_engine, "Web Plan"), plan(rs_engine, "Mobile Plan")
    inputs = {"tracking_plan_id": web, "name": "Signed Up", "properties": PROPERTIES[:3]}
    _, created = rs_engine.up("e", TrackingPlanEventProvider(), inputs)

    as_identify = {**inputs, "event_type": "identify", "name": ""}
    op, identify = rs_engine.up("e", TrackingPlanEventProvider(), as_identify)
    assert op == "replace"
    [left] = rs.get(f"/tracking-plans/{web}/events").json()["data"]
    assert (left["eventType"], left["id"]) == ("identify", identify.outputs["event_id"])
    assert [p["name"] for p in left["properties"]] == ["product_id", "price", "currency"]

    moved = {**as_identify, "tracking_plan_id": mobile}
    op, there = rs_engine.up("e", TrackingPlanEventProvider(), moved)
    assert op == "replace"
    assert rs.get(f"/tracking-plans/{web}/events").json()["data"] == []
    [arrived] = rs.get(f"/tracking-plans/{mobile}/events").json()["data"]
    assert arrived["id"] == there.outputs["event_id"] and len(arrived["properties"]) == 3
    rs_engine.new_command()
    assert rs_engine.refresh(there.urn) is not None
    assert created.outputs["event_id"] != there.outputs["event_id"]


def test_a_connection_to_a_new_source_is_made_before_the_old_one_goes(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    web, mobile = plan(rs_engine, "Web Plan"), plan(rs_engine, "Mobile Plan")
    inputs = {"tracking_plan_id": web, "source_id": SOURCE, "config": CONFIG}
    rs_engine.up("c", SourceConnectionProvider(), inputs)

    with pytest.raises(ProviderFailed) as refused:
        rs_engine.up("c", SourceConnectionProvider(), {**inputs, "source_id": UNKNOWN_SOURCE})
    assert "Invalid source ID" in refused.value.text
    connected = rs.get(f"/tracking-plans/{web}/sources").json()["connections"]
    assert [c["sourceId"] for c in connected] == [SOURCE], "the old connection is still there"

    other_source = httpx.post(
        f"{sandbox.url}/_sandbox/rudderstack/sources", json={"name": "iOS app"}, timeout=10
    ).json()["id"]
    op, _ = rs_engine.up("c", SourceConnectionProvider(), {**inputs, "source_id": other_source})
    assert op == "replace"
    connected = rs.get(f"/tracking-plans/{web}/sources").json()["connections"]
    assert [c["sourceId"] for c in connected] == [other_source]

    # The same source to another plan: disconnected first (one plan at a time), then connected.
    op, moved = rs_engine.up(
        "c", SourceConnectionProvider(), {**inputs, "source_id": other_source, "tracking_plan_id": mobile}
    )
    assert op == "replace"
    assert rs.get(f"/tracking-plans/{web}/sources").json()["connections"] == []
    assert [c["sourceId"] for c in rs.get(f"/tracking-plans/{mobile}/sources").json()["connections"]] == [
        other_source
    ]
    rs_engine.new_command()
    assert rs_engine.refresh(moved.urn) is not None


def test_faults_without_unique_names_make_no_duplicate_plan(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """A create whose answer is lost is found again without relying on unique names."""
    variant(sandbox, unique_plan_names=False)
    sandbox.set_faults("drop=0.5", seed=3)
    try:
        created = [rs_engine.up(f"p{i}", TrackingPlanProvider(), {"name": f"Plan {i}"})[1] for i in range(4)]
    finally:
        sandbox.set_faults("")
    assert sandbox.stats()["faults_injected"].get("drop", 0) > 0
    remote = rs.get("/tracking-plans").json()["trackingPlans"]
    assert sorted(p["name"] for p in remote) == [f"Plan {i}" for i in range(4)], "no duplicates"
    assert {p["id"] for p in remote} == {r.id for r in created}


# -- many events: the list is not read again for each one -----------------------------------


def listed_ids(rs: httpx.Client, tp: str) -> dict[str, str]:
    ids: dict[str, str] = {}
    for number in range(1, 51):
        data = rs.get(f"/tracking-plans/{tp}/events", params={"page": number}).json()["data"]
        ids.update((e["name"], e["id"]) for e in data)
        if len(data) < 50:
            return ids
    return ids


def test_events_added_one_by_one_cost_about_two_requests_each(
    rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """An upsert answers with the plan, not the event, so the new event's id is looked up
    in the plan's list: at its end first, not in the whole list each time (which made a
    plan of 2,000 events cost 80,000 requests)."""
    sandbox.reset("empty")
    # The list kept for as long as the test may take on a loaded machine, so that the
    # count does not depend on the clock.
    with Engine(env={**rudderstack_env(sandbox.url), TTL_ENV: "600"}) as engine:
        tp = plan(engine)
        count = 130  # three pages
        before = sandbox.stats()["total_requests"]
        created = {
            f"Event {i:03d}": engine.up(
                f"e{i}",
                TrackingPlanEventProvider(),
                {"tracking_plan_id": tp, "name": f"Event {i:03d}", "properties": PROPERTIES[1:2]},
            )[1]
            for i in range(count)
        }
        requests = sandbox.stats()["total_requests"] - before
        # One upsert and one page each, and the whole list once, at the start.
        assert requests <= 2 * count + 5, requests
        assert {name: r.outputs["event_id"] for name, r in created.items()} == listed_ids(rs, tp)
        # An update of an event the stack knows reads it back by its id: one request.
        before = sandbox.stats()["total_requests"]
        updated = engine.up(
            "e5",
            TrackingPlanEventProvider(),
            {"tracking_plan_id": tp, "name": "Event 005", "properties": PROPERTIES[1:3]},
        )
        assert (
            updated[0] == "update"
            and updated[1].outputs["event_id"] == created["Event 005"].outputs["event_id"]
        )
        assert sandbox.stats()["total_requests"] - before == 2, "the upsert and one GET"


def test_a_new_event_is_refused_unsent_when_the_list_could_no_longer_show_it(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """RudderStack's lists stop at 50 pages (2,500 events). A plan one event short of that
    takes one more, whose id is learnt; the next would be past the list's end, so it is
    refused before anything is sent, even though the list read for the first still looked
    complete."""
    tp = plan(rs_engine)
    many_events(rs, tp, 2499)
    last = rs_engine.up(
        "last",
        TrackingPlanEventProvider(),
        {"tracking_plan_id": tp, "name": "Last Fits", "properties": PROPERTIES[1:2]},
    )[1]
    assert last.outputs["event_id"] == listed_ids(rs, tp)["Last Fits"]
    with pytest.raises(ProviderFailed) as refused:
        rs_engine.up(
            "past",
            TrackingPlanEventProvider(),
            {"tracking_plan_id": tp, "name": "Past The End", "properties": PROPERTIES[1:2]},
        )
    assert "nothing was sent" in refused.value.text, refused.value.text
    assert "Past The End" not in listed_ids(rs, tp)


def test_an_event_written_in_one_plan_is_read_fresh_in_another(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """An event's description belongs to the workspace's catalog, shared by the plans that
    hold it: a write to it through one plan is seen by a read through the other."""
    web, mobile = plan(rs_engine, "Web Plan"), plan(rs_engine, "Mobile Plan")
    inputs = {"name": "Shared Event", "description": "v1", "properties": PROPERTIES[1:2]}
    on_web = rs_engine.up("w", TrackingPlanEventProvider(), {**inputs, "tracking_plan_id": web})[1]
    rs_engine.up("m", TrackingPlanEventProvider(), {**inputs, "tracking_plan_id": mobile, "adopt": True})
    assert rs_engine.refresh(on_web.urn) is not None  # the web plan's list, read and kept
    rs_engine.up(
        "m", TrackingPlanEventProvider(), {**inputs, "tracking_plan_id": mobile, "description": "v2"}
    )
    refreshed = rs_engine.refresh(on_web.urn)
    assert refreshed is not None and refreshed.outputs["description"] == "v2", "not the kept v1"


def test_a_vendor_that_lists_events_by_name_still_gives_each_new_event_its_own_id(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    """Where a new event is listed is not documented: listed by name, a new event lands on
    an earlier page than the end, and is then found in the whole list."""
    variant(sandbox, order="name")
    tp = plan(rs_engine)
    names = [f"Event {i:03d}" for i in reversed(range(70))]  # each new one sorts first
    created = {
        name: rs_engine.up(
            name,
            TrackingPlanEventProvider(),
            {"tracking_plan_id": tp, "name": name, "properties": PROPERTIES[1:2]},
        )[1]
        for name in names
    }
    assert {name: r.outputs["event_id"] for name, r in created.items()} == listed_ids(rs, tp)
    renamed = rs_engine.up(
        names[-1],
        TrackingPlanEventProvider(),
        {"tracking_plan_id": tp, "name": "Aaa First", "properties": PROPERTIES[1:2]},
    )[1]
    assert renamed.outputs["event_id"] == listed_ids(rs, tp)["Aaa First"]
    assert names[-1] not in listed_ids(rs, tp), "the old name left the plan"
