"""Load: the 2,000 x 5 plan as per-object resources, with Amplitude's hourly budget
shortened so the apply hits it several times. It waits, says so, never fails, and never
exceeds the budget (the sandbox counts no 429)."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from pulumi_taxonomy.amplitude.resources import EventPropertyProvider, EventTypeProvider
from pulumi_taxonomy.testing import Engine, running_sandbox
from tests.engine.conftest import amplitude_env

EVENTS, PROPERTIES, HOUR = 2000, 5, 10.0


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_the_hourly_budget_is_waited_for_never_exceeded() -> None:
    with running_sandbox("--hour-seconds", str(HOUR)) as sandbox:
        env = {**amplitude_env(sandbox.url), "AMPLITUDE_HOUR_SECONDS": str(HOUR)}
        with Engine(env=env) as engine:
            started = time.monotonic()

            def event(i: int) -> None:
                name = f"Load Event {i:04d}"
                engine.up(f"e{i}", EventTypeProvider(), {"name": name})
                for j in range(PROPERTIES):
                    engine.up(f"e{i}-p{j}", EventPropertyProvider(), {"name": f"p{j}", "event_type": name})

            with ThreadPoolExecutor(32) as pool:  # 32 engine-like calls at once
                list(pool.map(event, range(EVENTS)))
            seconds = time.monotonic() - started
            waits = engine.server.output.count("budget of 7200 cost")
        stats = sandbox.stats()
    writes = EVENTS * (1 + PROPERTIES)
    print(
        f"load: {writes} writes ({2 * writes} cost) in {seconds:.0f}s with a {HOUR:g}s hour; "
        f"{waits} budget waits reported; sandbox 429s: {stats['rate_limited']}"
    )
    assert stats["total_requests"] == writes
    assert stats["rate_limited"] == 0, "never beyond Amplitude's limits"
    assert 1 <= waits <= 4 * seconds / HOUR + 2, "the wait is reported, once per quarter-hour at most"
    assert seconds >= (2 * writes / 7200 - 1) * HOUR, "the budget really bounded the apply"
