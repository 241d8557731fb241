"""RudderStack resources through the real provider server against the sandbox."""

from __future__ import annotations

import copy
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from pulumi.output import Unknown

from pulumi_taxonomy.rudderstack.resources import (
    SourceConnectionProvider,
    TrackingPlanEventProvider,
    TrackingPlanProvider,
)
from pulumi_taxonomy.testing import CheckFailed, Engine, ProviderFailed, SandboxProcess
from tests.conftest import rudderstack_client
from tests.engine.conftest import writes

SOURCE, OTHER_SOURCE = "2nk0qVvmxE79uIwsKebgVH4iNTR", "2rL1XeHCG8P8OrMHnHx4WjMjuTo"
TP = "tp_5gopz6tfKxAjpS4TjuqVIeTdm7T"  # the reference's plan id: a valid shape, no such plan here
PROPERTIES: list[dict[str, Any]] = [
    {
        "name": "product_id",
        "type": "string",
        "required": True,
        "description": "Catalog id",
        "rules": {"min_length": 1, "max_length": 64, "pattern": "^[A-Z0-9-]+$"},
    },
    {"name": "price", "type": "number", "rules": {"minimum": 0, "maximum": 10000, "multiple_of": 0.01}},
    {"name": "currency", "type": "string", "rules": {"enum": ["USD", "EUR", "GBP"]}},
    {"name": "quantity", "type": "integer", "rules": {"exclusive_minimum": 0}},
    {"name": "coupon", "types": ["string", "null"]},
    {"name": "anything"},
    {
        "name": "products",
        "type": "array",
        "required": True,
        "rules": {"min_items": 1, "unique_items": True},
        "additional_properties": False,
        "properties": [
            {"name": "sku", "type": "string", "required": True},
            {
                "name": "dims",
                "type": "object",
                "properties": [{"name": "width", "type": "number"}],
                "additional_properties": True,
            },
        ],
    },
    {"name": "flags", "type": "object", "metadata": {"owner": "growth"}, "rules": {"const": "x"}},
]
CONFIG = {
    "track": {
        "allow_unplanned_events": False,
        "unplanned_properties": "drop",
        "any_other_violation": "forward",
        "propagate_validation_errors": True,
    },
    "identify": {"unplanned_properties": "forward"},
    "group": {"any_other_violation": "drop"},
    "page": {"propagate_validation_errors": False},
    "screen": {"unplanned_properties": "drop", "any_other_violation": "drop"},
    "global": {"allow_unplanned_events": True},
}


def plan(engine: Engine, name: str = "Web Plan") -> str:
    return engine.up(f"plan-{name}", TrackingPlanProvider(), {"name": name, "description": "The web app."})[
        1
    ].id


def test_tracking_plan_lifecycle(rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess) -> None:
    before = sandbox.stats()["total_requests"]
    assert rs_engine.preview("p", TrackingPlanProvider(), {"name": "Web Plan"}).operation == "create"
    assert sandbox.stats()["total_requests"] == before
    op, created = rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan", "description": "v1"})
    assert op == "create" and created.id.startswith("tp_")
    assert rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan", "description": "v1"})[0] == "same"
    op, renamed = rs_engine.up("p", TrackingPlanProvider(), {"name": "Web App Plan", "description": "v2"})
    assert (op, renamed.id) == ("update", created.id)
    remote = rs.get(f"/tracking-plans/{created.id}").json()
    assert (remote["name"], remote["description"]) == ("Web App Plan", "v2")
    # Drift made in the dashboard shows on refresh; up puts it back.
    rs.put(f"/tracking-plans/{created.id}", json={"description": "edited"})
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn).outputs["description"] == "edited"  # type: ignore[union-attr]
    assert (
        rs_engine.up("p", TrackingPlanProvider(), {"name": "Web App Plan", "description": "v2"})[0]
        == "update"
    )
    rs_engine.destroy(created.urn)
    assert rs.get(f"/tracking-plans/{created.id}").status_code == 404


