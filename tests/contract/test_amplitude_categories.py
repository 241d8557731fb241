"""Amplitude event categories: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` that the test names (file:line)."""

from __future__ import annotations

from tests.contract.amplitude_examples import OK, assert_example, client
from tests.contract.recording import Recorder

LISTED = {
    "success": True,
    "data": [{"id": 412931, "name": "Attribution"}, {"id": 412941, "name": "Conversion"}],
}


def test_create_category(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:79-89: POST /api/2/taxonomy/category, category_name=Attribution
    recorder.answer(200, OK)
    client().create_category("Attribution")
    assert_example(recorder.only(), "POST", "/api/2/taxonomy/category", {"category_name": "Attribution"})


def test_get_all_categories(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:122-127 (request), :133-145 (answer)
    recorder.answer(200, LISTED)
    categories = client().list_categories()
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/category")
    assert [(c.id, c.name) for c in categories] == [(412931, "Attribution"), (412941, "Conversion")]


def test_get_a_category(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:174-179: GET /api/2/taxonomy/category/Attribution
    recorder.answer(200, {"success": True, "data": {"id": 412941, "name": "Conversion"}})
    assert client().get_category("Attribution").id == 412941
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/category/Attribution")


def test_the_resources_find_a_category_in_the_list(recorder: Recorder) -> None:
    # The resources read a category from the list (:122-127) rather than by name (:174-179):
    # a category name never goes into a path, so names such as "a/b" or ".." work.
    recorder.answer(200, LISTED)
    found = client().find_category("Conversion")
    assert found is not None and found.id == 412941
    assert_example(recorder.only(), "GET", "/api/2/taxonomy/category")


def test_rename_a_category(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:230-241: PUT /api/2/taxonomy/category/412941, category_name=Converted
    recorder.answer(200, OK)
    client().rename_category(412941, "Converted")
    assert_example(recorder.only(), "PUT", "/api/2/taxonomy/category/412941", {"category_name": "Converted"})


def test_delete_a_category(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:292-297: DELETE /api/2/taxonomy/category/412941, no body
    recorder.answer(200, OK)
    client().delete_category(412941)
    sent = recorder.only()
    assert_example(sent, "DELETE", "/api/2/taxonomy/category/412941")
    assert sent.body == b""
