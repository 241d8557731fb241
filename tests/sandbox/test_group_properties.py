from __future__ import annotations

import httpx

from tests.conftest import error, ok


def test_create_on_a_group_type_and_read(demo: httpx.Client) -> None:
    ok(
        demo.post(
            "/group-property",
            data={
                "group_type": "Group 1",
                "group_property": "Group Property 1",
                "description": "First Group Property",
                "type": "boolean",
            },
        )
    )
    listed = ok(demo.get("/group-property", params={"group_type": "Group 1"}))
    assert [p["group_property"] for p in listed] == ["grp:Group Property 2", "grp:Group Property 1"]
    got = ok(demo.get("/group-property/grp%3AGroup%20Property%201", params={"group_type": "Group 1"}))
    assert got == {
        "group_property": "grp:Group Property 1",
        "group_type": "Group 1",
        "description": "First Group Property",
        "type": "boolean",
        "regex": None,
        "enum_values": None,
        "is_array_type": False,
        "classifications": [],
    }
    shared = ok(demo.get("/group-property/grp:Group Property 1"))
    assert shared["group_type"] is None
    assert "grp:Group Property 1" in [p["group_property"] for p in ok(demo.get("/group-property"))]


def test_duplicate_and_unknown_group_type(demo: httpx.Client) -> None:
    data = {"group_type": "Group 1", "group_property": "Group Property 2"}
    error(demo.post("/group-property", data=data), 409, "already exists")
    error(demo.post("/group-property", data={"group_type": "Nope", "group_property": "x"}), 404, "Nope")
    error(demo.get("/group-property", params={"group_type": "Nope"}), 404)


def test_update_rename_and_classifications(demo: httpx.Client) -> None:
    ok(
        demo.put(
            "/group-property/grp:Group Property 2",
            data={
                "group_type": "Group 1",
                "description": "Updated",
                "new_group_property_value": "grp:Group Property 2 - Renamed",
            },
        )
    )
    got = ok(demo.get("/group-property/grp:Group Property 2 - Renamed", params={"group_type": "Group 1"}))
    assert got["description"] == "Updated"
    error(
        demo.get("/group-property/grp:Group Property 2", params={"group_type": "Group 1"}), 400, "Not found"
    )
    error(
        demo.put(
            "/group-property/grp:Group Property 2 - Renamed",
            data={"group_type": "Group 1", "overrideScope": "override", "classifications": "PII"},
        ),
        409,
        "overridden",
    )
    ok(demo.put("/group-property/grp:Group Property 2 - Renamed", data={"classifications": "PII"}))


def test_there_is_no_delete_nor_restore(demo: httpx.Client) -> None:
    error(demo.delete("/group-property/grp:Group Property 2"), 405)
    error(demo.post("/group-property/grp:Group Property 2/restore"), 405)
    ok(demo.get("/group-property/grp:Group Property 2", params={"group_type": "Group 1"}))


def test_names_as_the_examples_send_them(demo: httpx.Client) -> None:
    # Create: bare (the example) or with `grp:` (the parameter's text); both are custom.
    ok(demo.post("/group-property", data={"group_type": "Group 1", "group_property": "bare"}))
    ok(demo.post("/group-property", data={"group_type": "Group 1", "group_property": "grp:prefixed"}))
    names = [p["group_property"] for p in ok(demo.get("/group-property", params={"group_type": "Group 1"}))]
    assert {"grp:bare", "grp:prefixed"} <= set(names)
    # Rename: the new name is taken whole, as the example sends it (`grp:...`).
    ok(demo.put("/group-property/grp:bare", data={"new_group_property_value": "grp:renamed"}))
    ok(demo.put("/group-property/grp:prefixed", data={"new_group_property_value": "no prefix"}))
    names = [p["group_property"] for p in ok(demo.get("/group-property", params={"group_type": "Group 1"}))]
    assert {"grp:renamed", "no prefix"} <= set(names) and "grp:no prefix" not in names
