"""The emulated Stitch Import API over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.stitch.client import client_for
from pulumi_taxonomy.testing import SandboxProcess

TOKEN = {"authorization": "Bearer sandbox-stitch-token"}


def record(key: Any = 10, sequence: int = 100, **data: Any) -> dict[str, Any]:
    return {"client_id": 4231, "table_name": "users", "sequence": sequence, "action": "upsert",
            "key_names": ["id"], "data": {"id": key, **data}}  # fmt: skip


@pytest.fixture
def stitch(sandbox: SandboxProcess) -> httpx.Client:
    sandbox.reset("empty")
    return httpx.Client(base_url=sandbox.url + "/v2/import", headers=TOKEN, timeout=30)


def table(sandbox: SandboxProcess, name: str = "users") -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = sandbox.introspect("GET", f"stitch/tables/{name}")["rows"]
    return rows


def test_status_needs_no_credentials(sandbox: SandboxProcess) -> None:
    assert httpx.get(f"{sandbox.url}/v2/import/status").json() == {"name": "pipeline.gate", "status": "OK"}


def test_the_reference_sequence_example(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    for body in ([record(10, 100, status="pending")], [record(10, 101, status="canceled")],
                 [record(10, 99, status="new")], [record(22, 90, status="new")]):  # fmt: skip
        response = stitch.post("/push", json=body)
        assert response.status_code == 201 and response.content == b""
    rows = {r["id"]: (r["status"], r["_sdc_sequence"]) for r in table(sandbox)}
    assert rows == {10: ("canceled", 101), 22: ("new", 90)}, "request 3 (lower sequence) was ignored"


def test_validate_checks_everything_and_stores_nothing(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    response = stitch.post("/validate", json=[record()])
    assert response.status_code == 200 and response.json()["status"] == "OK"
    assert table(sandbox) == []
    assert stitch.post("/validate", json=[{**record(), "client_id": 1}]).status_code == 403


@pytest.mark.parametrize(
    ("body", "status", "contains"),
    [
        ({"not": "an array"}, 400, "JSON array"),
        ([], 400, "at least one"),
        ([{**record(), "client_id": 9999}], 403, "does not match"),
        ([{k: v for k, v in record().items() if k != "sequence"}], 422, "sequence"),
        ([{**record(), "action": "delete"}], 422, "upsert"),
        ([{**record(), "key_names": []}], 422, "key_names"),
        ([record(key=None)], 422, "missing or null"),
        ([record(key="x" * 257)], 422, "256"),
        ([record(), {**record(), "table_name": ""}], 422, "record 1"),
        ([record(key=i) for i in range(10_001)], 400, "10000"),
    ],
)
def test_bad_requests_are_refused_and_store_nothing(
    stitch: httpx.Client, sandbox: SandboxProcess, body: Any, status: int, contains: str
) -> None:
    for path in ("/validate", "/push"):
        response = stitch.post(path, json=body)
        assert response.status_code == status, response.text
        assert response.json()["status"] == "ERROR" and contains in response.json()["message"]
    assert table(sandbox) == []


def test_transport_rules(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    assert (
        stitch.post(
            "/push", content=json.dumps([record()]), headers={"content-type": "text/plain"}
        ).status_code
        == 415
    )
    assert (
        stitch.post("/push", content=b"[{", headers={"content-type": "application/json"}).status_code == 400
    )
    big = [record(key=i, blob="x" * 500) for i in range(8_000)]
    assert stitch.post("/push", json=big).status_code == 413
    assert httpx.post(f"{sandbox.url}/v2/import/push", json=[record()]).status_code == 401
    assert table(sandbox) == []


JSON = {"content-type": "application/json"}
ONE = (
    '[{"client_id":4231,"table_name":"users","sequence":%s,"action":"upsert","key_names":["id"],'
    '"data":{"id":1,"x":%s}}]'
)


@pytest.mark.parametrize(
    ("sequence", "value", "status", "contains"),
    [
        (str(2**63), "1", 422, "sequence must be between 0 and 9223372036854775807"),
        (str(10**30), "1", 422, "sequence must be between"),
        ("-1", "1", 422, "sequence must be between"),
        ("100", "NaN", 400, "NaN is not a JSON number"),
        ("100", "Infinity", 400, "Infinity is not a JSON number"),
        ("100", "-Infinity", 400, "-Infinity is not a JSON number"),
        ("100", "1e400", 400, "beyond the range of a number"),
        ("1e400", "1", 400, "beyond the range of a number"),
        ("100", "1" * 5000, 400, "not valid JSON"),
        ("100", "[" * 100_000 + "]" * 100_000, 400, "nests deeper than"),
    ],
)
def test_malformed_numbers_are_a_4xx_never_a_500(
    stitch: httpx.Client, sandbox: SandboxProcess, sequence: str, value: str, status: int, contains: str
) -> None:
    body = (ONE % (sequence, value)).encode()
    for path in ("/validate", "/push"):
        response = stitch.post(path, content=body, headers=JSON)
        assert response.status_code == status, response.text
        assert response.json()["status"] == "ERROR" and contains in response.json()["message"]
    assert table(sandbox) == []


def test_the_largest_sequence_is_accepted(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    assert stitch.post("/push", content=(ONE % (2**63 - 1, 1)).encode(), headers=JSON).status_code == 201
    assert table(sandbox)[0]["_sdc_sequence"] == 2**63 - 1


def refuse(sandbox: SandboxProcess, **rule: Any) -> None:
    httpx.post(f"{sandbox.url}/_sandbox/stitch/refuse", json={"table": "users", **rule}).raise_for_status()


def test_hook_answers_push_only_and_counts_down(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    refuse(sandbox, column="status", value="bad", endpoint="push", answer=503, times=2)
    body = [record(1, status="bad")]
    assert stitch.post("/validate", json=body).status_code == 200, "validate is left alone"
    assert [stitch.post("/push", json=body).status_code for _ in range(3)] == [503, 503, 201]
    assert [r["status"] for r in table(sandbox)] == ["bad"]


def test_hook_drops_the_answer_after_the_push_took_effect(
    stitch: httpx.Client, sandbox: SandboxProcess
) -> None:
    refuse(sandbox, column="status", value="lost", endpoint="push", answer="drop")
    with pytest.raises(httpx.RemoteProtocolError):
        stitch.post("/push", json=[record(1, status="lost")])
    assert [r["status"] for r in table(sandbox)] == ["lost"], "it landed; only the answer was lost"
    assert stitch.post("/push", json=[record(2, status="kept")]).status_code == 201


def test_a_body_must_be_less_than_4mb(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    # stitch-import-api.md:105 "Must be less than 4MB", read as 4,000,000 bytes.
    def body(size: int) -> bytes:
        empty = json.dumps([record(1, blob="")], separators=(",", ":")).encode()
        return json.dumps([record(1, blob="x" * (size - len(empty)))], separators=(",", ":")).encode()

    assert len(body(4_000_000)) == 4_000_000
    assert stitch.post("/push", content=body(4_000_000), headers=JSON).status_code == 413
    assert table(sandbox) == []
    assert stitch.post("/push", content=body(3_999_999), headers=JSON).status_code == 201


def test_only_the_reference_endpoints_are_served(stitch: httpx.Client) -> None:
    # The reference documents status, validate and push (upsert); the newer /batch is not
    # emulated, so a client that used it would fail here rather than pass by accident.
    response = stitch.post("/batch", json={"table_name": "users", "messages": []})
    assert response.status_code == 404 and response.json()["status"] == "ERROR"


def test_validate_never_answers_503(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    sandbox.set_faults("503=1", seed=1)
    try:
        assert stitch.post("/validate", json=[record()]).status_code == 200
        assert stitch.post("/push", json=[record()]).status_code == 503
    finally:
        sandbox.set_faults("")
    assert table(sandbox) == []


@pytest.mark.parametrize(
    ("token", "client_id", "base", "status_ok", "credentials_ok", "says"),
    [
        ("sandbox-stitch-token", 4231, "", True, True, "accepts the token for client id 4231"),
        ("wrong-token", 4231, "", True, False, "answered 401"),
        ("sandbox-stitch-token", 9999, "", True, False, "answered 403"),
        ("sandbox-stitch-token", 4231, "http://127.0.0.1:9", False, False, "could not reach"),
    ],
)
def test_probe_against_the_sandbox(
    sandbox: SandboxProcess,
    monkeypatch: pytest.MonkeyPatch,
    token: str,
    client_id: int,
    base: str,
    status_ok: bool,
    credentials_ok: bool,
    says: str,
) -> None:
    """What `doctor` will run: read-only, and each failure says what it is."""
    sandbox.reset("empty")
    monkeypatch.setenv("PULUMI_TAXONOMY_RETRIES", "1")
    connection = {"access_token": token, "client_id": client_id, "base_url": base or sandbox.url}
    status, credentials = client_for(connection).probe()
    assert (status.ok, credentials.ok) == (status_ok, credentials_ok), (status, credentials)
    assert says in credentials.detail and token not in credentials.detail
    by_route = sandbox.stats()["by_route"]
    assert "POST /v2/import/push" not in by_route and table(sandbox) == []
