"""The vendor's limits across processes, 429s from elsewhere, and fresh reads, through
real provider servers against a real sandbox."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.testing import Engine, ProviderFailed, SandboxProcess, running_sandbox
from tests.conftest import amplitude_client
from tests.engine.conftest import amplitude_env


def wait_until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"not within {seconds}s: {what}"
        time.sleep(0.05)


def test_two_provider_servers_with_one_key_share_its_in_flight_cap() -> None:
    """Two stacks applied at once with one API key: together never more than 4 cost in
    flight, so the vendor never says 429 (each process alone would allow 4)."""
    with running_sandbox("--latency-ms", "40") as sandbox:
        env = amplitude_env(sandbox.url)
        with Engine(env=env, stack="dev") as dev, Engine(env=env, stack="prod") as prod:

            def apply(engine: Engine, stack: str) -> None:
                with ThreadPoolExecutor(8) as pool:
                    names = [f"{stack} event {i:02d}" for i in range(16)]
                    list(pool.map(lambda n: engine.up(n, EventTypeProvider(), {"name": n}), names))

            threads = [threading.Thread(target=apply, args=pair) for pair in ((dev, "dev"), (prod, "prod"))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(120)
            assert len(dev.resources) == len(prod.resources) == 16
        stats = sandbox.stats()
    assert stats["rate_limited"] == 0, "the vendor never had to refuse"
    assert max(stats["peak_in_flight_cost"].values()) == 4


@pytest.fixture
def refusing(sandbox: SandboxProcess) -> Iterator[SandboxProcess]:
    sandbox.reset("empty")
    yield sandbox
    sandbox.set_faults("")


def test_a_vendor_that_still_says_429_is_waited_out_not_failed_after_seconds(
    refusing: SandboxProcess,
) -> None:
    """The budget was spent elsewhere (another machine): every answer is 429 for a while."""
    env = {
        **amplitude_env(refusing.url),
        "PULUMI_TAXONOMY_RETRIES": "2",
        "PULUMI_TAXONOMY_RETRY_WAIT": "0.05",
    }
    with Engine(env=env) as engine:
        refusing.set_faults("429=1")
        outcome: list[object] = []
        apply = threading.Thread(
            target=lambda: outcome.append(engine.up("e", EventTypeProvider(), {"name": "Sign Up"}))
        )
        apply.start()
        wait_until(lambda: refusing.stats()["faults_injected"].get("429", 0) >= 6, 30, "six refusals")
        assert apply.is_alive(), "six 429s in a row, and only 2 attempts allowed for errors: still waiting"
        refusing.set_faults("")
        apply.join(60)
        assert not apply.is_alive() and outcome and outcome[0][0] == "create"  # type: ignore[index]
    with amplitude_client(refusing) as amp:
        assert amp.get("/event/Sign%20Up").status_code == 200


def test_past_the_longest_wait_the_apply_fails_saying_what_was_spent(refusing: SandboxProcess) -> None:
    env = {
        **amplitude_env(refusing.url),
        "PULUMI_TAXONOMY_MAX_WAIT": "1.5",
        "PULUMI_TAXONOMY_RETRY_WAIT": "0.1",
    }
    with Engine(env=env) as engine:
        refusing.set_faults("429=1")
        started = time.monotonic()
        with pytest.raises(ProviderFailed) as failure:
            engine.up("e", EventTypeProvider(), {"name": "Sign Up"})
        seconds = time.monotonic() - started
    text = " ".join(failure.value.text.split())
    assert 1.5 <= seconds < 15
    assert 'Amplitude event type "Sign Up": create failed' in text
    assert "answered 429" in text and re.search(r"refused for [1-4]s", text), text
    assert "This machine spent" in text and "of the 7,200 cost" in text and "at the latest" in text


def test_a_provider_process_that_lives_across_commands_never_serves_a_stale_read(
    sandbox: SandboxProcess,
) -> None:
    sandbox.reset("empty")
    env = {**amplitude_env(sandbox.url), "PULUMI_TAXONOMY_CACHE_SECONDS": "1"}
    with Engine(env=env) as engine, amplitude_client(sandbox) as amp:
        _, created = engine.up("e", EventTypeProvider(), {"name": "Sign Up", "description": "one"})
        assert engine.refresh(created.urn).outputs["description"] == "one"  # type: ignore[union-attr]
        # Someone edits the event in Amplitude's UI; the same provider process reads again later.
        amp.put("/event/Sign%20Up", data={"description": "two"}).raise_for_status()
        time.sleep(1.1)
        assert engine.refresh(created.urn).outputs["description"] == "two"  # type: ignore[union-attr]
        # Its own write invalidates at once.
        engine.up("e", EventTypeProvider(), {"name": "Sign Up", "description": "three"})
        assert engine.refresh(created.urn).outputs["description"] == "three"  # type: ignore[union-attr]