def test_plan_deleted_outside_is_dropped_on_refresh_and_existing_ones_need_adopt(
    rs_engine: Engine, rs: httpx.Client
) -> None:
    _, created = rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan"})
    rs.delete(f"/tracking-plans/{created.id}")
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is None
    existing = rs.post("/tracking-plans", json={"name": "Mobile Plan", "description": "theirs"}).json()
    with pytest.raises(ProviderFailed) as failure:
        rs_engine.up("m", TrackingPlanProvider(), {"name": "Mobile Plan", "description": "ours"})
    assert "already exists" in failure.value.text and "adopt=True" in failure.value.text
    _, adopted = rs_engine.up(
        "m", TrackingPlanProvider(), {"name": "Mobile Plan", "description": "ours", "adopt": True}
    )
    assert adopted.id == existing["id"]
    assert rs.get(f"/tracking-plans/{existing['id']}").json()["description"] == "ours"


def test_event_lifecycle_with_nested_rules(rs_engine: Engine, rs: httpx.Client) -> None:
    tp = plan(rs_engine)
    inputs = {
        "tracking_plan_id": tp,
        "name": "Product Viewed",
        "description": "Viewed.",
        "properties": PROPERTIES,
    }
    op, created = rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    assert op == "create" and created.outputs["event_id"].startswith("ev_")
    stored = rs.get(
        f"/tracking-plans/{tp}/events/{created.outputs['event_id']}", params={"format": "properties"}
    )
    assert stored.json()["properties"][0]["propConfig"] == {
        "minLength": 1,
        "maxLength": 64,
        "pattern": "^[A-Z0-9-]+$",
    }
    assert stored.json()["properties"][4]["type"] == "null,string", (
        "types go sorted, as rudder-iac sends them"
    )
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is not None
    assert rs_engine.up("e", TrackingPlanEventProvider(), inputs)[0] == "same", (
        "no spurious diff after refresh"
    )

    changed = copy.deepcopy(inputs)
    changed["properties"][2]["rules"]["enum"].append("JPY")
    changed["description"] = "Viewed a product."
    op, updated = rs_engine.up("e", TrackingPlanEventProvider(), changed)
    assert (op, updated.id, updated.outputs["event_id"]) == (
        "update",
        created.id,
        created.outputs["event_id"],
    )

    renamed = {**changed, "name": "Product Seen"}
    op, moved = rs_engine.up("e", TrackingPlanEventProvider(), renamed)
    assert (op, moved.id) == ("update", created.id)
    names = [e["name"] for e in rs.get(f"/tracking-plans/{tp}/events").json()["data"]]
    assert names == ["Product Seen"], "the old event left the plan"

    replaced = rs_engine.preview(
        "e", TrackingPlanEventProvider(), {**renamed, "event_type": "page", "name": ""}
    )
    assert replaced.operation == "replace" and replaced.replaces == ["event_type"]
    rs_engine.destroy(moved.urn)
    assert rs.get(f"/tracking-plans/{tp}/events").json()["total"] == 0


def test_property_edited_in_the_dashboard_shows_as_drift(rs_engine: Engine, rs: httpx.Client) -> None:
    tp = plan(rs_engine)
    inputs = {
        "tracking_plan_id": tp,
        "name": "Signed Up",
        "properties": [{"name": "method", "type": "string"}],
    }
    _, created = rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    rs.post(
        f"/tracking-plans/{tp}/events",
        json={
            "name": "Signed Up",
            "eventType": "track",
            "properties": [{"name": "method", "type": "string", "propConfig": {"enum": ["email"]}}],
        },
    )
    rs_engine.new_command()
    refreshed = rs_engine.refresh(created.urn)
    assert refreshed is not None and refreshed.outputs["properties"][0]["rules"]["enum"] == ["email"]
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "update"
    rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    event = rs.get(f"/tracking-plans/{tp}/events").json()["data"][0]
    assert event["properties"][0]["propConfig"] == {}
    rs.delete(f"/tracking-plans/{tp}/events/{event['id']}")
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is None


def test_existing_events_are_adopted_only_when_asked(rs_engine: Engine, rs: httpx.Client) -> None:
    tp = plan(rs_engine)
    rs.post(
        f"/tracking-plans/{tp}/events",
        json={
            "name": "",
            "eventType": "identify",
            "properties": [{"name": "email", "type": "string", "propConfig": {}}],
        },
    )
    inputs = {
        "tracking_plan_id": tp,
        "event_type": "identify",
        "properties": [
            {"name": "email", "type": "string", "required": True},
            {"name": "plan", "type": "string"},
        ],
    }
    with pytest.raises(ProviderFailed) as failure:
        rs_engine.up("i", TrackingPlanEventProvider(), inputs)
    assert "adopt=True" in failure.value.text
    assert len(rs.get(f"/tracking-plans/{tp}/events").json()["data"][0]["properties"]) == 1, (
        "nothing overwritten"
    )
    rs_engine.up("i", TrackingPlanEventProvider(), {**inputs, "adopt": True})
    assert len(rs.get(f"/tracking-plans/{tp}/events").json()["data"][0]["properties"]) == 2


