"""Amplitude event categories: each request the client sends, against the example in
`shared/reference/amplitude-taxonomy-api.txt` that the test names (file:line)."""

from __future__ import annotations

from pulumi_taxonomy.amplitude.client import client_for
from tests.contract.recording import Recorder

CONNECTION = {"api_key": "1234567800", "secret_key": "123456700"}
# The reference's own credentials: base64("1234567800:123456700"), its example header.
BASIC = "Basic MTIzNDU2NzgwMDoxMjM0NTY3MDA="


def test_create_category(recorder: Recorder) -> None:
    # amplitude-taxonomy-api.txt:79-82 (curl) and :86-91 (HTTP):
    #   POST /api/2/taxonomy/category, form body category_name=Attribution
    recorder.answer(200, {"success": True})
    client_for(CONNECTION).create_category("Attribution")
    sent = recorder.only()
    assert (sent.method, sent.host, sent.raw_path) == ("POST", "amplitude.com", "/api/2/taxonomy/category")
    assert sent.headers["authorization"] == BASIC
    assert sent.content_type == "application/x-www-form-urlencoded"
    assert sent.form == {"category_name": "Attribution"}
    assert sent.query == {}
