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


def test_writes_read_the_body_only(onboarding: httpx.Client) -> None:
    # The page sends every write's parameters as a form body; the query is not read.
    error(onboarding.post("/event", params={"event_type": "From Query"}), 400, "event_type")
    ok(onboarding.post("/event", data={"event_type": "From Body"}))
    ok(onboarding.put("/event/From Body", params={"description": "ignored"}))
    assert ok(onboarding.get("/event/From Body"))["description"] is None


def test_parameters_the_endpoint_does_not_define_are_refused(amp: httpx.Client) -> None:
    error(amp.post("/event", data={"event_type": "A", "display_name": "x"}), 400, "Unknown parameter")
    ok(amp.post("/event", data={"event_type": "A"}))
    error(amp.post("/event/A/restore", data={"event_type": "A"}), 400, "Unknown parameter: event_type")
    error(amp.get("/event", params={"deleted": "true"}), 400, "Unknown parameter")


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
    # The single GET still answers, saying nothing of the deletion: only lists tell.
    assert "deleted" not in ok(amp.get("/event/Live"))
    assert ok(amp.get("/event")) == []
    listed = ok(amp.get("/event", params={"showDeleted": "true"}))
    assert [(e["event_type"], e["deleted"]) for e in listed] == [("Live", True)]
    # The same answer as for a live duplicate: the docs give no other wording.
    error(amp.post("/event", data={"event_type": "Live"}), 409, '"Live", that already exists.')
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
    for name in ("Play Song", "a+b", "100%", "grp:looks:prefixed", "Café ☕", "#1?", "...", ".x"):
        ok(amp.post("/event", data={"event_type": name}))
        assert ok(amp.get("/event/" + quote(name, safe="")))["event_type"] == name


def test_paths_that_are_not_one_name_are_refused(amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "x/restore"}))
    for path in ("/event/x%2Frestore", "/event/x%2frestore", "/event/%2E%2E", "/event/%2e", "/event/a%5Cb"):
        error(amp.delete(path), 400, "Invalid name in path")
    assert [e["event_type"] for e in ok(amp.get("/event"))] == ["x/restore"]
