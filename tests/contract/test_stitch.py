"""Stitch Import API: each request the client sends, against the example in
`shared/reference/stitch-import-api.md` that the test names (file:line).

The reference writes its URLs as `{{ import-api.endpoints.urls.* }}`; they come from the
vendor's data file `_data/taps/import-api/endpoints.yml` (stitchdata/docs), which
`shared/docs/api-notes.md:109-113` repeats: `https://api.stitchdata.com/v2/import/push`,
`.../validate` and `.../status`. Its answer table (`return-codes.yml`) is where the
meanings of 202, 405 and 504 come from.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_taxonomy.core.errors import AmbiguousWrite, ApiError, AuthError, VendorError
from pulumi_taxonomy.stitch.client import PROBE_TABLE, StitchClient, advice, client_for
from tests.contract.recording import Recorder

TOKEN = "stitch-contract-token"
CONNECTION = {"access_token": TOKEN, "client_id": 4231}

# stitch-import-api.md:37-52, the request body example (also the sequence example's
# request 1 at :319-333).
EXAMPLE_BODY = [
    {
        "client_id": 4231,
        "table_name": "users",
        "sequence": 100,
        "action": "upsert",
        "key_names": ["id"],
        "data": {"id": 10, "status": "pending"},
    }
]


@pytest.fixture
def client(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> StitchClient:
    for name in ("STITCH_BASE_URL", "STITCH_REGION", "STITCH_ACCESS_TOKEN", "STITCH_CLIENT_ID"):
        monkeypatch.delenv(name, raising=False)
    # Two attempts and no backoff: the answers below are scripted, not waited for.
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRIES", "2")
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRY_WAIT", "0")
    return client_for(CONNECTION)


def example_records(client: StitchClient) -> list[dict[str, Any]]:
    return [client.record("users", ["id"], 100, {"id": 10, "status": "pending"})]


def lost(request: httpx.Request) -> httpx.Response:
    raise httpx.RemoteProtocolError("Server disconnected without sending a response.", request=request)


def test_status_needs_no_token(client: StitchClient, recorder: Recorder) -> None:
    # stitch-import-api.md:190 "doesn't require any authentication"; :201-207 `curl -i` (a
    # GET); :209-219 the answer 200 {"name":"pipeline.gate","status":"OK"}.
    recorder.answer(200, {"name": "pipeline.gate", "status": "OK"})
    assert client.status() is True
    sent = recorder.only()
    assert (sent.method, sent.host, sent.raw_path) == ("GET", "api.stitchdata.com", "/v2/import/status")
    assert "authorization" not in sent.headers, "the token is not sent where it is not needed"
    assert sent.body == b""


def test_status_503_means_do_not_post(client: StitchClient, recorder: Recorder) -> None:
    # stitch-import-api.md:206 "503 Service Unavailable ... Do not attempt to post any data."
    recorder.answer(503, {"status": "ERROR", "message": "down"})
    recorder.answer(503, {"status": "ERROR", "message": "down"})  # retried once (2 attempts)
    assert client.status() is False


def test_validate_sends_the_push_body(client: StitchClient, recorder: Recorder) -> None:
    # stitch-import-api.md:231-247: POST validate, `Content-Type: application/json`, bearer
    # token, a JSON array of records. Its example body shows only four fields, but :226 says
    # validate "mirrors" upsert, whose required fields (:267-280, request-body.yml) are all
    # six: the client sends the full records. :228 "a 200 OK response will be returned".
    recorder.answer(200, {"status": "OK", "message": "1 record(s) are valid"})
    client.validate(example_records(client))
    sent = recorder.only()
    assert (sent.method, sent.host, sent.raw_path) == ("POST", "api.stitchdata.com", "/v2/import/validate")
    assert sent.content_type == "application/json"
    assert sent.headers["authorization"] == f"Bearer {TOKEN}"
    assert sent.json() == EXAMPLE_BODY


def test_push_matches_the_reference_example(client: StitchClient, recorder: Recorder) -> None:
    # stitch-import-api.md:132-136 and :258-265: POST upsert, `Content-Type: application/json`,
    # `Authorization: Bearer <token>`; body :37-52; answer :282 "201 Created and an empty body".
    recorder.answer(201)
    client.push(example_records(client))
    sent = recorder.only()
    assert (sent.method, sent.host, sent.raw_path) == ("POST", "api.stitchdata.com", "/v2/import/push")
    assert sent.query == {}
    assert sent.content_type == "application/json"
    assert sent.auth_scheme == "Bearer" and sent.headers["authorization"] == f"Bearer {TOKEN}"
    body = sent.json()
    assert body == EXAMPLE_BODY
    assert isinstance(body[0]["client_id"], int) and isinstance(body[0]["sequence"], int)


def test_eu_region_host(recorder: Recorder, monkeypatch: pytest.MonkeyPatch) -> None:
    # api-notes.md:107 EU base URL https://api.eu-central-1.stitchdata.com
    monkeypatch.delenv("STITCH_BASE_URL", raising=False)
    recorder.answer(201)
    client_for({**CONNECTION, "region": "eu"}).push([{"client_id": 4231}])
    assert recorder.only().host == "api.eu-central-1.stitchdata.com"


@pytest.mark.parametrize("status", [200, 201, 202])
def test_every_documented_success(client: StitchClient, recorder: Recorder, status: int) -> None:
    # stitch-import-api.md:165 "the 2xx range indicate success"; return-codes.yml lists 200,
    # 201 (accepted, processed later) and 202 (accepted, re-processed automatically).
    recorder.answer(status)
    client.push(example_records(client))


# stitch-import-api.md:161-182 (the return-code table, from return-codes.yml) and
# api-notes.md:121-123: each answer becomes an error that names the call, carries
# Stitch's message and its meaning, and comes with advice.
ANSWERS: list[tuple[int, type[VendorError], str, str]] = [
    (400, ApiError, "could not read the request", "rule Stitch applies"),
    (401, AuthError, "refused the access token", "region"),
    (403, AuthError, "may not write for this client id", "client id 4231"),
    (404, ApiError, "does not serve this endpoint", "retired the /v2/import/push endpoint"),
    (413, ApiError, "larger than Stitch accepts", "batch_max_bytes"),
    (415, ApiError, "content type", "rule Stitch applies"),
    (422, ApiError, "lacks a required field", "rule Stitch applies"),
    (503, ApiError, "experiencing problems", "status.stitchdata.com"),
]


@pytest.mark.parametrize(("status", "kind", "meaning", "what_to_do"), ANSWERS)
def test_each_documented_answer_is_an_error_for_people(
    client: StitchClient,
    recorder: Recorder,
    status: int,
    kind: type[VendorError],
    meaning: str,
    what_to_do: str,
) -> None:
    # The error envelope {"status": "ERROR", "message": ...}: api-notes.md:121.
    for _ in range(2 if status >= 500 else 1):  # 5xx is retried (two attempts here)
        recorder.answer(status, {"status": "ERROR", "message": f"vendor says {status}"})
    with pytest.raises(VendorError) as raised:
        client.push(example_records(client))
    error = raised.value
    assert type(error) is kind and error.status == status
    text = str(error)
    assert text.startswith(f"Stitch POST /v2/import/push answered {status}: vendor says {status}")
    assert meaning in text
    assert what_to_do in advice(status, client.client_id)
    assert TOKEN not in text


@pytest.mark.parametrize("status", [301, 302, 307, 308])
def test_a_redirect_is_never_a_success(client: StitchClient, recorder: Recorder, status: int) -> None:
    recorder.answer(status, headers={"location": "https://api.stitchdata.com/v2/import/push/"})
    with pytest.raises(ApiError) as raised:
        client.push(example_records(client))
    assert raised.value.status == status and "redirect" in str(raised.value)
    assert "base URL" in str(raised.value)
    assert len(recorder.sent) == 1, "the redirect was not followed"


def test_a_lost_validate_answer_is_sent_again(client: StitchClient, recorder: Recorder) -> None:
    # stitch-import-api.md:191 validate "will not persist" the records: resending is safe.
    recorder.answer_with(lost)
    recorder.answer(200, {"status": "OK"})
    client.validate(example_records(client))
    first, second = recorder.sent
    assert first.body == second.body and second.raw_path == "/v2/import/validate"


def test_validate_answers_lost_every_time_fail_clearly(client: StitchClient, recorder: Recorder) -> None:
    recorder.answer_with(lost)
    recorder.answer_with(lost)
    with pytest.raises(ConnectionError, match="lost 2 times in a row; nothing was pushed"):
        client.validate(example_records(client))


def test_a_lost_push_answer_is_sent_once_more_with_the_same_sequence(
    client: StitchClient, recorder: Recorder
) -> None:
    recorder.answer_with(lost)
    recorder.answer(201)
    client.push(example_records(client))
    first, second = recorder.sent
    assert first.body == second.body, "identical records: a duplicate cannot change a row"
    recorder.answer_with(lost)
    recorder.answer_with(lost)
    with pytest.raises(AmbiguousWrite):
        client.push(example_records(client))


def test_probe_is_read_only(client: StitchClient, recorder: Recorder) -> None:
    recorder.answer(200, {"name": "pipeline.gate", "status": "OK"})
    recorder.answer(200, {"status": "OK"})
    results = client.probe()
    assert [(r.check, r.ok) for r in results] == [
        ("status endpoint", True),
        ("token, client id and region", True),
    ]
    status, validate = recorder.sent
    assert status.raw_path == "/v2/import/status" and "authorization" not in status.headers
    # Only validate, which stores nothing (stitch-import-api.md:191); never push.
    assert validate.raw_path == "/v2/import/validate"
    assert validate.json() == [
        {
            "client_id": 4231,
            "table_name": PROBE_TABLE,
            "sequence": 1,
            "action": "upsert",
            "key_names": ["id"],
            "data": {"id": 1},
        }
    ]


@pytest.mark.parametrize(
    ("status", "says"), [(401, "refused the access token"), (403, "may not write for this client id")]
)
def test_probe_reports_refused_credentials(
    client: StitchClient, recorder: Recorder, status: int, says: str
) -> None:
    recorder.answer(503, {"status": "ERROR", "message": "down"})
    recorder.answer(503, {"status": "ERROR", "message": "down"})
    recorder.answer(status, {"status": "ERROR", "message": "Not Authenticated"})
    status_check, credentials = client.probe()
    assert not status_check.ok and "Do not push data now" in status_check.hint
    assert not credentials.ok and says in credentials.detail and "region" in credentials.hint
    assert credentials.refused and TOKEN not in credentials.detail + credentials.hint