def test_source_connection_lifecycle_and_move(rs_engine: Engine, rs: httpx.Client) -> None:
    web, mobile = plan(rs_engine, "Web Plan"), plan(rs_engine, "Mobile Plan")
    inputs = {"tracking_plan_id": web, "source_id": SOURCE, "config": CONFIG}
    op, created = rs_engine.up("c", SourceConnectionProvider(), inputs)
    assert op == "create"
    wire = rs.get(f"/tracking-plans/{web}/sources").json()["connections"][0]["config"]
    assert wire["track"] == {
        "allowUnplannedEvents": "false",
        "unplannedProperties": "drop",
        "anyOtherViolation": "forward",
        "propagateValidationErrors": "true",
    }
    assert wire["global"] == {"allowUnplannedEvents": "true"}
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is not None
    assert rs_engine.up("c", SourceConnectionProvider(), inputs)[0] == "same", (
        "no spurious diff after refresh"
    )
    changed = {**inputs, "config": {"track": {"any_other_violation": "drop"}}}
    assert rs_engine.up("c", SourceConnectionProvider(), changed)[0] == "update"
    assert rs.get(f"/tracking-plans/{web}/sources").json()["connections"][0]["config"] == {
        "track": {"anyOtherViolation": "drop"}
    }
    # Moving the source to another plan: disconnected first, then connected there.
    op, moved = rs_engine.up("c", SourceConnectionProvider(), {**changed, "tracking_plan_id": mobile})
    assert op == "replace"
    assert rs.get(f"/tracking-plans/{web}/sources").json()["connections"] == []
    assert [c["sourceId"] for c in rs.get(f"/tracking-plans/{mobile}/sources").json()["connections"]] == [
        SOURCE
    ]
    rs.delete(f"/tracking-plans/{mobile}/sources/{SOURCE}")
    rs_engine.new_command()
    assert rs_engine.refresh(moved.urn) is None


def test_connection_conflicts_explain_what_to_do(
    rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess
) -> None:
    web, mobile = plan(rs_engine, "Web Plan"), plan(rs_engine, "Mobile Plan")
    rs.post(
        f"/tracking-plans/{web}/sources/{SOURCE}", json={"config": {"track": {"anyOtherViolation": "drop"}}}
    )
    before = writes(sandbox)
    with pytest.raises(ProviderFailed) as same_plan:
        rs_engine.up(
            "c", SourceConnectionProvider(), {"tracking_plan_id": web, "source_id": SOURCE, "config": CONFIG}
        )
    assert "adopt=True" in same_plan.value.text
    assert writes(sandbox) == before, "refused before anything was sent"
    with pytest.raises(ProviderFailed) as other_plan:
        rs_engine.up(
            "d",
            SourceConnectionProvider(),
            {"tracking_plan_id": mobile, "source_id": SOURCE, "config": CONFIG},
        )
    assert "one tracking plan at a time" in other_plan.value.text
    rs_engine.up(
        "c",
        SourceConnectionProvider(),
        {"tracking_plan_id": web, "source_id": SOURCE, "config": CONFIG, "adopt": True},
    )
    assert rs.get(f"/tracking-plans/{web}/sources").json()["connections"][0]["config"]["screen"] == {
        "unplannedProperties": "drop",
        "anyOtherViolation": "drop",
    }


