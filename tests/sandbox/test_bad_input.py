"""Bad input gets a 4xx in the vendor's envelope, never a 500, and changes nothing."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import AMPLITUDE_AUTH, amplitude_client, ok

FORM = {"content-type": "application/x-www-form-urlencoded"}
LONG = "x" * 1025

# (method, path, request keyword arguments, expected status, text in the message)
CASES: list[tuple[str, str, dict[str, Any], int, str]] = [
    ("POST", "/event", {"json": {"event_type": "A"}}, 400, "Content-Type"),
    ("POST", "/event", {"content": b"event_type=%zz&x", "headers": FORM}, 400, "Malformed"),
    ("POST", "/event", {"content": b"event_type=\xff\xfe", "headers": FORM}, 400, "Malformed"),
    ("POST", "/event", {"data": {}}, 400, "Missing required parameter: event_type"),
    ("POST", "/event", {"data": {"event_type": "   "}}, 400, "event_type"),
    ("POST", "/event", {"data": {"event_type": LONG}}, 400, "longer than"),
    ("POST", "/event", {"data": {"event_type": "tab\there"}}, 400, "control characters"),
    ("POST", "/event", {"data": {"event_type": "A", "description": "d" * 10_001}}, 400, "description"),
    ("PUT", "/event/Sign Up", {"data": {"new_event_type": LONG}}, 400, "longer than"),
    ("PUT", "/event/Sign Up", {"data": {"is_active": "maybe"}}, 400, "is_active"),
    ("POST", "/category", {"data": {}}, 400, "category_name"),
    ("POST", "/category", {"data": {"category_name": LONG}}, 400, "longer than"),
    ("PUT", "/category/412941", {"data": {}}, 400, "category_name"),
    ("POST", "/event-property", {"data": {"event_property": "p", "type": "date"}}, 400, "type"),
    (
        "POST",
        "/event-property",
        {"data": {"event_property": "p", "is_required": "maybe"}},
        400,
        "is_required",
    ),
    (
        "POST",
        "/event-property",
        {"data": {"event_property": "p", "is_array_type": "2"}},
        400,
        "is_array_type",
    ),
    (
        "POST",
        "/event-property",
        {"data": {"event_property": "p", "classifications": "SECRET"}},
        400,
        "classifications",
    ),
    ("POST", "/event-property", {"data": {"event_property": "p", "regex": "(["}}, 400, "Invalid regex"),
    ("POST", "/event-property", {"data": {"type": "string"}}, 400, "event_property"),
    (
        "PUT",
        "/event-property/platform",
        {"data": {"event_type": "Sign Up", "overrideScope": "both"}},
        400,
        "overrideScope",
    ),
    ("PUT", "/event-property/platform", {"data": {"type": "integer"}}, 400, "type"),
    ("POST", "/user-property", {"data": {"user_property": ""}}, 400, "user_property"),
    ("POST", "/user-property", {"data": {"user_property": "u", "type": "object"}}, 400, "type"),
    ("PUT", "/user-property/gp:plan", {"data": {"new_user_property_value": LONG}}, 400, "longer than"),
    ("POST", "/group-property", {"data": {"group_type": "Company"}}, 400, "group_property"),
    ("POST", "/group-property", {"data": {"group_property": "g", "regex": "*"}}, 400, "Invalid regex"),
    ("GET", "/event/%C3%28", {}, 400, "UTF-8"),
    ("PATCH", "/event/Sign Up", {"data": {"description": "x"}}, 405, ""),
    ("GET", "/no-such-thing", {}, 404, ""),
]


def snapshot(client: httpx.Client) -> dict[str, Any]:
    return {
        path: client.get(path, params=params).json()
        for path, params in [
            ("/category", {}),
            ("/event", {"showDeleted": "true"}),
            ("/event-property", {}),
            ("/event-property", {"event_type": "Sign Up"}),
            ("/user-property", {}),
            ("/group-property", {"group_type": "Company"}),
        ]
    }


@pytest.mark.parametrize(("method", "path", "kwargs", "status", "text"), CASES)
def test_rejected_with_envelope_and_nothing_changes(
    demo: httpx.Client, method: str, path: str, kwargs: dict[str, Any], status: int, text: str
) -> None:
    before = snapshot(demo)
    response = demo.request(method, path, **kwargs)
    assert response.status_code == status, response.text
    body = response.json()
    assert body["success"] is False
    assert text in body["errors"][0]["message"]
    assert snapshot(demo) == before


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"authorization": "Basic !!!notbase64"},
        {"authorization": "Bearer sandbox-api-key"},
        {"authorization": "Basic c2FuZGJveC1hcGkta2V5Ondyb25n"},  # sandbox-api-key:wrong
    ],
)
def test_bad_credentials_are_401_with_envelope(sandbox: SandboxProcess, headers: dict[str, str]) -> None:
    sandbox.reset("demo")
    response = httpx.post(
        f"{sandbox.url}/api/2/taxonomy/category", data={"category_name": "X"}, headers=headers, timeout=10
    )
    assert response.status_code == 401
    assert response.json()["success"] is False
    with amplitude_client(sandbox) as client:
        assert "X" not in [c["name"] for c in ok(client.get("/category"))]


def test_settable_credentials(sandbox: SandboxProcess) -> None:
    from pulumi_taxonomy.testing import running_sandbox

    with running_sandbox("--amplitude-api-key", "k2", "--amplitude-secret-key", "s2") as other:
        url = other.url + "/api/2/taxonomy/category"
        assert httpx.get(url, auth=("k2", "s2"), timeout=10).status_code == 200
        assert httpx.get(url, auth=AMPLITUDE_AUTH, timeout=10).status_code == 401
