"""The emulated RudderStack Data Catalog API over HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import rudderstack_client

SOURCE, OTHER_SOURCE = "2nk0qVvmxE79uIwsKebgVH4iNTR", "2rL1XeHCG8P8OrMHnHx4WjMjuTo"
PROPS = [{"name": "product_id", "type": "string", "required": True, "propConfig": {"minLength": 1}}]


def plan(rs: httpx.Client, name: str = "Product Ordered Plan") -> str:
    response = rs.post("/tracking-plans", json={"name": name, "description": "d"})
    assert response.status_code == 200, response.text
    return str(response.json()["id"])


def error(response: httpx.Response, contains: str, status: int = 400) -> None:
    assert response.status_code == status, (response.status_code, response.text)
    assert contains in response.json()["error"], response.json()


def test_plan_crud_and_versions(rs: httpx.Client) -> None:
    created = rs.post("/tracking-plans", json={"name": "Product Ordered Plan", "description": "d"}).json()
    assert created["id"].startswith("tp_") and len(created["id"]) == 3 + 27
    assert created["version"] == 1 and created["creationType"] == "Data catalog API"
    assert rs.get("/tracking-plans").json()["trackingPlans"] == [created]
    updated = rs.put(f"/tracking-plans/{created['id']}", json={"name": "New Plan"}).json()
    assert (updated["name"], updated["description"], updated["version"]) == ("New Plan", "d", 2)
    assert rs.get(f"/tracking-plans/{created['id']}").json()["name"] == "New Plan"
    deleted = rs.delete(f"/tracking-plans/{created['id']}")
    assert deleted.status_code == 200 and deleted.json()["events"] == []
    error(rs.get(f"/tracking-plans/{created['id']}"), "not found", 404)
    error(rs.put(f"/tracking-plans/{created['id']}", json={"name": "Again"}), "not found")
    error(rs.delete(f"/tracking-plans/{created['id']}"), "not found")


@pytest.mark.parametrize("name", ["ab", "1abc", "x" * 66, "bad/name", "", None])
def test_plan_names_follow_the_rules(rs: httpx.Client, name: Any) -> None:
    error(rs.post("/tracking-plans", json={"name": name}), "between 3 and 65")
    assert rs.get("/tracking-plans").json()["trackingPlans"] == []


def test_duplicates_and_empty_updates(rs: httpx.Client) -> None:
    tp = plan(rs)
    error(rs.post("/tracking-plans", json={"name": "Product Ordered Plan"}), "already exists")
    error(rs.put(f"/tracking-plans/{tp}", json={}), "At least one")


def test_event_upsert_list_get_delete(rs: httpx.Client) -> None:
    tp = plan(rs)
    body = {"name": "Product Viewed", "eventType": "track", "description": "d", "properties": PROPS}
    response = rs.post(f"/tracking-plans/{tp}/events", json=body)
    assert response.status_code == 200 and response.json()["version"] == 2  # the plan comes back
    listed = rs.get(f"/tracking-plans/{tp}/events").json()
    assert (listed["total"], listed["currentPage"], listed["pageSize"]) == (1, 1, 50)
    event = listed["data"][0]
    assert event["id"].startswith("ev_") and event["eventType"] == "track"
    # Upserting again updates the same event.
    rs.post(f"/tracking-plans/{tp}/events", json={**body, "description": "new"})
    again = rs.get(f"/tracking-plans/{tp}/events").json()["data"]
    assert [(e["id"], e["description"]) for e in again] == [(event["id"], "new")]
    props = rs.get(f"/tracking-plans/{tp}/events/{event['id']}", params={"format": "properties"}).json()
    assert props["properties"][0]["id"].startswith("prop_")
    assert {k: v for k, v in props["properties"][0].items() if k != "id"} == PROPS[0]
    schema = rs.get(f"/tracking-plans/{tp}/events/{event['id']}").json()["rules"]
    section = schema["properties"]["properties"]
    assert section["required"] == ["product_id"]
    assert section["properties"]["product_id"] == {"type": ["string"], "minLength": 1}
    assert rs.delete(f"/tracking-plans/{tp}/events/{event['id']}").status_code == 204
    error(rs.get(f"/tracking-plans/{tp}/events/{event['id']}"), "not found", 404)
    error(rs.delete(f"/tracking-plans/{tp}/events/{event['id']}"), "not found")


def test_rules_variant_round_trips(rs: httpx.Client) -> None:
    tp = plan(rs)
    nested = [
        {
            "name": "products",
            "type": "array",
            "required": True,
            "propConfig": {"minItems": 1},
            "additionalProperties": False,
            "properties": [{"name": "sku", "type": "string", "required": True, "propConfig": {}}],
        }
    ]
    rs.post(
        f"/tracking-plans/{tp}/events",
        json={"name": "Order Completed", "eventType": "track", "properties": nested},
    )
    event = rs.get(f"/tracking-plans/{tp}/events").json()["data"][0]
    rules = rs.get(f"/tracking-plans/{tp}/events/{event['id']}").json()["rules"]
    patched = rs.patch(
        f"/tracking-plans/{tp}/events", json={"name": "Order Completed", "eventType": "track", "rules": rules}
    )
    assert patched.status_code == 200, patched.text
    after = rs.get(f"/tracking-plans/{tp}/events/{event['id']}", params={"format": "properties"}).json()

    def strip(props: list[dict[str, Any]]) -> list[dict[str, Any]]:
        return [{k: (strip(v) if k == "properties" else v) for k, v in p.items() if k != "id"} for p in props]

    assert strip(after["properties"]) == nested


@pytest.mark.parametrize(
    ("body", "contains"),
    [
        ({"name": "Viewed", "eventType": "click", "properties": PROPS}, "eventType"),
        ({"name": "", "eventType": "track", "properties": PROPS}, "between 3 and 65"),
        ({"name": "Who", "eventType": "identify", "properties": PROPS}, "empty string"),
        ({"name": "Viewed", "eventType": "track", "properties": []}, "cannot be empty"),
        ({"name": "Viewed", "eventType": "track"}, "cannot be empty"),
        (
            {"name": "Viewed", "eventType": "track", "properties": [{"name": "1x", "type": "string"}]},
            "start with",
        ),
        ({"name": "Viewed", "eventType": "track", "properties": [{"name": "x", "type": "date"}]}, "type"),
        (
            {
                "name": "Viewed",
                "eventType": "track",
                "properties": [{"name": "x", "type": "string", "propConfig": {"pattern": "(["}}],
            },
            "pattern",
        ),
        (
            {
                "name": "Viewed",
                "eventType": "track",
                "properties": [{"name": "x", "type": "string", "propConfig": {"bogus": 1}}],
            },
            "unsupported keyword",
        ),
        (
            {
                "name": "Viewed",
                "eventType": "track",
                "properties": [{"name": "x", "type": "string", "properties": []}],
            },
            "object or array",
        ),
        ({"name": "Viewed", "eventType": "track", "categoryId": "", "properties": PROPS}, "categoryId"),
        ({"name": "Viewed", "eventType": "track", "properties": PROPS, "colour": "red"}, "Unknown fields"),
    ],
)
def test_bad_events_are_400_and_change_nothing(rs: httpx.Client, body: dict[str, Any], contains: str) -> None:
    tp = plan(rs)
    error(rs.post(f"/tracking-plans/{tp}/events", json=body), contains)
    assert rs.get(f"/tracking-plans/{tp}/events").json()["total"] == 0
    assert rs.get(f"/tracking-plans/{tp}").json()["version"] == 1


def test_one_event_per_non_track_type_and_event_type_is_immutable(rs: httpx.Client) -> None:
    tp = plan(rs)
    identify = {"name": "", "eventType": "identify", "properties": PROPS}
    rs.post(f"/tracking-plans/{tp}/events", json=identify)
    rs.post(f"/tracking-plans/{tp}/events", json={**identify, "description": "again"})
    assert rs.get(f"/tracking-plans/{tp}/events").json()["total"] == 1


def test_catalog_properties_keep_one_set_of_rules(rs: httpx.Client) -> None:
    tp = plan(rs)
    first = {"name": "A Event", "eventType": "track", "properties": PROPS}
    rs.post(f"/tracking-plans/{tp}/events", json=first)
    other = [{**PROPS[0], "propConfig": {"minLength": 5}}]
    error(
        rs.post(f"/tracking-plans/{tp}/events", json={**first, "name": "B Event", "properties": other}),
        "already exists with different advanced keywords",
    )
    # The only event using it may change its rules.
    assert rs.post(f"/tracking-plans/{tp}/events", json={**first, "properties": other}).status_code == 200


def variant(sandbox: SandboxProcess, **changes: Any) -> dict[str, Any]:
    response = httpx.post(f"{sandbox.url}/_sandbox/rudderstack/variant", json=changes, timeout=10)
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def many_events(rs: httpx.Client, tp: str, count: int) -> None:
    for i in range(count):
        rs.post(
            f"/tracking-plans/{tp}/events",
            json={"name": f"Event {i:03d}", "eventType": "track", "properties": PROPS},
        ).raise_for_status()


def test_pagination(rs: httpx.Client, sandbox: SandboxProcess) -> None:
    tp = plan(rs)
    many_events(rs, tp, 120)
    pages = [rs.get(f"/tracking-plans/{tp}/events", params={"page": n}).json() for n in (1, 2, 3, 4)]
    assert [len(p["data"]) for p in pages] == [50, 50, 20, 0]
    # "Total number of entries in the response" (the reference), read literally.
    assert [p["total"] for p in pages] == [50, 50, 20, 0]
    assert [(p["currentPage"], p["pageSize"]) for p in pages] == [(n, 50) for n in (1, 2, 3, 4)]
    names = [e["name"] for p in pages for e in p["data"]]
    assert names == [f"Event {i:03d}" for i in range(120)]
    for bad in ("0", "-1", "x", "51"):
        assert rs.get(f"/tracking-plans/{tp}/events", params={"page": bad}).status_code == 400
    variant(sandbox, total="plan")
    assert rs.get(f"/tracking-plans/{tp}/events", params={"page": 3}).json()["total"] == 120


def test_variants_switch_and_reset(rs: httpx.Client, sandbox: SandboxProcess) -> None:
    defaults = {
        "total": "page",
        "page_param": "honoured",
        "readback": "full",
        "unique_plan_names": True,
        "order": "added",
    }
    assert sandbox.introspect("GET", "rudderstack/variant") == defaults
    bad = httpx.post(f"{sandbox.url}/_sandbox/rudderstack/variant", json={"total": "all"}, timeout=10)
    assert bad.status_code == 400
    assert variant(sandbox, page_param="ignored")["page_param"] == "ignored"
    tp = plan(rs)
    many_events(rs, tp, 55)
    first, second = (rs.get(f"/tracking-plans/{tp}/events", params={"page": n}).json() for n in (1, 2))
    assert second["data"] == first["data"] and len(first["data"]) == 50, "page is ignored"
    variant(sandbox, page_param="honoured", order="name")
    first_by_name = {"name": "A First", "eventType": "track", "properties": PROPS}
    rs.post(f"/tracking-plans/{tp}/events", json=first_by_name).raise_for_status()
    names = [e["name"] for e in rs.get(f"/tracking-plans/{tp}/events").json()["data"]]
    assert names[0] == "A First" and names == sorted(names), "listed by name, not as added"
    variant(sandbox, unique_plan_names=False)
    assert rs.post("/tracking-plans", json={"name": "Product Ordered Plan"}).status_code == 200
    assert [p["name"] for p in rs.get("/tracking-plans").json()["trackingPlans"]].count(
        "Product Ordered Plan"
    ) == 2
    sandbox.reset("empty")
    assert sandbox.introspect("GET", "rudderstack/variant") == defaults


def test_lean_readback_keeps_only_what_rudder_iac_reads(rs: httpx.Client, sandbox: SandboxProcess) -> None:
    tp = plan(rs)
    nested = {
        "name": "products",
        "type": "array",
        "description": "d",
        "required": True,
        "propConfig": {"minItems": 1},
        "additionalProperties": False,
        "metadata": {"a": 1},
        "properties": [{"name": "sku", "type": "string", "required": True, "propConfig": {}}],
    }
    rs.post(
        f"/tracking-plans/{tp}/events", json={"name": "Viewed", "eventType": "track", "properties": [nested]}
    )
    variant(sandbox, readback="lean")
    [listed] = rs.get(f"/tracking-plans/{tp}/events").json()["data"]
    assert "properties" not in listed and listed["identitySection"] == "properties"
    got = rs.get(f"/tracking-plans/{tp}/events/{listed['id']}", params={"format": "properties"}).json()
    [prop] = got["properties"]
    assert set(prop) == {"id", "name", "required", "additionalProperties", "properties"}
    assert set(prop["properties"][0]) == {"id", "name", "required"}


def test_source_connections(rs: httpx.Client) -> None:
    tp, other = plan(rs), plan(rs, "Other Plan")
    config = {
        "track": {"allowUnplannedEvents": True, "unplannedProperties": "drop"},
        "global": {"propagateValidationErrors": "false"},
    }
    created = rs.post(f"/tracking-plans/{tp}/sources/{SOURCE}", json={"config": config})
    assert created.status_code == 200
    stored = {
        "track": {"allowUnplannedEvents": "true", "unplannedProperties": "drop"},
        "global": {"propagateValidationErrors": "false"},
    }
    assert created.json() == {"sourceId": SOURCE, "trackingPlanId": tp, "config": stored}
    error(rs.post(f"/tracking-plans/{tp}/sources/{SOURCE}", json={"config": config}), "already connected")
    error(
        rs.post(f"/tracking-plans/{other}/sources/{SOURCE}", json={"config": config}), "another tracking plan"
    )
    update = {"track": {"anyOtherViolation": "drop"}}
    assert rs.put(f"/tracking-plans/{tp}/sources/{SOURCE}", json={"config": update}).json() == {
        "config": update
    }
    assert rs.get(f"/tracking-plans/{tp}/sources").json()["connections"] == [
        {"sourceId": SOURCE, "trackingPlanId": tp, "config": update}
    ]
    error(rs.put(f"/tracking-plans/{tp}/sources/{OTHER_SOURCE}", json={"config": update}), "not connected")
    assert rs.delete(f"/tracking-plans/{tp}/sources/{SOURCE}").status_code == 204
    error(rs.delete(f"/tracking-plans/{tp}/sources/{SOURCE}"), "already disconnected")
    error(rs.post(f"/tracking-plans/{tp}/sources/nope", json={"config": update}), "Invalid source ID")
    # A trailing slash is not the same path: it is redirected, never served as the connection.
    slash = rs.post(f"/tracking-plans/{tp}/sources/{OTHER_SOURCE}/", json={"config": update})
    assert slash.status_code == 307 and slash.headers["location"].endswith(f"/sources/{OTHER_SOURCE}")
    assert [c["sourceId"] for c in rs.get(f"/tracking-plans/{tp}/sources").json()["connections"]] == []


@pytest.mark.parametrize(
    ("config", "contains"),
    [
        (None, "Empty or incorrect"),
        ({}, "Empty or incorrect"),
        ({"track": {}}, "at least one setting"),
        ({"click": {"anyOtherViolation": "drop"}}, "unknown event type"),
        ({"identify": {"allowUnplannedEvents": "true"}}, "does not apply"),
        ({"track": {"unplannedProperties": "keep"}}, "forward, drop"),
        ({"track": {"propagateValidationErrors": "yes"}}, "true, false"),
    ],
)
def test_bad_connection_configs(rs: httpx.Client, config: Any, contains: str) -> None:
    tp = plan(rs)
    error(rs.post(f"/tracking-plans/{tp}/sources/{SOURCE}", json={"config": config}), contains)
    assert rs.get(f"/tracking-plans/{tp}/sources").json()["connections"] == []


def test_auth_and_malformed_bodies(sandbox: SandboxProcess, rs: httpx.Client) -> None:
    url = f"{sandbox.url}/v2/catalog/tracking-plans"
    assert httpx.get(url).status_code == 401
    assert httpx.get(url, headers={"authorization": "Bearer wrong"}).json() == {
        "error": "Invalid credentials"
    }
    error(
        rs.post("/tracking-plans", content=b"{not json", headers={"content-type": "application/json"}), "JSON"
    )
    error(
        rs.post("/tracking-plans", content=b"name=x", headers={"content-type": "text/plain"}), "Content-Type"
    )
    error(rs.post("/tracking-plans", json=["a"]), "JSON object")


def test_demo_workspace(sandbox: SandboxProcess) -> None:
    sandbox.reset("demo")
    with rudderstack_client(sandbox) as rs:
        [demo] = rs.get("/tracking-plans").json()["trackingPlans"]
        events = rs.get(f"/tracking-plans/{demo['id']}/events").json()["data"]
        assert {(e["name"], e["eventType"]) for e in events} == {
            ("Product Viewed", "track"),
            ("Order Completed", "track"),
            ("", "identify"),
        }
        assert [
            c["sourceId"] for c in rs.get(f"/tracking-plans/{demo['id']}/sources").json()["connections"]
        ] == [SOURCE]
    stats = sandbox.stats()
    assert stats["total_requests"] == 3
    assert all("sandbox-rudderstack-token" not in key for key in stats["by_api_key"])
