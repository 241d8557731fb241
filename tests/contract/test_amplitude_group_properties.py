"""Amplitude group properties: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` that the test names (file:line). There
are no delete or restore endpoints for them.

Names follow each example: the create sends `Group Property 1` bare (:1533, :1544), the
rename sends the new name with `grp:` (:1759, :1768), paths carry `grp:` (:1674)."""

from __future__ import annotations

from pulumi_taxonomy.amplitude.models import GroupPropertyInputs
from pulumi_taxonomy.amplitude.resources import GroupPropertyProvider
from tests.contract.amplitude_examples import CONNECTION, OK, assert_example, client
from tests.contract.recording import Recorder


def item(name: str, **fields: object) -> dict[str, object]:
    return {  # amplitude-taxonomy-api.txt:1630-1639
        "group_type": "Group 1",
        "group_property": name,
        "description": "First Group Property",
        "type": "string",
        "enum_values": None,
        "regex": None,
        "is_array_type": False,
        "classifications": [],
        **fields,
    }


def test_create_a_group_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1530-1544: POST /api/2/taxonomy/group-property,
    # group_type=Group%201&group_property=Group%20Property%201&type=boolean
    # &description=First%20Group%20Property
    recorder.answer(200, OK)
    recorder.answer(200, {"success": True, "data": [item("grp:Group Property 1", type="boolean")]})
    inputs = GroupPropertyInputs(
        name="Group Property 1",
        group_type="Group 1",
        description="First Group Property",
        type="boolean",
        connection=CONNECTION,
    )
    GroupPropertyProvider().create_remote(inputs)
    create, read_back = recorder.sent
    assert_example(
        create,
        "POST",
        "/api/2/taxonomy/group-property",
        {
            "group_type": "Group 1",
            "group_property": "Group Property 1",
            "type": "boolean",
            "description": "First Group Property",
            "is_array_type": "false",  # stated (:1556)
        },
    )
    # Read back: whether Amplitude stores the bare body name as `grp:Group Property 1`
    # (as :1632 shows) is checked at once, not assumed.
    assert (read_back.method, read_back.raw_path, read_back.form) == (
        "GET",
        "/api/2/taxonomy/group-property",
        {"group_type": "Group 1"},
    )


def test_get_a_group_types_properties(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1602-1615: GET /api/2/taxonomy/group-property with the
    # form body group_type=Group%201 (sent in the query too, as for event properties)
    recorder.answer(
        200, {"success": True, "data": [item("grp:Group Property 1"), item("grp:Group Property 2")]}
    )
    listed = client().list_group_properties("Group 1")
    assert_example(
        recorder.only(),
        "GET",
        "/api/2/taxonomy/group-property",
        {"group_type": "Group 1"},
        query={"group_type": "Group 1"},
    )
    assert [p.group_property for p in listed] == ["grp:Group Property 1", "grp:Group Property 2"]


def test_get_a_single_group_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1674-1686: GET /api/2/taxonomy/group-property/grp%3AGroup%20Property%201
    # with group_type=Group%201, "query or body" (:1694). The page writes the colon
    # encoded here and literally at :1755-1762 (and for `gp:`, :1369-1478); the client
    # keeps it literal, which a server decodes to the same name.
    recorder.answer(200, {"success": True, "data": item("grp:Group Property 1", classifications=["PII"])})
    found = client().get_group_property("grp:Group Property 1", "Group 1")
    assert_example(
        recorder.only(),
        "GET",
        "/api/2/taxonomy/group-property/grp:Group%20Property%201",
        {"group_type": "Group 1"},
        query={"group_type": "Group 1"},
    )
    assert found.classifications == ["PII"]


def test_update_a_group_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1755-1768: PUT /api/2/taxonomy/group-property/grp:Group Property 1,
    # group_type=Group%201&description=First%20Group%20Property%20Updated
    # &new_group_property_value=grp%3AGroup%20Property%201%20Renamed (the HTTP form, :1768;
    # the curl at :1759 names it "grp:Group Property - Renamed" and leaves out group_type)
    recorder.answer(200, OK)
    renamed = item("grp:Group Property 1 Renamed", description="First Group Property Updated", type="any")
    recorder.answer(200, {"success": True, "data": [renamed]})
    state = {"name": "Group Property 1", "group_type": "Group 1", "type": "any", "connection": CONNECTION}
    inputs = GroupPropertyInputs(
        name="Group Property 1 Renamed",
        group_type="Group 1",
        description="First Group Property Updated",
        connection=CONNECTION,
    )
    GroupPropertyProvider().update_remote("grp-1", state, inputs)
    update, read_back = recorder.sent
    example = {
        "group_type": "Group 1",
        "description": "First Group Property Updated",
        "new_group_property_value": "grp:Group Property 1 Renamed",
    }
    # Beyond the example: overrideScope=override (:1781) keeps the change on this group
    # type, and the type and flag are stated.
    extra = {"overrideScope": "override", "type": "any", "is_array_type": "false"}
    assert_example(
        update, "PUT", "/api/2/taxonomy/group-property/grp:Group%20Property%201", {**example, **extra}
    )
    assert (read_back.method, read_back.raw_path) == ("GET", "/api/2/taxonomy/group-property")
