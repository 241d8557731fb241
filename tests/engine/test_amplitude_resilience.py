"""Faults (429, 5xx, answers lost after the write) are survived: the apply succeeds,
the vendor ends up exactly as declared, and nothing is duplicated. Refresh is cheap."""

from __future__ import annotations

import zlib
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from pulumi_taxonomy.amplitude.resources import EventPropertyProvider, EventTypeProvider
from pulumi_taxonomy.testing import Engine, SandboxProcess
from tests.engine.specs import SPECS, Spec, matches

FAULTS = "429=0.2,500=0.1,503=0.05,drop=0.1"


@pytest.mark.parametrize("spec", SPECS, ids=[s.id for s in SPECS])
def test_faults_are_survived_and_nothing_is_duplicated(
    spec: Spec, engine: Engine, amp: httpx.Client, sandbox: SandboxProcess
) -> None:
    spec.setup(amp)
    final = {**spec.inputs, **spec.update, **spec.rename}
    sandbox.set_faults(FAULTS, seed=zlib.crc32(spec.id.encode()))
    try:
        engine.up("r", spec.provider, spec.inputs)
        engine.up("r", spec.provider, {**spec.inputs, **spec.update})
        _, resource = engine.up("r", spec.provider, final)
        engine.new_command()
        assert engine.refresh(resource.urn) is not None
        assert engine.up("r", spec.provider, final)[0] == "same"
    finally:
        sandbox.set_faults("")
    injected = sandbox.stats()["faults_injected"]
    assert sum(injected.values()) > 0, "the test must actually inject faults"
    assert matches(spec.remote(amp, final), spec.expected(final))
    assert spec.remote(amp, spec.inputs) is None or spec.rename == {}
    listing = str(amp.get("/event").json()) + str(amp.get("/category").json())
    assert listing.count(f"'{final.get('name')}'") <= 1, "nothing duplicated"

    sandbox.set_faults(FAULTS, seed=zlib.crc32(spec.id.encode()) + 1)
    try:
        engine.destroy(resource.urn)
    finally:
        sandbox.set_faults("")
    assert (spec.remote(amp, final) is None) == spec.deletable


def test_refresh_costs_one_list_per_kind(engine: Engine, amp: httpx.Client, sandbox: SandboxProcess) -> None:
    events = [f"Event {i}" for i in range(20)]
    for name in events:
        engine.up(name, EventTypeProvider(), {"name": name})
        for prop in ("a", "b"):
            engine.up(f"{name}/{prop}", EventPropertyProvider(), {"name": prop, "event_type": name})
    engine.new_command()
    before = sandbox.stats()["total_requests"]
    with ThreadPoolExecutor(4) as pool:  # the engine refreshes several resources at once
        results = list(pool.map(engine.refresh, list(engine.resources)))
    assert all(r is not None for r in results)
    requests = sandbox.stats()["total_requests"] - before
    # One event list, plus one property list per event; naive reads would be 60.
    assert requests <= 1 + len(events), requests
