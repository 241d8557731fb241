"""How the emulated Amplitude project is set up: without the Taxonomy API, without Data
Access Controls, or dropping empty values (`POST /_sandbox/amplitude/project`)."""

from __future__ import annotations

import httpx

from pulumi_taxonomy.testing import SandboxProcess
from tests.conftest import amplitude_project, error, ok


def test_a_project_without_the_taxonomy_api_answers_404_to_everything(
    sandbox: SandboxProcess, demo: httpx.Client
) -> None:
    amplitude_project(sandbox, taxonomy=False)
    for method, path in [
        ("GET", "/category"),
        ("GET", "/event/Event 2"),
        ("DELETE", "/event/Event1"),
        ("GET", "/user-property/gp:plan"),
        ("POST", "/event-property"),
    ]:
        error(demo.request(method, path), 404, "Not found")
    amplitude_project(sandbox, taxonomy=True)
    ok(demo.get("/event/Event1"))  # nothing was changed meanwhile
    bad = httpx.get(f"{sandbox.url}/api/2/taxonomy/category", auth=("x", "y"), timeout=10)
    assert bad.status_code == 401, "credentials are still checked first"


def test_without_data_access_controls_classifications_are_refused(
    sandbox: SandboxProcess, amp: httpx.Client
) -> None:
    amplitude_project(sandbox, data_access_controls=False)
    for value in ("PII", ""):  # even empty: the parameter itself needs the feature
        sent = {"event_property": "email", "classifications": value}
        error(amp.post("/event-property", data=sent), 409, "Data Access Controls")
    ok(amp.post("/event-property", data={"event_property": "email", "type": "string"}))
    response = amp.post("/user-property", data={"user_property": "email", "classifications": "PII"})
    assert response.json() == {"success": False}


def test_empty_values_clear_fields_or_are_ignored(sandbox: SandboxProcess, amp: httpx.Client) -> None:
    ok(amp.post("/event", data={"event_type": "E", "description": "set"}))
    ok(amp.post("/event-property", data={"event_property": "p", "type": "string", "regex": "^a$"}))
    amplitude_project(sandbox, empty_values="ignore")
    ok(amp.put("/event/E", data={"description": ""}))
    ok(amp.put("/event-property/p", data={"regex": "", "description": "d"}))
    assert ok(amp.get("/event/E"))["description"] == "set"
    assert ok(amp.get("/event-property"))[0]["regex"] == "^a$"
    amplitude_project(sandbox, empty_values="clear")
    ok(amp.put("/event/E", data={"description": ""}))
    assert not ok(amp.get("/event/E"))["description"]


def test_settings_are_shown_and_reset(sandbox: SandboxProcess) -> None:
    amplitude_project(sandbox, taxonomy=False)
    sandbox.reset("empty")
    shown = sandbox.introspect("GET", "amplitude/project")
    assert shown == {"taxonomy": True, "data_access_controls": True, "empty_values": "clear"}
    refused = httpx.post(f"{sandbox.url}/_sandbox/amplitude/project", json={"dac": False}, timeout=10)
    assert refused.status_code == 400