# Every supported field, set away from its default, survives apply + refresh with no diff.
FIELD_CASES: list[tuple[str, Any, dict[str, Any]]] = [
    *[
        (f"property.{k}", None, {"properties": [{"name": "p", "type": "string", k: v}]})
        for k, v in (("description", "d"), ("required", True), ("metadata", {"a": 1}))
    ],
    *[
        (f"rules.{k}", None, {"properties": [{"name": "p", "type": t, "rules": {k: v}}]})
        for k, v, t in (
            ("enum", ["a", 1, True], "string"),
            ("const", "c", "string"),
            ("pattern", "^a$", "string"),
            ("format", "email", "string"),
            ("min_length", 2, "string"),
            ("max_length", 9, "string"),
            ("minimum", -1.5, "number"),
            ("maximum", 99, "number"),
            ("exclusive_minimum", 0, "number"),
            ("exclusive_maximum", 5, "number"),
            ("multiple_of", 0.5, "number"),
            ("min_items", 1, "array"),
            ("max_items", 3, "array"),
            ("unique_items", True, "array"),
        )
    ],
    ("property.types", None, {"properties": [{"name": "p", "types": ["integer", "null", "string"]}]}),
    ("property.any", None, {"properties": [{"name": "p"}]}),
    (
        "nested",
        None,
        {
            "properties": [
                {
                    "name": "o",
                    "type": "object",
                    "additional_properties": False,
                    "properties": [
                        {
                            "name": "n",
                            "type": "array",
                            "additional_properties": True,
                            "properties": [{"name": "leaf", "type": "boolean"}],
                        }
                    ],
                }
            ]
        },
    ),
    ("event.description", None, {"description": "An event."}),
    ("event.category_id", None, {"category_id": "cat_2gotMKGuOtdDY4XbSdKjkwk4qc2"}),
    ("event.identity_section", None, {"identity_section": "context.traits"}),
    ("event.page", None, {"event_type": "page", "name": ""}),
    ("event.group", None, {"event_type": "group", "name": ""}),
]


@pytest.mark.parametrize(("label", "unused", "fields"), FIELD_CASES, ids=[c[0] for c in FIELD_CASES])
def test_no_spurious_diff_for_any_event_field(
    rs_engine: Engine, label: str, unused: Any, fields: Any
) -> None:
    tp = plan(rs_engine)
    inputs = {"tracking_plan_id": tp, "name": "Field Event", "properties": [{"name": "x"}], **fields}
    rs_engine.up("e", TrackingPlanEventProvider(), inputs)
    rs_engine.new_command()
    refreshed = rs_engine.refresh(rs_engine.urn(Engine.type_name(TrackingPlanEventProvider()), "e"))
    assert refreshed is not None
    assert rs_engine.preview("e", TrackingPlanEventProvider(), inputs).operation == "same"
    assert rs_engine.up("e", TrackingPlanEventProvider(), inputs)[0] == "same"


@pytest.mark.parametrize("event_type", ["track", "identify", "group", "page", "screen", "global"])
def test_no_spurious_diff_for_any_connection_setting(rs_engine: Engine, event_type: str) -> None:
    tp = plan(rs_engine)
    inputs = {"tracking_plan_id": tp, "source_id": SOURCE, "config": {event_type: CONFIG[event_type]}}
    _, created = rs_engine.up("c", SourceConnectionProvider(), inputs)
    rs_engine.new_command()
    assert rs_engine.refresh(created.urn) is not None
    assert rs_engine.up("c", SourceConnectionProvider(), inputs)[0] == "same"


