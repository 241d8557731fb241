"""The emulated Stitch Import API over HTTP."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

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


def test_validate_never_answers_503(stitch: httpx.Client, sandbox: SandboxProcess) -> None:
    sandbox.set_faults("503=1", seed=1)
    try:
        assert stitch.post("/validate", json=[record()]).status_code == 200
        assert stitch.post("/push", json=[record()]).status_code == 503
    finally:
        sandbox.set_faults("")
    assert table(sandbox) == []
