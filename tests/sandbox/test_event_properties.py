from __future__ import annotations

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import error, ingest, ok


@pytest.fixture
def onboarding(amp: httpx.Client) -> httpx.Client:
    ok(amp.post("/event", data={"event_type": "Onboard Start"}))
    ok(amp.post("/event", data={"event_type": "Onboard Finish"}))
    return amp


def on(amp: httpx.Client, event: str) -> dict[str, dict[str, object]]:
    return {p["event_property"]: p for p in ok(amp.get("/event-property", params={"event_type": event}))}


def test_create_on_an_event_and_read_it_back(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(
        amp.post(
            "/event-property",
            data={
                "event_type": "Onboard Start",
                "event_property": "Completed Task",
                "type": "boolean",
                "is_required": "false",
                "description": "User completed any onboarding task",
            },
        )
    )
    expected = {
        "event_property": "Completed Task",
        "event_type": "Onboard Start",
        "description": "User completed any onboarding task",
        "type": "boolean",
        "regex": None,
        "enum_values": None,
        "is_array_type": False,
        "is_required": False,
        "classifications": [],
    }
    assert on(amp, "Onboard Start") == {"Completed Task": expected}
    # Both documented spellings of the single GET: name in the path, or in the query.
    assert ok(amp.get("/event-property/Completed Task", params={"event_type": "Onboard Start"})) == expected
    assert (
        ok(
            amp.get(
                "/event-property", params={"event_property": "Completed Task", "event_type": "Onboard Start"}
            )
        )
        == expected
    )
    # A property new everywhere also becomes a shared definition.
    shared = ok(amp.get("/event-property/Completed Task"))
    assert shared["event_type"] is None and shared["type"] == "boolean"
    assert on(amp, "Onboard Finish") == {}


def test_duplicate_on_the_same_event_uses_the_vendor_wording(onboarding: httpx.Client) -> None:
    data = {"event_type": "Onboard Start", "event_property": "Completed Task"}
    ok(onboarding.post("/event-property", data=data))
    message = error(onboarding.post("/event-property", data=data), 409)
    assert message == (
        'Attempted to add an event property, "Completed Task" for event "Onboard Start", that already exists.'
    )


def test_shared_property_create_duplicate_and_list(amp: httpx.Client) -> None:
    ok(
        amp.post(
            "/event-property",
            data={"event_property": "platform", "type": "enum", "enum_values": "ios, android, web"},
        )
    )
    error(amp.post("/event-property", data={"event_property": "platform"}), 409, "already exists")
    listed = ok(amp.get("/event-property"))
    assert [(p["event_property"], p["enum_values"]) for p in listed] == [("platform", "ios,android,web")]


def test_attaching_an_existing_property_with_attributes_creates_an_override(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(
        amp.post(
            "/event-property", data={"event_property": "step", "type": "number", "description": "shared"}
        )
    )
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "step"}))
    ok(
        amp.post(
            "/event-property",
            data={"event_type": "Onboard Finish", "event_property": "step", "description": "override"},
        )
    )
    assert on(amp, "Onboard Start")["step"]["description"] == "shared"
    assert on(amp, "Onboard Finish")["step"]["description"] == "override"
    assert on(amp, "Onboard Finish")["step"]["type"] == "number"  # copied from the shared definition

    # Without overrideScope an update goes to the override where one exists...
    ok(amp.put("/event-property/step", data={"event_type": "Onboard Finish", "is_required": "true"}))
    assert on(amp, "Onboard Finish")["step"]["is_required"] is True
    assert ok(amp.get("/event-property/step"))["is_required"] is False
    # ...and to the shared definition where none does.
    ok(amp.put("/event-property/step", data={"event_type": "Onboard Start", "description": "shared 2"}))
    assert ok(amp.get("/event-property/step"))["description"] == "shared 2"
    assert on(amp, "Onboard Finish")["step"]["description"] == "override"
    # overrideScope=shared drops the override, overrideScope=override creates one.
    ok(
        amp.put(
            "/event-property/step",
            data={"event_type": "Onboard Finish", "overrideScope": "shared", "description": "shared 3"},
        )
    )
    assert on(amp, "Onboard Finish")["step"]["description"] == "shared 3"
    assert on(amp, "Onboard Start")["step"]["description"] == "shared 3"
    ok(
        amp.put(
            "/event-property/step",
            data={"event_type": "Onboard Start", "overrideScope": "override", "description": "only here"},
        )
    )
    assert on(amp, "Onboard Start")["step"]["description"] == "only here"
    assert on(amp, "Onboard Finish")["step"]["description"] == "shared 3"


def test_classifications_only_on_shared_properties(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(
        amp.post(
            "/event-property",
            data={"event_property": "email", "type": "string", "classifications": "PII,SENSITIVE"},
        )
    )
    assert ok(amp.get("/event-property/email"))["classifications"] == ["PII", "SENSITIVE"]
    error(
        amp.post(
            "/event-property",
            data={"event_type": "Onboard Start", "event_property": "email", "classifications": "PII"},
        ),
        409,
        "overridden",
    )
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "email"}))
    error(
        amp.put(
            "/event-property/email",
            data={"event_type": "Onboard Start", "overrideScope": "override", "classifications": "REVENUE"},
        ),
        409,
        "overridden",
    )
    ok(amp.put("/event-property/email", data={"classifications": "REVENUE"}))
    assert on(amp, "Onboard Start")["email"]["classifications"] == ["REVENUE"]


