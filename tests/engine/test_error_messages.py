"""What a person reads first when a provider fails: the engine shows the provider
server's traceback text, and its first line must be the whole message for people
(the vendor, the object, the vendor's answer, what to do), not "Traceback (...)"."""

from __future__ import annotations

import http.server
import json
import re
from collections.abc import Mapping
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.core.provider import Outputs, ResourceInputs, TaxonomyProvider
from pulumi_taxonomy.rudderstack.resources import SourceConnectionProvider, TrackingPlanProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess
from tests.engine.conftest import amplitude_env, rudderstack_env
from tests.servers import closed_port_url, serving

FAST = {"PULUMI_TAXONOMY_RETRIES": "2", "PULUMI_TAXONOMY_RETRY_WAIT": "0.01"}


def first_line(failure: pytest.ExceptionInfo[ProviderFailed]) -> str:
    line = failure.value.text.splitlines()[0]
    # A sentence for people, from this package, with what to do on the same line.
    assert line.startswith("pulumi-taxonomy: "), failure.value.text
    assert re.search(r"[.!?)] What to do: .+\.$", line), line
    assert "Traceback" not in line
    return line


def test_a_refused_credential(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    env = {**amplitude_env(sandbox.url), "AMPLITUDE_SECRET_KEY": "wrong", **FAST}
    with Engine(env=env) as engine, pytest.raises(ProviderFailed) as failure:
        engine.up("e", EventTypeProvider(), {"name": "Sign Up"})
    line = first_line(failure)
    assert line.startswith('pulumi-taxonomy: Amplitude event type "Sign Up": create failed: Amplitude POST ')
    assert "answered 401" in line and "check the credentials" in line
    assert "wrong" not in failure.value.text.replace("wrong-", "")  # no credential in the text


def test_a_conflict(engine: Engine, amp: httpx.Client) -> None:
    amp.post("/event", data={"event_type": "Sign Up", "description": "someone else's"}).raise_for_status()
    with pytest.raises(ProviderFailed) as failure:
        engine.up("e", EventTypeProvider(), {"name": "Sign Up", "description": "ours"})
    line = first_line(failure)
    assert 'Amplitude event type "Sign Up": create failed' in line
    assert "answered 409" in line and "already exists" in line and "adopt=True" in line


def test_a_validation_refusal_from_the_vendor(rs_engine: Engine) -> None:
    _, plan = rs_engine.up("p", TrackingPlanProvider(), {"name": "Web Plan"})
    inputs = {
        "tracking_plan_id": plan.id,
        "source_id": "2noSuchSourceInWorkspace001",
        "config": {"track": {"allow_unplanned_events": False}},
    }
    with pytest.raises(ProviderFailed) as failure:
        rs_engine.up("c", SourceConnectionProvider(), inputs)
    line = first_line(failure)
    assert f"RudderStack source connection of source 2noSuchSourceInWorkspace001 to plan {plan.id}" in line
    assert "answered 400" in line and "Invalid source ID" in line
    assert "correct the inputs" in line


def test_an_unreachable_vendor(sandbox: SandboxProcess) -> None:
    env = {**rudderstack_env(closed_port_url()), **FAST}
    with Engine(env=env) as engine, pytest.raises(ProviderFailed) as failure:
        engine.up("p", TrackingPlanProvider(), {"name": "Web Plan"})
    line = first_line(failure)
    assert 'RudderStack tracking plan "Web Plan": create failed' in line
    assert "could not reach" in line and "base URL" in line


class BrokenInputs(ResourceInputs):
    name: str


class BrokenProvider(TaxonomyProvider[BrokenInputs]):
    """A provider with a bug (pickled by reference: the server imports this module)."""

    kind = "Example widget"
    inputs_model = BrokenInputs

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("name")}"'

    def create_remote(self, inputs: BrokenInputs) -> tuple[str, Outputs]:
        return "id", {}["missing"]


def test_an_unexpected_error_says_it_is_a_bug() -> None:
    with Engine() as engine, pytest.raises(ProviderFailed) as failure:
        engine.up("w", BrokenProvider(), {"name": "Gear"})
    line = first_line(failure)
    assert line.startswith('pulumi-taxonomy: Example widget "Gear": create failed unexpectedly (KeyError')
    assert "bug in pulumi-taxonomy" in line
    assert "KeyError: 'missing'" in failure.value.text  # the traceback follows, for the report


class _HugeRefusal(http.server.BaseHTTPRequestHandler):
    """A vendor that refuses with an enormous message (a validator listing every row)."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("content-length") or 0))
        body = json.dumps({"success": False, "errors": [{"message": "bad row; " * 20_000}]}).encode()
        self.send_response(400)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def test_a_huge_vendor_answer_still_reaches_the_user_as_the_error() -> None:
    # The engine receives a failure as the provider's traceback text in gRPC metadata,
    # refused past 8 KB ("metadata size exceeds soft limit"): the user would see that
    # instead of the error, had the text not been kept short.
    with serving(_HugeRefusal) as url:
        env = {**amplitude_env(url), **FAST}
        with Engine(env=env) as engine, pytest.raises(ProviderFailed) as failure:
            engine.up("e", EventTypeProvider(), {"name": "Sign Up"})
    line = first_line(failure)
    assert "answered 400" in line and "bad row; bad row;" in line and "more characters" in line
    assert len(failure.value.text) < 6000, len(failure.value.text)
    assert "httpx" not in failure.value.text  # the library's frames say nothing to a person
