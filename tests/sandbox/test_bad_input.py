"""Bad input gets a 4xx in the vendor's envelope, never a 500, and changes nothing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


# -- the sandbox as a server: every route, whatever it is sent ----------------------

DATA_TOKEN = {"authorization": "Bearer sandbox-data-token"}
RUDDERSTACK = {"authorization": "Bearer sandbox-rudderstack-token"}
STITCH = {"authorization": "Bearer sandbox-stitch-token"}
INTROSPECTION: dict[str, str] = {}
# Every route that reads a JSON body, with the credentials it needs.
JSON_ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("POST", "/v2/catalog/tracking-plans", RUDDERSTACK),
    ("PUT", "/v2/catalog/tracking-plans/tp_x", RUDDERSTACK),
    ("POST", "/v2/catalog/tracking-plans/tp_x/events", RUDDERSTACK),
    ("PATCH", "/v2/catalog/tracking-plans/tp_x/events", RUDDERSTACK),
    ("POST", "/v2/catalog/tracking-plans/tp_x/sources/s", RUDDERSTACK),
    ("PUT", "/v2/catalog/tracking-plans/tp_x/sources/s", RUDDERSTACK),
    ("POST", "/graphql", DATA_TOKEN),
    ("POST", "/v2/import/validate", STITCH),
    ("POST", "/v2/import/push", STITCH),
    ("POST", "/_sandbox/reset", INTROSPECTION),
    ("POST", "/_sandbox/faults", INTROSPECTION),
    ("POST", "/_sandbox/amplitude/ingest", INTROSPECTION),
    ("POST", "/_sandbox/amplitude/import/fail", INTROSPECTION),
    ("POST", "/_sandbox/stitch/refuse", INTROSPECTION),
    ("POST", "/_sandbox/rudderstack/sources", INTROSPECTION),
]


@pytest.fixture(scope="module")
def raw(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """One keep-alive client for the many requests of the fuzzed tests."""
    with httpx.Client(base_url=sandbox.url, timeout=30) as client:
        yield client


NOT_STRICT_JSON = [
    ("deep arrays", b"[" * 100_000 + b"]" * 100_000),
    ("deep objects", b'{"a":' * 50_000 + b"1" + b"}" * 50_000),
    ("just too deep", b"[" * 65 + b"]" * 65),
    ("NaN", b'{"name": NaN}'),
    ("a number beyond a double", b'{"sequence": 1e999}'),
    ("a lone surrogate", b'{"name": "\\ud800"}'),
    ("invalid UTF-8", b'{"name": "\xff"}'),
]


@pytest.mark.parametrize(
    ("method", "path", "headers"), JSON_ROUTES, ids=[f"{m} {p}" for m, p, _ in JSON_ROUTES]
)
def test_json_that_is_not_strict_is_a_400_on_every_json_route(
    sandbox: SandboxProcess, raw: httpx.Client, method: str, path: str, headers: dict[str, str]
) -> None:
    def state() -> Any:
        plans = raw.get("/v2/catalog/tracking-plans", headers=RUDDERSTACK).json()
        return (
            plans,
            sandbox.introspect("GET", "stitch/tables"),
            sandbox.introspect("GET", "rudderstack/sources"),
        )

    before = state()
    for label, body in NOT_STRICT_JSON:
        response = raw.request(
            method, path, content=body, headers={**headers, "content-type": "application/json"}
        )
        assert response.status_code == 400, (label, response.status_code, response.text[:300])
    assert state() == before
    assert "Traceback" not in sandbox.output and "RecursionError" not in sandbox.output


def test_json_nested_as_deep_as_allowed_is_read(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    nested: Any = "leaf"
    for _ in range(61):  # in the batch (1), its record (2) and the record's data (3): 64 levels
        nested = [nested]
    record = {"client_id": 4231, "table_name": "deep", "sequence": 1, "action": "upsert",
              "key_names": ["id"], "data": {"id": 1, "v": nested}}  # fmt: skip
    response = httpx.post(f"{sandbox.url}/v2/import/validate", json=[record], headers=STITCH, timeout=30)
    assert response.status_code == 200, response.text


# Field names the routes look for, so that fuzzed bodies reach past the first checks.
JSON_FIELDS = ["name", "eventType", "properties", "query", "variables", "seed", "faults", "step", "times",
               "table", "column", "value", "config", "rules", "description"]  # fmt: skip
FORM_FIELDS = ["event_type", "category_name", "event_property", "user_property", "group_property",
               "group_type", "type", "regex", "enum_values", "is_array_type", "is_required",
               "classifications", "description", "new_event_type", "overrideScope"]  # fmt: skip
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=10,
)
# Bodies a careless client sends: JSON of any shape, with the field names routes look for.
bodies = st.one_of(
    json_values,
    st.dictionaries(st.sampled_from(JSON_FIELDS), json_values, max_size=4),
    st.lists(
        st.fixed_dictionaries(
            {
                "client_id": st.just(4231),
                "table_name": st.text(max_size=6),
                "sequence": json_values,
                "action": st.sampled_from(["upsert", "x"]),
                "key_names": json_values,
                "data": json_values,
            }
        ),
        max_size=3,
    ),
)


FUZZ = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@FUZZ
@given(route=st.sampled_from([r for r in JSON_ROUTES if r[1] != "/_sandbox/reset"]), body=bodies)
def test_fuzzed_json_bodies_never_get_a_500(
    raw: httpx.Client, route: tuple[str, str, dict[str, str]], body: Any
) -> None:
    method, path, headers = route
    response = raw.request(method, path, json=body, headers=headers)
    assert response.status_code < 500, (method, path, body, response.text[:300])


# Names in paths and form values a careless or hostile client sends.
hostile_text = st.text(max_size=20) | st.sampled_from([".", "..", "%", "%2F", "/", "#", "?", "a" * 2000])


@FUZZ
@given(
    kind=st.sampled_from(["event", "category", "event-property", "user-property", "group-property"]),
    method=st.sampled_from(["GET", "POST", "PUT", "DELETE"]),
    name=hostile_text,
    form=st.dictionaries(st.sampled_from(FORM_FIELDS), hostile_text, max_size=4),
)
def test_fuzzed_amplitude_requests_never_get_a_500(
    raw: httpx.Client, kind: str, method: str, name: str, form: dict[str, str]
) -> None:
    path = f"/api/2/taxonomy/{kind}" + (f"/{quote(name, safe='')}" if method != "POST" or not name else "")
    response = raw.request(method, path, data=form, auth=AMPLITUDE_AUTH)
    assert response.status_code < 500, (method, path, form, response.text[:300])