BAD: list[tuple[Any, dict[str, Any], str, str]] = [
    (TrackingPlanProvider(), {"name": "ab"}, "name", "3-65"),
    (TrackingPlanProvider(), {"name": "9 Plan"}, "name", "starting with a letter"),
    (TrackingPlanProvider(), {"name": "Plan/Web"}, "name", "letters"),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "name": "Ok Event", "properties": []},
        "properties",
        "at least 1",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "event_type": "track", "properties": [{"name": "a"}]},
        "",
        "name of a track event",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "event_type": "identify", "name": "Who", "properties": [{"name": "a"}]},
        "",
        "must be empty",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "event_type": "alias", "properties": [{"name": "a"}]},
        "event_type",
        "'track'",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "name": "Ok Event", "properties": [{"name": "1st"}]},
        "properties[0].name",
        "pattern",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "name": "Ok Event", "properties": [{"name": "a", "type": "date"}]},
        "properties[0].type",
        "'string'",
    ),
    (
        TrackingPlanEventProvider(),
        {
            "tracking_plan_id": TP,
            "name": "Ok Event",
            "properties": [{"name": "a", "rules": {"pattern": "(["}}],
        },
        "properties[0].rules",
        "does not compile",
    ),
    (
        TrackingPlanEventProvider(),
        {
            "tracking_plan_id": TP,
            "name": "Ok Event",
            "properties": [{"name": "a", "rules": {"minimum": 5, "maximum": 1}}],
        },
        "properties[0].rules",
        "greater than",
    ),
    (
        TrackingPlanEventProvider(),
        {
            "tracking_plan_id": TP,
            "name": "Ok Event",
            "properties": [{"name": "a", "type": "string", "properties": []}],
        },
        "properties[0]",
        "object or array",
    ),
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": TP, "name": "Ok Event", "properties": [{"name": "a"}, {"name": "a"}]},
        "properties",
        "unique",
    ),
    (
        TrackingPlanEventProvider(),
        {
            "tracking_plan_id": TP,
            "name": "Ok Event",
            "properties": [{"name": "a", "rules": {"regex": "x"}}],
        },
        "properties[0].rules.regex",
        "Extra",
    ),
    (
        SourceConnectionProvider(),
        {"tracking_plan_id": TP, "source_id": SOURCE, "config": {}},
        "config",
        "at least one",
    ),
    (
        SourceConnectionProvider(),
        {"tracking_plan_id": TP, "source_id": SOURCE, "config": {"track": {}}},
        "config.track",
        "at least one setting",
    ),
    (
        SourceConnectionProvider(),
        {
            "tracking_plan_id": TP,
            "source_id": SOURCE,
            "config": {"identify": {"allow_unplanned_events": True}},
        },
        "config",
        "only applies",
    ),
    (
        SourceConnectionProvider(),
        {"tracking_plan_id": TP, "source_id": SOURCE, "config": {"track": {"unplanned_properties": "keep"}}},
        "config.track.unplanned_properties",
        "'forward'",
    ),
    # Ids go into request paths: anything that cannot be a RudderStack id is refused.
    *[
        (
            SourceConnectionProvider(),
            {
                "tracking_plan_id": TP,
                "source_id": source_id,
                "config": {"track": {"any_other_violation": "drop"}},
            },
            "source_id",
            reason,
        )
        for source_id, reason in (
            (f"../../{TP}/sources/{SOURCE}", "'/'"),
            (f"{SOURCE}/", "which would change the request's path"),
            (f"{SOURCE}?x=1", "'?'"),
            (f"{SOURCE}#x", "'#'"),
            ("%2e%2e", "'%'"),
            ("..", "'.'"),
            (SOURCE[:-1] + "é", "RudderStack source id"),
            (SOURCE[:-1], "27 letters or digits"),
        )
    ],
    *[
        (provider, {**inputs, "tracking_plan_id": plan_id}, "tracking_plan_id", reason)
        for provider, inputs in (
            (TrackingPlanEventProvider(), {"name": "Ok Event", "properties": [{"name": "a"}]}),
            (
                SourceConnectionProvider(),
                {"source_id": SOURCE, "config": {"global": {"allow_unplanned_events": True}}},
            ),
        )
        for plan_id, reason in ((f"{TP}/../{TP}", "'/'"), ("tp_x", "tp_ and 27 letters or digits"))
    ],
    (
        TrackingPlanEventProvider(),
        {"tracking_plan_id": f"{TP}?page=2", "name": "Ok Event", "properties": [{"name": "a"}]},
        "tracking_plan_id",
        "'?'",
    ),
]


@pytest.fixture(scope="module")
def checking_engine(sandbox: SandboxProcess) -> Iterator[Engine]:
    """One provider server for every bad input: a refused check leaves no state behind."""
    from tests.engine.conftest import rudderstack_env

    with Engine(env=rudderstack_env(sandbox.url)) as engine:
        yield engine


@pytest.mark.parametrize(("provider", "inputs", "field", "reason"), BAD)
def test_bad_inputs_fail_at_check_with_no_request(
    checking_engine: Engine,
    sandbox: SandboxProcess,
    provider: Any,
    inputs: dict[str, Any],
    field: str,
    reason: str,
) -> None:
    before = sandbox.stats()["total_requests"]
    with pytest.raises(CheckFailed) as failed:
        checking_engine.up("r", provider, inputs)
    assert any(prop == (field or "inputs") and reason in text for prop, text in failed.value.failures), (
        failed.value
    )
    assert sandbox.stats()["total_requests"] == before


def test_preview_with_unknown_plan_id(rs_engine: Engine, sandbox: SandboxProcess) -> None:
    plan_ = rs_engine.preview(
        "e",
        TrackingPlanEventProvider(),
        {"tracking_plan_id": Unknown(), "name": "Later Event", "properties": [{"name": "a"}]},
    )
    assert plan_.operation == "create"
    assert sandbox.stats()["total_requests"] == 0


