"""Amplitude event properties: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` (and, where the two versions disagree,
`amplitude-taxonomy-api-legacy.txt`) that the test names (file:line).

Creates and updates go through the resource's provider, so the fields compared are the
ones a `pulumi up` sends."""

from __future__ import annotations

from pulumi_taxonomy.amplitude.models import EventPropertyInputs
from pulumi_taxonomy.amplitude.resources import EventPropertyProvider
from tests.contract.amplitude_examples import CONNECTION, OK, assert_example, client
from tests.contract.recording import Recorder

COMPLETED_TASK = {
    "event_property": "Completed Task",
    "event_type": "Onboard Start",
    "description": "User completed a task during onboarding.",
    "type": "boolean",
    "regex": None,
    "enum_values": None,
    "is_array_type": False,
    "is_required": False,
    "classifications": ["PII"],
}
ON_ONBOARD_START = {  # amplitude-taxonomy-api.txt:822-848
    "success": True,
    "data": [
        COMPLETED_TASK,
        {**COMPLETED_TASK, "event_property": "Completed Tutorial", "type": "any", "classifications": []},
    ],
}


def test_create_an_event_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:722-738: POST /api/2/taxonomy/event-property,
    # event_type=Onboard%20Start&event_property=Completed%20Task&type=boolean&is_required=false
    # &description=User%20completed%20any%20onboarding%20task
    recorder.answer(200, OK)
    inputs = EventPropertyInputs(
        name="Completed Task",
        event_type="Onboard Start",
        description="User completed any onboarding task",
        type="boolean",
        connection=CONNECTION,
    )
    EventPropertyProvider().create_remote(inputs)
    example = {
        "event_type": "Onboard Start",
        "event_property": "Completed Task",
        "type": "boolean",
        "is_required": "false",
        "description": "User completed any onboarding task",
    }
    # Beyond the example, the client states is_array_type (a documented field, :750) so
    # that the result never depends on a default; it sends no classifications (none set).
    assert_example(
        recorder.only(), "POST", "/api/2/taxonomy/event-property", {**example, "is_array_type": "false"}
    )


