"""The example requests of shared/reference/amplitude-taxonomy-api.txt, sent as the page
writes them, against `--seed demo`: documented status codes and response shapes.

Each section starts from a fresh demo project and follows the page's order; where an
example depends on an earlier one (restore after delete), that order is kept.
"""

from __future__ import annotations

from typing import Any

import httpx

from tests.conftest import error, ok

FORM = {"content-type": "application/x-www-form-urlencoded"}
EVENT_KEYS = {"event_type", "category", "description"}
EVENT_PROPERTY_KEYS = {
    "event_property",
    "event_type",
    "description",
    "type",
    "regex",
    "enum_values",
    "is_array_type",
    "is_required",
    "classifications",
}
USER_PROPERTY_KEYS = {
    "user_property",
    "description",
    "type",
    "enum_values",
    "regex",
    "is_array_type",
    "classifications",
}
GROUP_PROPERTY_KEYS = {
    "group_type",
    "group_property",
    "description",
    "type",
    "enum_values",
    "regex",
    "is_array_type",
    "classifications",
}


def get_with_form_body(client: httpx.Client, path: str, body: str) -> httpx.Response:
    """The page's GETs carry `--data-urlencode` bodies; send them exactly so."""
    return client.request("GET", path, content=body.encode(), headers=FORM)


def has_keys(item: dict[str, Any], keys: set[str]) -> None:
    assert keys <= set(item), (keys - set(item), item)


def test_event_category_examples(demo: httpx.Client) -> None:
    assert demo.post("/category", data={"category_name": "Attribution"}).json() == {"success": True}
    listed = ok(demo.get("/category"))
    assert all(set(c) == {"id", "name"} and isinstance(c["id"], int) for c in listed)
    assert ok(demo.get("/category/Attribution"))["name"] == "Attribution"
    assert ok(demo.get("/category/Conversion")) == {"id": 412941, "name": "Conversion"}
    error(demo.get("/category/Nope"), 400, "Not found")
    ok(demo.put("/category/412941", data={"category_name": "Converted"}))
    message = error(demo.put("/category/4129", data={"category_name": "Converted"}), 409)
    assert message == 'Attempted to operate on entity event_category, id "4129", that does not exist.'
    ok(demo.delete("/category/412941"))
    message = error(demo.delete("/category/412941"), 409)
    assert message == 'Attempted to operate on entity event_category, id "412941", that does not exist.'


def test_event_type_examples(demo: httpx.Client) -> None:
    ok(
        demo.post(
            "/event",
            content=b"event_type=Onboard%20Start&category=Onboarding&"
            b"description=My%20new%20onboarding%20event.%20",
        )
    )
    listed = ok(demo.get("/event"))
    for event in listed:
        has_keys(event, EVENT_KEYS)
    assert {"Onboard Start", "Attribution", "Conversation"} <= {e["event_type"] for e in listed}
    assert {"Debug Ping", "Legacy Checkout"}.isdisjoint(e["event_type"] for e in listed)
    assert "Legacy Checkout" in {e["event_type"] for e in ok(demo.get("/event?showDeleted=true"))}
    event = ok(demo.get("/event/Event 2"))
    assert event["event_type"] == "Event 2"
    assert event["category"] == {"name": "Conversion Events"} and event["description"] is None
    error(demo.get("/event/Nope"), 400, "Not found")
    ok(
        demo.put(
            "/event/OnboardBegin",
            headers=FORM,
            content=(
                b"new_event_type=OnboardStart&category=Onboarding&description=User%20signed%20in%20and%20"
                b"completed%20an%20onboarding%20task%20from%20modal.&display_name=Onboarding%20Start"
            ),
        )
    )
    assert ok(demo.get("/event/OnboardStart"))["display_name"] == "Onboarding Start"
    message = error(demo.put("/event/Event", data={"display_name": "x"}), 409)
    assert message == (
        'Attempted to change the event display name for event "Event", but the event is not in schema.'
    )
    ok(demo.delete("/event/Event1"))
    ok(demo.post("/event/Event1/restore"))
    ok(demo.get("/event/Event1"))


