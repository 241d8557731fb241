from __future__ import annotations

import httpx

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import error, ingest, ok


def refused(response: httpx.Response) -> None:
    """The user-property page documents create and update answers as true or false only."""
    assert (response.status_code, response.json()) == (200, {"success": False}), response.text


def test_amplitude_properties_exist_in_every_project(amp: httpx.Client) -> None:
    names = [p["user_property"] for p in ok(amp.get("/user-property"))]
    assert {"device_id", "user_id", "amplitude_id"} <= set(names)
    device = ok(amp.get("/user-property/device_id"))
    assert device == {
        "user_property": "device_id",
        "description": None,
        "type": None,
        "enum_values": None,
        "regex": None,
        "is_array_type": False,
        "classifications": [],
        "deleted": False,
    }
    error(amp.delete("/user-property/device_id"), 409, "not deletable")
    refused(amp.put("/user-property/device_id", data={"description": "x"}))


def test_custom_properties_carry_gp_prefix(amp: httpx.Client) -> None:
    ok(
        amp.post(
            "/user-property",
            data={
                "user_property": "User Type",
                "type": "string",
                "description": "Free, Standard or Premium.",
                "enum_values": "Free, Standard, Premium",
            },
        )
    )
    prop = ok(amp.get("/user-property/gp:User%20Type"))
    assert prop["user_property"] == "gp:User Type"
    assert prop["enum_values"] == "Free,Standard,Premium"
    error(amp.get("/user-property/User Type"), 404, "Not found")  # missing user property: 404
    refused(amp.post("/user-property", data={"user_property": "User Type"}))  # a duplicate


def test_body_names_are_read_literally(amp: httpx.Client) -> None:
    # The examples send the bare name; a body `gp:plan` names a property called "gp:plan".
    ok(amp.post("/user-property/", data={"user_property": "gp:plan"}))
    ok(amp.get("/user-property/gp:gp:plan"))
    error(amp.get("/user-property/gp:plan"), 404)
    ok(amp.post("/user-property", data={"user_property": "plan"}))
    ok(amp.put("/user-property/gp:plan", data={"new_user_property_value": "gp:tier"}))
    ok(amp.get("/user-property/gp:gp:tier"))


def test_update_and_rename(amp: httpx.Client) -> None:
    ok(amp.post("/user-property", data={"user_property": "user_type"}))
    ok(
        amp.put(
            "/user-property/gp:user_type",
            data={
                "new_user_property_value": "subscription_type",
                "description": "The user's subscription type",
                "type": "string",
                "is_array_type": "true",
            },
        )
    )
    error(amp.get("/user-property/gp:user_type"), 404)
    prop = ok(amp.get("/user-property/gp:subscription_type"))
    assert (prop["description"], prop["type"], prop["is_array_type"]) == (
        "The user's subscription type",
        "string",
        True,
    )
    refused(amp.put("/user-property/gp:nope", data={"description": "x"}))


def test_delete_and_restore(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    ok(amp.post("/user-property", data={"user_property": "planned"}))
    ok(amp.delete("/user-property/gp:planned"))
    error(amp.get("/user-property/gp:planned"), 404)

    ok(amp.post("/user-property", data={"user_property": "interests"}))
    ingest(sandbox, user_properties=["interests"])
    ok(amp.delete("/user-property/gp:interests"))
    assert ok(amp.get("/user-property/gp:interests"))["deleted"] is True
    error(amp.delete("/user-property/gp:interests"), 409, "does not exist")
    refused(amp.post("/user-property", data={"user_property": "interests"}))
    ok(amp.post("/user-property/gp:interests/restore"))
    assert ok(amp.get("/user-property/gp:interests"))["deleted"] is False
    error(amp.post("/user-property/gp:interests/restore"), 409, "not deleted")
    error(amp.post("/user-property/gp:nope/restore"), 409, "does not exist")