def test_get_an_events_properties(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:797-810: GET /api/2/taxonomy/event-property with the form
    # body event_type=Onboard%20Start. The legacy page (:196) sends it in the query
    # (`?event_type=add event`): the versions disagree, so the client sends both.
    recorder.answer(200, ON_ONBOARD_START)
    listed = client().list_event_properties("Onboard Start")
    assert_example(
        recorder.only(),
        "GET",
        "/api/2/taxonomy/event-property",
        {"event_type": "Onboard Start"},
        query={"event_type": "Onboard Start"},
    )
    assert [p.event_property for p in listed] == ["Completed Task", "Completed Tutorial"]


def test_get_the_shared_properties(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:816: without event_type, the shared properties; no body.
    recorder.answer(200, {"success": True, "data": []})
    client().list_event_properties()
    sent = recorder.only()
    assert_example(sent, "GET", "/api/2/taxonomy/event-property")
    assert sent.body == b""


def test_get_a_single_event_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:870-883 spells it `GET /event-property?event_property=Completed
    # Task` (curl and HTTP, :871 and :877), while its generic form says
    # `GET /event-property/EVENT_PROPERTY_NAME` (:861), as the legacy page does (:186,
    # `/event-property/user?event_type=add_event`). A server reading the other spelling
    # would answer a list, or nothing. So the client reads the event's list (:797-810,
    # plain in both versions) and picks the property from it: the one request that
    # means the same under either reading.
    recorder.answer(200, ON_ONBOARD_START)
    found = client().get_event_property("Completed Task", "Onboard Start")
    assert_example(
        recorder.only(),
        "GET",
        "/api/2/taxonomy/event-property",
        {"event_type": "Onboard Start"},
        query={"event_type": "Onboard Start"},
    )
    assert (found.event_property, found.type) == ("Completed Task", "boolean")


def test_update_an_event_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:952-966: PUT /api/2/taxonomy/event-property/Completed Task,
    # event_type=Onboard%20Start&description=User%20completed%20an%20onboarding%20task
    # &new_event_property_value=Task%20Completed&type=any (the HTTP form, :966; the curl
    # at :953-957 leaves out event_type and type)
    recorder.answer(200, OK)
    renamed = {**COMPLETED_TASK, "event_property": "Task Completed", "type": "any", "classifications": []}
    recorder.answer(200, {"success": True, "data": [renamed]})  # the read-back of the rename
    state = {"name": "Completed Task", "event_type": "Onboard Start", "type": "any", "connection": CONNECTION}
    inputs = EventPropertyInputs(
        name="Task Completed",
        event_type="Onboard Start",
        description="User completed an onboarding task",
        connection=CONNECTION,
    )
    EventPropertyProvider().update_remote("evp-1", state, inputs)
    update, read_back = recorder.sent
    example = {
        "event_type": "Onboard Start",
        "description": "User completed an onboarding task",
        "new_event_property_value": "Task Completed",
        "type": "any",
    }
    # Beyond the example: overrideScope=override (:979) keeps the change on this event
    # (a per-event property's attributes are that event's), and the flags are stated.
    extra = {"overrideScope": "override", "is_array_type": "false", "is_required": "false"}
    assert_example(update, "PUT", "/api/2/taxonomy/event-property/Completed%20Task", {**example, **extra})
    # A rename is read back: the answer to the PUT cannot show which name Amplitude kept.
    assert (read_back.method, read_back.raw_path) == ("GET", "/api/2/taxonomy/event-property")
    assert read_back.form == {"event_type": "Onboard Start"}


def test_delete_an_event_property_from_an_event(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1031-1043: DELETE /api/2/taxonomy/event-property/Completed
    # Task with the form body event_type=Onboarding%20Start. The legacy page (:232) puts
    # event_type in the query: the client sends both, since a server that read neither
    # would delete the shared property on every event (:1065). Before that, it reads the
    # event's list (:797-810), whose items must name the event: the proof that this
    # server reads event_type, and that the property is on that event.
    recorder.answer(
        200,
        {
            "success": True,
            "data": [{**COMPLETED_TASK, "event_type": "Onboarding Start", "classifications": []}],
        },
    )
    recorder.answer(200, OK)
    client().delete_event_property("Completed Task", "Onboarding Start")
    look, delete = recorder.sent
    assert (look.method, look.raw_path, look.form) == (
        "GET",
        "/api/2/taxonomy/event-property",
        {"event_type": "Onboarding Start"},
    )
    assert_example(
        delete,
        "DELETE",
        "/api/2/taxonomy/event-property/Completed%20Task",
        {"event_type": "Onboarding Start"},
        query={"event_type": "Onboarding Start"},
    )


def test_delete_the_shared_event_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1065-1072: without an event type, the delete acts on the
    # shared ("global") property; the client then sends no event_type anywhere.
    recorder.answer(200, OK)
    client().delete_event_property("Completed Task")
    sent = recorder.only()
    assert_example(sent, "DELETE", "/api/2/taxonomy/event-property/Completed%20Task")
    assert sent.body == b""


def test_restore_an_event_property(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:1098-1103: POST /api/2/taxonomy/event-property/Completed
    # Task/restore, no parameter (none is defined, :1105-1109)
    recorder.answer(200, OK)
    client().restore_event_property("Completed Task")
    sent = recorder.only()
    assert_example(sent, "POST", "/api/2/taxonomy/event-property/Completed%20Task/restore")
    assert sent.body == b""


def test_classifications_are_sent_only_when_set(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:987: classifications need Data Access Controls, so a
    # program that sets none sends none, on create and on update alike.
    recorder.answer(200, OK)
    recorder.answer(200, OK)
    provider = EventPropertyProvider()
    plain = EventPropertyInputs(name="platform", type="string", connection=CONNECTION)
    provider.create_remote(plain)
    provider.update_remote("evp-1", {**plain.model_dump(), "description": None}, plain)
    assert all("classifications" not in sent.form for sent in recorder.sent)
    recorder.answer(200, OK)
    provider.create_remote(plain.model_copy(update={"classifications": ["PII", "SENSITIVE"]}))
    assert recorder.sent[-1].form["classifications"] == "PII,SENSITIVE"