def test_faults_are_survived(rs_engine: Engine, rs: httpx.Client, sandbox: SandboxProcess) -> None:
    sandbox.set_faults("429=0.15,500=0.1,drop=0.1", seed=11)
    try:
        tp = plan(rs_engine)
        for i in range(6):
            rs_engine.up(
                f"e{i}",
                TrackingPlanEventProvider(),
                {"tracking_plan_id": tp, "name": f"Event {i}", "properties": PROPERTIES[:3]},
            )
        rs_engine.up(
            "c", SourceConnectionProvider(), {"tracking_plan_id": tp, "source_id": SOURCE, "config": CONFIG}
        )
        rs_engine.new_command()
        assert all(rs_engine.refresh(urn) is not None for urn in list(rs_engine.resources))
    finally:
        sandbox.set_faults("")
    assert sum(sandbox.stats()["faults_injected"].values()) > 0
    events = rs.get(f"/tracking-plans/{tp}/events").json()
    assert sorted(e["name"] for e in events["data"]) == [f"Event {i}" for i in range(6)], "nothing duplicated"
    assert len(rs.get("/tracking-plans").json()["trackingPlans"]) == 1
    assert len(rs.get(f"/tracking-plans/{tp}/sources").json()["connections"]) == 1


@pytest.mark.slow
def test_120_events_apply_noop_and_refresh_by_pages(sandbox: SandboxProcess) -> None:
    """The issue's acceptance check: 120 events of 5 properties each."""
    from concurrent.futures import ThreadPoolExecutor

    from tests.engine.conftest import rudderstack_env

    sandbox.reset("empty")
    props = [
        {"name": f"prop_{j}", "type": "string", "required": j == 0, "rules": {"max_length": 100 + j}}
        for j in range(5)
    ]
    with Engine(env=rudderstack_env(sandbox.url)) as engine:
        tp = plan(engine)
        events = {
            f"e{i}": {"tracking_plan_id": tp, "name": f"Event {i:03d}", "properties": props}
            for i in range(120)
        }
        with ThreadPoolExecutor(8) as pool:
            ops = list(
                pool.map(lambda kv: engine.up(kv[0], TrackingPlanEventProvider(), kv[1])[0], events.items())
            )
        assert ops.count("create") == 120
        engine.new_command()
        with ThreadPoolExecutor(8) as pool:
            again = list(
                pool.map(lambda kv: engine.up(kv[0], TrackingPlanEventProvider(), kv[1])[0], events.items())
            )
        assert again == ["same"] * 120
        engine.new_command()
        before = sandbox.stats()["by_route"]
        with ThreadPoolExecutor(8) as pool:
            refreshed = list(pool.map(engine.refresh, [u for u in engine.resources if "Event" in u]))
        assert all(r is not None for r in refreshed)
        after = sandbox.stats()["by_route"]
    lists = sum(n - before.get(route, 0) for route, n in after.items() if route.startswith("GET "))
    print(f"refresh of 120 events: {lists} list requests")
    assert lists < 10, after
    with rudderstack_client(sandbox) as rs:
        pages = [rs.get(f"/tracking-plans/{tp}/events", params={"page": n}).json() for n in (1, 2, 3)]
        assert sum(len(p["data"]) for p in pages) == 120


def test_objects_already_exactly_as_declared_are_taken_over(
    rs_engine: Engine, sandbox: SandboxProcess
) -> None:
    """A create whose answer was lost (the provider killed, say) is recognised on the next
    apply: plan, event and connection exist exactly as declared, so they are this stack's."""
    tp = plan(rs_engine)
    event = {"tracking_plan_id": tp, "name": "Product Viewed", "properties": PROPERTIES[:3]}
    connection = {"tracking_plan_id": tp, "source_id": SOURCE, "config": CONFIG}
    rs_engine.up("e", TrackingPlanEventProvider(), event)
    rs_engine.up("c", SourceConnectionProvider(), connection)
    with Engine(env=rs_engine.env) as fresh:  # the same program, its state lost
        assert (
            fresh.up(
                "plan-Web Plan", TrackingPlanProvider(), {"name": "Web Plan", "description": "The web app."}
            )[1].id
            == tp
        )
        assert fresh.up("e", TrackingPlanEventProvider(), event)[0] == "create"
        assert fresh.up("c", SourceConnectionProvider(), connection)[0] == "create"
