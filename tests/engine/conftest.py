from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from pulumi_taxonomy.testing import Engine, SandboxProcess
from tests.conftest import AMPLITUDE_AUTH, amplitude_client


def amplitude_env(url: str) -> dict[str, str]:
    return {
        "AMPLITUDE_API_KEY": AMPLITUDE_AUTH[0],
        "AMPLITUDE_SECRET_KEY": AMPLITUDE_AUTH[1],
        "AMPLITUDE_BASE_URL": url,
    }


@pytest.fixture
def engine(sandbox: SandboxProcess) -> Iterator[Engine]:
    """An empty stack whose provider server reaches an empty sandbox project through
    environment variables, as a CI job would."""
    sandbox.reset("empty")
    with Engine(env=amplitude_env(sandbox.url)) as stack:
        yield stack


@pytest.fixture
def amp(sandbox: SandboxProcess) -> Iterator[httpx.Client]:
    """Direct access to the sandbox, as a person in Amplitude's UI (no reset: `engine` does it)."""
    with amplitude_client(sandbox) as client:
        yield client


def writes(sandbox: SandboxProcess) -> int:
    return sum(n for route, n in sandbox.stats()["by_route"].items() if not route.startswith("GET "))


def printed(engine: Engine, text: str, timeout: float = 10.0) -> bool:
    """Whether the provider server printed `text` (a warning, say): its output is read by
    a thread, so wait for it, bounded, rather than look once."""
    deadline = time.monotonic() + timeout
    while text not in engine.server.output:
        if time.monotonic() > deadline:
            return False
        time.sleep(0.02)
    return True


def rudderstack_env(url: str) -> dict[str, str]:
    return {"RUDDERSTACK_ACCESS_TOKEN": "sandbox-rudderstack-token", "RUDDERSTACK_BASE_URL": url}


@pytest.fixture
def rs_engine(sandbox: SandboxProcess) -> Iterator[Engine]:
    """An empty stack reaching an empty sandbox RudderStack workspace (its sources exist)."""
    sandbox.reset("empty")
    with Engine(env=rudderstack_env(sandbox.url)) as stack:
        yield stack
