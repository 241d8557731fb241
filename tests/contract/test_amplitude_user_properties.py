"""Amplitude user properties: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` that the test names (file:line).

Custom user properties carry `gp:` in paths and answers (:27, :1366, :1426) and not in
bodies (:1152, :1371): the tests check both sides."""

from __future__ import annotations

from pulumi_taxonomy.amplitude.models import UserPropertyInputs
from pulumi_taxonomy.amplitude.resources import UserPropertyProvider
from tests.contract.amplitude_examples import CONNECTION, OK, assert_example, client
from tests.contract.recording import Recorder


def answer(name: str, **fields: object) -> dict[str, object]:
    data = {
        "user_property": name,
        "description": None,
        "type": None,
        "enum_values": None,
        "regex": None,
        "is_array_type": False,
        "classifications": [],
        **fields,
    }
    return {"success": True, "data": data}


def test_create_a_user_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1150-1163: POST /api/2/taxonomy/user-property,
    # user_property=User%20Type&description=...&type=string&enum_values=Free%2C%20Standard%2C%20Premium
    recorder.answer(200, OK)
    recorder.answer(200, answer("gp:User Type", type="string", enum_values="Free,Standard,Premium"))
    description = "Describes whether the user is a Free, Standard, or Premium user. "
    inputs = UserPropertyInputs(
        name="User Type",
        description=description,
        type="enum",
        enum_values=["Free", "Standard", "Premium"],
        connection=CONNECTION,
    )
    UserPropertyProvider().create_remote(inputs)
    create, read_back = recorder.sent
    # The example's type=string with enum values; a program says type="enum" (:1171). The
    # values go comma-separated without spaces: right whether or not Amplitude trims the
    # spaces the example has after its commas. is_array_type is stated (:1174).
    assert_example(
        create,
        "POST",
        "/api/2/taxonomy/user-property",
        {
            "user_property": "User Type",  # the bare name, as the example sends it
            "description": description,
            "type": "enum",
            "enum_values": "Free,Standard,Premium",
            "is_array_type": "false",
        },
    )
    # Read back under its `gp:` name: a server storing the body name otherwise would be
    # caught here, not on the next refresh.
    assert (read_back.method, read_back.raw_path) == ("GET", "/api/2/taxonomy/user-property/gp:User%20Type")


def test_get_all_user_properties(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1194-1199 (request), :1205-1281 (answer)
    recorder.answer(200, {"success": True, "data": [answer("device_id")["data"], answer("user_id")["data"]]})
    listed = client().list_user_properties()
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/user-property")
    assert [p.user_property for p in listed] == ["device_id", "user_id"]


def test_get_a_user_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1300-1306: GET /api/2/taxonomy/user-property/device_id
    recorder.answer(200, answer("device_id", classifications=["PII"]))
    assert client().get_user_property("device_id").classifications == ["PII"]
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/user-property/device_id")


def test_update_a_user_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1369-1381: PUT /api/2/taxonomy/user-property/gp:user_type,
    # new_user_property_value=subscription_type&description=The%20user's%20subscription%20type
    # &type=string: `gp:` in the path, the new name bare.
    recorder.answer(200, OK)
    recorder.answer(200, answer("gp:subscription_type", type="string"))
    state = {"name": "user_type", "type": "string", "connection": CONNECTION}
    inputs = UserPropertyInputs(
        name="subscription_type",
        description="The user's subscription type",
        type="string",
        connection=CONNECTION,
    )
    UserPropertyProvider().update_remote("usp-1", state, inputs)
    update, read_back = recorder.sent
    assert_example(
        update,
        "PUT",
        "/api/2/taxonomy/user-property/gp:user_type",
        {
            "new_user_property_value": "subscription_type",
            "description": "The user's subscription type",
            "type": "string",
            "is_array_type": "false",  # stated, as on create (:1398)
        },
    )
    assert (read_back.method, read_back.raw_path) == (
        "GET",
        "/api/2/taxonomy/user-property/gp:subscription_type",
    )


def test_delete_a_user_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1428-1433: DELETE /api/2/taxonomy/user-property/gp:interests
    recorder.answer(200, OK)
    client().delete_user_property("gp:interests")
    sent = recorder.only()
    assert_example(sent, "DELETE", "/api/2/taxonomy/user-property/gp:interests")
    assert sent.body == b""


def test_restore_a_user_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1475-1480: POST /api/2/taxonomy/user-property/gp:interests/restore
    recorder.answer(200, OK)
    client().restore_user_property("gp:interests")
    sent = recorder.only()
    assert_example(sent, "POST", "/api/2/taxonomy/user-property/gp:interests/restore")
    assert sent.body == b""