def test_event_property_examples(demo: httpx.Client) -> None:
    ok(demo.post("/event", data={"event_type": "Onboard Start", "category": "Onboarding"}))
    ok(
        demo.post(
            "/event-property",
            content=b"event_type=Onboard%20Start&event_property=Completed%20Task"
            b"&type=boolean&is_required=false&description=User%20completed"
            b"%20any%20onboarding%20task",
        )
    )
    listed = ok(get_with_form_body(demo, "/event-property", "event_type=Onboard%20Start"))
    for prop in listed:
        has_keys(prop, EVENT_PROPERTY_KEYS)
    assert [p["event_property"] for p in listed] == ["Completed Task", "Completed Tutorial"]
    single = ok(
        get_with_form_body(
            demo, "/event-property?event_property=Completed Task", "event_type=Onboard%20Start"
        )
    )
    assert single["type"] == "boolean" and single["event_type"] == "Onboard Start"
    shared = ok(get_with_form_body(demo, "/event-property/Shared", "event_type=Onboard%20Finish"))
    assert shared["classifications"] == ["PII"] and shared["description"] == "Whether user shared content."
    error(get_with_form_body(demo, "/event-property/Nope", "event_type=Onboard%20Start"), 400, "Not found")
    ok(
        demo.put(
            "/event-property/Completed Task",
            headers=FORM,
            content=(
                b"event_type=Onboard%20Start&description=User%20completed%20an%20onboarding%20task"
                b"&new_event_property_value=Task%20Completed&type=any"
            ),
        )
    )
    message = error(demo.put("/event-property/Completed Task", data={"description": "x"}), 409)
    assert message == (
        'Attempted to change the event property description for property "Completed Task" for event "", '
        "but the property is not in schema."
    )
    # The page deletes from one event (body), then restores the property.
    ok(
        demo.request(
            "DELETE",
            "/event-property/Completed Tutorial",
            headers=FORM,
            content=b"event_type=Onboard%20Start",
        )
    )
    ok(demo.delete("/event-property/Task Completed"))
    ok(demo.post("/event-property/Task Completed/restore"))


def test_user_property_examples(demo: httpx.Client) -> None:
    ok(
        demo.post(
            "/user-property",
            content=(
                b"user_property=User%20Type&description=Describes%20whether%20the%20user%20is%20a%20Free%2C%20"
                b"Standard%2C%20or%20Premium%20user.%20&type=string&enum_values=Free%2C%20Standard%2C%20Premium"
            ),
        )
    )
    listed = ok(demo.get("/user-property"))
    for prop in listed:
        has_keys(prop, USER_PROPERTY_KEYS)
    assert {"device_id", "user_id", "gp:User Type"} <= {p["user_property"] for p in listed}
    device = ok(demo.get("/user-property/device_id"))
    has_keys(device, USER_PROPERTY_KEYS)
    error(demo.get("/user-property/gp:nope"), 404, "Not found")
    ok(
        demo.put(
            "/user-property/gp:user_type",
            content=(
                b"new_user_property_value=subscription_type&description=The%20user's%20subscription%20type"
                b"&type=string"
            ),
        )
    )
    ok(demo.get("/user-property/gp:subscription_type"))
    ok(demo.delete("/user-property/gp:interests"))
    ok(demo.post("/user-property/gp:interests/restore"))


def test_group_property_examples(demo: httpx.Client) -> None:
    ok(
        demo.post(
            "/group-property",
            content=(
                b"group_type=Group%201&group_property=Group%20Property%201&type=boolean"
                b"&description=First%20Group%20Property"
            ),
        )
    )
    message = error(demo.post("/group-property", data={"group_property": "Group Property 1"}), 409)
    assert message == 'Attempted to add a group property, "Group Property 1", that already exists.'
    listed = ok(get_with_form_body(demo, "/group-property", "group_type=Group%201"))
    for prop in listed:
        has_keys(prop, GROUP_PROPERTY_KEYS)
    assert [p["group_property"] for p in listed] == ["grp:Group Property 2", "grp:Group Property 1"]
    single = ok(
        get_with_form_body(demo, "/group-property/grp%3AGroup%20Property%201", "group_type=Group%201")
    )
    assert single["description"] == "First Group Property" and single["group_type"] == "Group 1"
    error(get_with_form_body(demo, "/group-property/grp%3ANope", "group_type=Group%201"), 400, "Not found")
    ok(
        demo.put(
            "/group-property/grp:Group Property 1",
            headers=FORM,
            content=(
                b"group_type=Group%201&description=First%20Group%20Property%20Updated"
                b"&new_group_property_value=grp%3AGroup%20Property%201%20Renamed"
            ),
        )
    )
    renamed = ok(demo.get("/group-property/grp:Group Property 1 Renamed", params={"group_type": "Group 1"}))
    assert renamed["description"] == "First Group Property Updated"
