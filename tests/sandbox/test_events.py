from __future__ import annotations

from urllib.parse import quote

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import error, ingest, ok


@pytest.fixture
def onboarding(amp: httpx.Client) -> httpx.Client:
    ok(amp.post("/category", data={"category_name": "Onboarding"}))
    return amp


def test_create_and_read(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(
        amp.post(
            "/event",
            data={
                "event_type": "Onboard Start",
                "category": "Onboarding",
                "description": "My new onboarding event.",
            },
        )
    )
    event = ok(amp.get("/event/Onboard%20Start"))
    assert event["event_type"] == "Onboard Start"
    assert event["category"] == {"name": "Onboarding"}
    assert event["description"] == "My new onboarding event."
    assert event["display_name"] is None
    assert [e["event_type"] for e in ok(amp.get("/event"))] == ["Onboard Start"]


def test_parameters_may_come_in_the_query_string(onboarding: httpx.Client) -> None:
    ok(onboarding.post("/event", params={"event_type": "From Query", "category": "Onboarding"}))
    assert ok(onboarding.get("/event/From Query"))["category"] == {"name": "Onboarding"}


def test_get_missing_is_400_not_found(amp: httpx.Client) -> None:
    error(amp.get("/event/Nope"), 400, "Not found")


def test_names_are_case_sensitive(amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "Sign Up"}))
    error(amp.get("/event/sign up"), 400, "Not found")
    ok(amp.post("/event", data={"event_type": "sign up"}))
    assert len(ok(amp.get("/event"))) == 2


def test_duplicate_is_409(amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "Sign Up"}))
    error(amp.post("/event", data={"event_type": "Sign Up"}), 409, '"Sign Up", that already exists')


def test_unknown_category_is_refused_and_nothing_is_created(amp: httpx.Client) -> None:
    error(amp.post("/event", data={"event_type": "X", "category": "Nope"}), 409, 'name "Nope"')
    error(amp.get("/event/X"), 400)


def test_update_fields_and_rename_keeps_properties(onboarding: httpx.Client) -> None:
    amp = onboarding
    ok(amp.post("/event", data={"event_type": "OnboardBegin"}))
    ok(amp.post("/event-property", data={"event_type": "OnboardBegin", "event_property": "step"}))
    ok(
        amp.put(
            "/event/OnboardBegin",
            data={
                "new_event_type": "OnboardStart",
                "category": "Onboarding",
                "description": "User signed in.",
                "display_name": "Onboarding Start",
            },
        )
    )
    error(amp.get("/event/OnboardBegin"), 400)
    event = ok(amp.get("/event/OnboardStart"))
    assert (event["category"], event["description"], event["display_name"]) == (
        {"name": "Onboarding"},
        "User signed in.",
        "Onboarding Start",
    )
    props = ok(amp.get("/event-property", params={"event_type": "OnboardStart"}))
    assert [p["event_property"] for p in props] == ["step"]
    # An empty category clears it; omitted fields stay.
    ok(amp.put("/event/OnboardStart", data={"category": ""}))
    event = ok(amp.get("/event/OnboardStart"))
    assert event["category"] is None and event["display_name"] == "Onboarding Start"


def test_rename_onto_an_existing_event_is_refused(amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "A"}))
    ok(amp.post("/event", data={"event_type": "B"}))
    error(amp.put("/event/A", data={"new_event_type": "B"}), 409, "already exists")
    ok(amp.get("/event/A"))


def test_update_of_missing_event_uses_the_vendor_wording(amp: httpx.Client) -> None:
    message = error(amp.put("/event/Event", data={"display_name": "X"}), 409)
    assert message == (
        'Attempted to change the event display name for event "Event", but the event is not in schema.'
    )


def test_delete_planned_removes_it(amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "Planned"}))
    ok(amp.delete("/event/Planned"))
    error(amp.get("/event/Planned"), 400)
    assert ok(amp.get("/event", params={"showDeleted": "true"})) == []
    error(amp.post("/event/Planned/restore"), 409, "does not exist")
    ok(amp.post("/event", data={"event_type": "Planned"}))  # gone, so it can be planned again


def test_delete_live_marks_deleted_and_restore_brings_it_back(
    sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    ok(amp.post("/event", data={"event_type": "Live", "description": "kept"}))
    ingest(sandbox, event_type="Live")
    ok(amp.delete("/event/Live"))
    error(amp.get("/event/Live"), 400, "Not found")
    assert ok(amp.get("/event")) == []
    listed = ok(amp.get("/event", params={"showDeleted": "true"}))
    assert [(e["event_type"], e["deleted"]) for e in listed] == [("Live", True)]
    error(amp.post("/event", data={"event_type": "Live"}), 409, "Restore")
    error(amp.put("/event/Live", data={"description": "x"}), 409, "not in schema")
    error(amp.delete("/event/Live"), 409, "does not exist")

    ok(amp.post("/event/Live/restore"))
    assert ok(amp.get("/event/Live"))["description"] == "kept"
    error(amp.post("/event/Live/restore"), 409, "not deleted")


def test_delete_unexpected_plans_then_deletes(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    ingest(sandbox, event_type="Seen")
    error(amp.put("/event/Seen", data={"description": "x"}), 409, "not in schema")
    ok(amp.delete("/event/Seen"))
    assert [e["event_type"] for e in ok(amp.get("/event", params={"showDeleted": "true"}))] == ["Seen"]
    ok(amp.post("/event/Seen/restore"))
    ok(amp.put("/event/Seen", data={"description": "now planned"}))  # restored into the plan


def test_creating_an_unexpected_event_plans_it(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    ingest(sandbox, event_type="Seen")
    ok(amp.post("/event", data={"event_type": "Seen", "description": "planned now"}))
    ok(amp.put("/event/Seen", data={"display_name": "Seen!"}))
    assert ok(amp.get("/event/Seen"))["display_name"] == "Seen!"


def test_delete_missing_is_an_error(amp: httpx.Client) -> None:
    error(amp.delete("/event/Nope"), 409, "does not exist")


def test_transformed_events_are_not_deletable(demo: httpx.Client) -> None:
    error(demo.delete("/event/Purchase%20(any)"), 409, "Transformed")
    ok(demo.get("/event/Purchase (any)"))


def test_hidden_events_are_left_out_of_the_list(demo: httpx.Client) -> None:
    assert "Debug Ping" not in [e["event_type"] for e in ok(demo.get("/event"))]
    assert ok(demo.get("/event/Debug Ping"))["event_type"] == "Debug Ping"


def test_names_with_reserved_characters(amp: httpx.Client) -> None:
    for name in ("Play Song", "a/b", "a+b", "100%", "grp:looks:prefixed", "Café ☕", "x/restore"):
        ok(amp.post("/event", data={"event_type": name}))
        assert ok(amp.get("/event/" + quote(name, safe="")))["event_type"] == name
    ok(amp.delete("/event/x%2Frestore"))
    error(amp.get("/event/x%2Frestore"), 400)