def test_rename_applies_everywhere(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "Completed Task"}))
    ok(
        amp.put(
            "/event-property/Completed Task",
            data={
                "event_type": "Onboard Start",
                "description": "User completed an onboarding task",
                "new_event_property_value": "Task Completed",
                "type": "any",
            },
        )
    )
    assert list(on(amp, "Onboard Start")) == ["Task Completed"]
    error(amp.get("/event-property/Completed Task"), 400, "Not found")
    ok(amp.post("/event-property", data={"event_property": "Other"}))
    error(
        amp.put("/event-property/Other", data={"new_event_property_value": "Task Completed"}),
        409,
        "already exists",
    )


def test_update_of_missing_property_uses_the_vendor_wording(amp: httpx.Client) -> None:
    message = error(amp.put("/event-property/Completed Task", data={"description": "x"}), 409)
    assert message == (
        'Attempted to change the event property description for property "Completed Task" for event "", '
        "but the property is not in schema."
    )


def test_property_on_a_missing_event_is_refused(amp: httpx.Client) -> None:
    error(
        amp.post("/event-property", data={"event_type": "Nope", "event_property": "x"}), 409, "not in schema"
    )
    assert ok(amp.get("/event-property")) == []
    error(amp.get("/event-property", params={"event_type": "Nope"}), 400, "Not found")


def delete_from(amp: httpx.Client, name: str, event_type: str) -> httpx.Response:
    """A per-event delete as the current page sends it: `event_type` in a form body."""
    return amp.request("DELETE", f"/event-property/{name}", data={"event_type": event_type})


def test_delete_from_an_event_detaches_only_there(onboarding: httpx.Client) -> None:
    amp = onboarding
    for event in ("Onboard Start", "Onboard Finish"):
        ok(amp.post("/event-property", data={"event_type": event, "event_property": "step"}))
    ok(delete_from(amp, "step", "Onboard Start"))
    assert on(amp, "Onboard Start") == {}
    assert list(on(amp, "Onboard Finish")) == ["step"]
    error(delete_from(amp, "step", "Onboard Start"), 409, "does not exist")


def test_a_delete_reads_event_type_from_the_body_only(onboarding: httpx.Client) -> None:
    """Where the current page puts it: sent in the query alone (the legacy spelling), it is
    not read, and the delete acts on the shared property, on every event."""
    amp = onboarding
    for event in ("Onboard Start", "Onboard Finish"):
        ok(amp.post("/event-property", data={"event_type": event, "event_property": "step"}))
    ok(amp.delete("/event-property/step", params={"event_type": "Onboard Start"}))
    assert on(amp, "Onboard Start") == {} and on(amp, "Onboard Finish") == {}
    assert ok(amp.get("/event-property")) == []


def test_reads_take_event_type_from_the_query_or_the_body(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "step"}))
    by_query = ok(amp.get("/event-property", params={"event_type": "Onboard Start"}))
    by_body = ok(
        amp.request(
            "GET",
            "/event-property",
            content=b"event_type=Onboard%20Start",
            headers={"content-type": "application/x-www-form-urlencoded"},
        )
    )
    assert by_query == by_body and [p["event_type"] for p in by_body] == ["Onboard Start"]
    # Every item of an event's list names the event; the shared list names none.
    assert [p["event_type"] for p in ok(amp.get("/event-property"))] == [None]


def test_restore_takes_no_event_type(onboarding: httpx.Client) -> None:
    error(
        onboarding.post("/event-property/x/restore", data={"event_type": "Onboard Start"}),
        400,
        "Unknown parameter: event_type",
    )


def test_global_delete_semantics_and_restore(sandbox: SandboxProcess, onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "planned"}))
    ok(amp.post("/event-property", data={"event_type": "Onboard Start", "event_property": "live"}))
    ingest(sandbox, event_type="Onboard Start", event_properties=["live", "unexpected"])

    ok(amp.delete("/event-property/planned"))  # planned: leaves the plan for good
    error(amp.post("/event-property/planned/restore"), 409, "does not exist")

    ok(amp.delete("/event-property/live"))  # live: marked deleted
    assert set(on(amp, "Onboard Start")) == {"unexpected"}
    error(amp.get("/event-property/live"), 400)
    error(amp.post("/event-property", data={"event_property": "live"}), 409, "that already exists")
    error(amp.delete("/event-property/live"), 409, "does not exist")
    ok(amp.post("/event-property/live/restore"))
    assert set(on(amp, "Onboard Start")) == {"live", "unexpected"}
    error(amp.post("/event-property/live/restore"), 409, "not deleted")

    ok(amp.delete("/event-property/unexpected"))  # unexpected: planned, then marked deleted
    ok(amp.post("/event-property/unexpected/restore"))
    ok(amp.put("/event-property/unexpected", data={"description": "in the plan now"}))
