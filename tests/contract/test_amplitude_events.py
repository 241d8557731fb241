"""Amplitude event types: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` that the test names (file:line)."""

from __future__ import annotations

from pulumi_taxonomy.amplitude.models import EventTypeInputs
from pulumi_taxonomy.amplitude.resources import EventTypeProvider, event_info
from tests.contract.amplitude_examples import OK, assert_example, client
from tests.contract.recording import Recorder


def test_create_an_event_type(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:358-371: POST /api/2/taxonomy/event,
    # event_type=Onboard%20Start&category=Onboarding&description=My%20new%20onboarding%20event.%20
    recorder.answer(200, OK)
    client().create_event("Onboard Start", "Onboarding", "My new onboarding event. ")
    assert_example(
        recorder.only(),
        "POST",
        "/api/2/taxonomy/event",
        {"event_type": "Onboard Start", "category": "Onboarding", "description": "My new onboarding event. "},
    )


def test_get_all_event_types(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:416-421 (request), :427-445 (answer)
    recorder.answer(
        200,
        {
            "success": True,
            "data": [
                {
                    "event_type": "Attribution",
                    "category": {"name": "Attribution Events"},
                    "description": None,
                },
                {
                    "event_type": "Conversation",
                    "category": {"name": "Conversion Events"},
                    "description": "This event is fired when a user converts.",
                },
            ],
        },
    )
    events = client().list_events()
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/event")
    assert [e.event_type for e in events] == ["Attribution", "Conversation"]


def test_get_all_event_types_with_the_deleted_ones(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:412-414: GET /api/2/taxonomy/event?showDeleted=true
    recorder.answer(200, {"success": True, "data": []})
    client().list_events(show_deleted=True)
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/event", query={"showDeleted": "true"})


def test_get_an_event_type(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:464-469: GET /api/2/taxonomy/event/Event 2 (the space
    # encoded, as :25-26 asks), answer :481-490
    recorder.answer(
        200,
        {
            "success": True,
            "data": {"event_type": "Event 2", "category": {"name": "Conversion Events"}, "description": None},
        },
    )
    event = client().get_event("Event 2")
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/event/Event%202")
    assert event.category is not None and event.category.name == "Conversion Events"


def test_update_an_event_type(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:526-540: PUT /api/2/taxonomy/event/OnboardBegin,
    # new_event_type=OnboardStart&category=Onboarding&description=...&display_name=Onboarding%20Start
    recorder.answer(200, OK)
    client().update_event(
        "OnboardBegin",
        new_name="OnboardStart",
        category="Onboarding",
        description="User signed in and completed an onboarding task from modal.",
        display_name="Onboarding Start",
    )
    assert_example(
        recorder.only(),
        "PUT",
        "/api/2/taxonomy/event/OnboardBegin",
        {
            "new_event_type": "OnboardStart",
            "category": "Onboarding",
            "description": "User signed in and completed an onboarding task from modal.",
            "display_name": "Onboarding Start",
        },
    )


def test_delete_an_event_type(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:595-601: DELETE /api/2/taxonomy/event/Event1, no body
    recorder.answer(200, OK)
    client().delete_event("Event1")
    sent = recorder.only()
    assert_example(sent, "DELETE", "/api/2/taxonomy/event/Event1")
    assert sent.body == b""


def test_restore_an_event_type(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:655-660: POST /api/2/taxonomy/event/Event1/restore, no body
    recorder.answer(200, OK)
    client().restore_event("Event1")
    sent = recorder.only()
    assert_example(sent, "POST", "/api/2/taxonomy/event/Event1/restore")
    assert sent.body == b""


def test_an_event_the_list_marks_deleted_is_deleted_to_read_and_to_restore(recorder: Recorder) -> None:
    # The answers carry `deleted` (api-notes); a list that shows a deleted event with
    # `deleted: true` must read as deleted both where state is read and where a refused
    # create decides to restore, or the two disagree and the create fails unexplained.
    recorder.answer(200, {"success": True, "data": [{"event_type": "Onboard Start", "deleted": True}]})
    amplitude = client()
    assert event_info(amplitude, "Onboard Start") is None
    assert EventTypeProvider().deleted(amplitude, EventTypeInputs(name="Onboard Start")) is True
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/event")
