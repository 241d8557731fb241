"""How the Amplitude client reads answers, against what
`shared/reference/amplitude-taxonomy-api.txt` documents: the success envelope, 404s,
lists scoped to one event, and names that cannot go into a path."""

from __future__ import annotations

import re

import pytest

from pulumi_taxonomy.amplitude.client import ParameterIgnored, Refused, TaxonomyUnavailable, UnaddressableName
from pulumi_taxonomy.core.errors import ApiError, NotFound
from tests.contract.amplitude_examples import OK, client
from tests.contract.recording import Recorder

NOT_FOUND = {"success": False, "errors": [{"message": "Not found"}]}


def test_success_false_in_a_200_is_refused(recorder: Recorder) -> None:
    # :1177-1186: the user-property create "returns either a true or false response".
    recorder.answer(200, {"success": False})
    with pytest.raises(Refused, match="success"):
        client().create_user_property("User Type")


@pytest.mark.parametrize(
    ("status", "body", "text"),
    [
        (200, "<html>Sign in</html>", "no success envelope"),  # a login page or a proxy
        (200, "", "no success envelope"),
        (204, "", "no success envelope"),
    ],
)
def test_a_2xx_without_the_envelope_is_an_error(
    recorder: Recorder, status: int, body: str, text: str
) -> None:
    # Every documented answer is the envelope (:99-114 and each endpoint's 200 OK).
    recorder.answer(status, text=body)
    with pytest.raises(ApiError, match=text):
        client().create_category("Attribution")


def test_a_redirect_is_not_a_success(recorder: Recorder) -> None:
    recorder.answer(301, headers={"location": "https://amplitude.com/login"})
    with pytest.raises(ApiError, match=re.escape("redirect to https://amplitude.com/login")):
        client().create_event("Onboard Start", None, None)


def test_a_404_is_not_found_when_the_project_answers(recorder: Recorder) -> None:
    # :1330-1341: a missing user property is 404 "Not found".
    recorder.answer(404, NOT_FOUND)
    recorder.answer(200, {"success": True, "data": []})  # the category list: the API is there
    with pytest.raises(NotFound) as raised:
        client().get_user_property("gp:nope")
    assert not isinstance(raised.value, TaxonomyUnavailable)
    assert recorder.sent[1].raw_path == "/api/2/taxonomy/category"


def test_a_404_everywhere_means_no_taxonomy_api(recorder: Recorder) -> None:
    # :1343: "The Taxonomy API requires an Enterprise plan account. If your subscription
    # doesn't qualify, the call results in a 404". Then nothing may be read as gone.
    recorder.answer(404, NOT_FOUND)
    recorder.answer(404, NOT_FOUND)
    with pytest.raises(TaxonomyUnavailable, match="no Taxonomy API") as raised:
        client().delete_user_property("gp:interests")
    assert not isinstance(raised.value, NotFound)


def test_a_list_for_one_event_must_name_that_event(recorder: Recorder) -> None:
    # :822-848: each item of an event's list carries its event_type. A server that did not
    # read the parameter answers the shared list instead: that must not pass for the event's.
    shared = {"event_property": "Completed Task", "event_type": None, "type": "boolean"}
    recorder.answer(200, {"success": True, "data": [shared]})
    with pytest.raises(ParameterIgnored, match="event_type parameter was not read"):
        client().list_event_properties("Onboard Start")


def test_a_per_event_delete_is_not_sent_when_the_event_does_not_list_the_property(
    recorder: Recorder,
) -> None:
    recorder.answer(200, {"success": True, "data": []})
    with pytest.raises(NotFound):
        client().delete_event_property("Completed Task", "Onboard Start")
    assert [s.method for s in recorder.sent] == ["GET"], "no DELETE that could reach the shared property"


def test_a_per_event_delete_is_not_sent_when_the_list_ignored_the_event(recorder: Recorder) -> None:
    shared = {"event_property": "Completed Task", "event_type": None}
    recorder.answer(200, {"success": True, "data": [shared]})
    with pytest.raises(ParameterIgnored):
        client().delete_event_property("Completed Task", "Onboard Start")
    assert [s.method for s in recorder.sent] == ["GET"]


@pytest.mark.parametrize("name", [".", "..", "a/b", "../category/412941", "a\\b"])
def test_a_name_that_is_not_one_path_segment_is_never_sent(recorder: Recorder, name: str) -> None:
    with pytest.raises(UnaddressableName):
        client().delete_event(name)
    with pytest.raises(UnaddressableName):
        client().update_event_property(name, None, description="x")
    assert recorder.sent == []


@pytest.mark.parametrize(
    ("name", "raw"),
    [
        ("100%", "100%25"),
        ("#1", "%231"),
        ("what?", "what%3F"),
        ("Café ☕", "Caf%C3%A9%20%E2%98%95"),
        ("a+b", "a%2Bb"),
        ("...", "..."),
        ("gp:looks:prefixed", "gp:looks:prefixed"),
    ],
)
def test_other_names_are_encoded_to_reach_exactly_their_object(
    recorder: Recorder, name: str, raw: str
) -> None:
    recorder.answer(200, OK)
    client().delete_event(name)
    assert recorder.only().raw_path == f"/api/2/taxonomy/event/{raw}"
