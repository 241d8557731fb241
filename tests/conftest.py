"""Fixtures shared by the suites: a real sandbox process and clients for it."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.core.http import fingerprint
from pulumi_taxonomy.core.limits import CACHE_DIR_ENV
from pulumi_taxonomy.testing import SandboxProcess, running_sandbox

# The machine-wide rate-limit ledger of the processes tests start stays out of the
# user's cache directory (module fixtures start before `fresh_ledger` runs).
os.environ.setdefault(CACHE_DIR_ENV, tempfile.mkdtemp(prefix="pulumi-taxonomy-tests-"))


@pytest.fixture(autouse=True)
def fresh_ledger(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Each test is a machine of its own: the processes it starts share one ledger,
    which starts empty (sandboxes are reset between tests, and so is their budget)."""
    monkeypatch.setenv(CACHE_DIR_ENV, str(tmp_path / "cache"))


AMPLITUDE_AUTH = ("sandbox-api-key", "sandbox-secret-key")
AMPLITUDE_ACCOUNT = f"amplitude:{fingerprint(AMPLITUDE_AUTH[0])}"
"""How the sandbox's stats name that account (never by its key)."""
TAXONOMY = "/api/2/taxonomy"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxProcess]:
    """One sandbox process per test module; tests reset its state as they need."""
    with running_sandbox() as process:
        yield process


def amplitude_client(sandbox: SandboxProcess) -> httpx.Client:
    return httpx.Client(base_url=sandbox.url + TAXONOMY, auth=AMPLITUDE_AUTH, timeout=10)


@pytest.fixture
def amp(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """A client of an empty Amplitude project."""
    sandbox.reset("empty")
    with amplitude_client(sandbox) as client:
        yield client


@pytest.fixture
def demo(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """A client of the demo project (`--seed demo`)."""
    sandbox.reset("demo")
    with amplitude_client(sandbox) as client:
        yield client


def ok(response: httpx.Response) -> Any:
    """Assert the vendor's success envelope and return its data (None when absent)."""
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["success"] is True, body
    return body.get("data")


def error(response: httpx.Response, status: int, contains: str = "") -> str:
    """Assert the vendor's failure envelope with `status`; return its message."""
    assert response.status_code == status, (response.status_code, response.text)
    body = response.json()
    assert body["success"] is False, body
    assert isinstance(body["errors"], list) and body["errors"], body
    message: str = body["errors"][0]["message"]
    assert contains in message, message
    return message


def ingest(sandbox: SandboxProcess, **data: Any) -> None:
    """Pretend tracked data arrived (planned items go live, unknown ones unexpected)."""
    sandbox.introspect("POST", "amplitude/ingest", data)


def amplitude_project(sandbox: SandboxProcess, **settings: Any) -> None:
    """Set the Amplitude project up (`taxonomy`, `data_access_controls`, `empty_values`);
    a reset restores the defaults."""
    sandbox.introspect("POST", "amplitude/project", settings)


RUDDERSTACK_TOKEN = "sandbox-rudderstack-token"


def rudderstack_client(sandbox: SandboxProcess) -> httpx.Client:
    return httpx.Client(
        base_url=sandbox.url + "/v2/catalog",
        headers={"authorization": f"Bearer {RUDDERSTACK_TOKEN}"},
        timeout=10,
    )


@pytest.fixture
def rs(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """A client of an empty RudderStack workspace (its sources exist, nothing else)."""
    sandbox.reset("empty")
    with rudderstack_client(sandbox) as client:
        yield client
