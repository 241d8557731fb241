"""The bad-input corpus, counted: every invalid input across all resources and the plan
file is rejected at check (or by `validate`) naming the field, with zero vendor requests.

The cases live next to each resource's tests (each asserts the field and that the
sandbox saw no request); this suite adds the cases no single resource owns (bytes that
are not UTF-8, huge values) and checks the corpus is as large as promised."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from pulumi_taxonomy.amplitude.resources import EventTypeProvider
from pulumi_taxonomy.plan import PlanInvalid, load, loads
from pulumi_taxonomy.rudderstack.resources import TrackingPlanProvider
from pulumi_taxonomy.testing import CheckFailed, Engine, SandboxProcess
from tests.engine import test_amplitude_inputs, test_rudderstack, test_stitch
from tests.unit import test_plan


def test_the_corpus_has_at_least_sixty_invalid_inputs() -> None:
    sizes = {
        "amplitude resources": len(test_amplitude_inputs.CASES),
        "rudderstack resources": len(test_rudderstack.BAD),
        "stitch rows": len(test_stitch.BAD),
        "plan file": len(test_plan.RULES),
        "this file": len(EXTRA) + 2,
    }
    print(f"bad-input corpus: {sum(sizes.values())} inputs {sizes}")
    assert sum(sizes.values()) >= 60


EXTRA: list[tuple[Any, dict[str, Any], str]] = [
    (EventTypeProvider(), {"name": "x" * 1_000_000}, "name"),
    (EventTypeProvider(), {"name": "A", "description": "d" * 2_000_000}, "description"),
    (EventTypeProvider(), {"name": "nul\x00byte"}, "name"),
    (EventTypeProvider(), {"name": ["a list"]}, "name"),
    (TrackingPlanProvider(), {"name": "Plan ☕ émoji"}, "name"),
    (TrackingPlanProvider(), {"name": "A" * 66}, "name"),
]


@pytest.mark.parametrize(("provider", "inputs", "field"), EXTRA)
def test_huge_and_odd_values_fail_at_check_with_no_request(
    sandbox: SandboxProcess, provider: Any, inputs: dict[str, Any], field: str
) -> None:
    sandbox.reset("empty")
    urls = {"AMPLITUDE_BASE_URL": sandbox.url, "RUDDERSTACK_BASE_URL": sandbox.url}
    with Engine(env=urls) as engine, pytest.raises(CheckFailed) as failed:
        engine.up("r", provider, inputs)
    assert any(prop == field for prop, _ in failed.value.failures), failed.value.failures
    assert sandbox.stats()["total_requests"] == 0


def test_a_plan_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"version: 1\nname: \xff\xfe broken\n")
    with pytest.raises(PlanInvalid) as invalid:
        load(path)
    assert "cannot read the file" in invalid.value.issues[0].message


def test_a_huge_plan_value_is_refused_where_a_target_limits_it() -> None:
    text = f"version: 1\nname: P\nevents:\n  - name: '{'x' * 5000}'\ntargets:\n  amplitude: {{}}\n"
    with pytest.raises(PlanInvalid) as invalid:
        loads(text, "big.yaml")
    assert (invalid.value.issues[0].line, invalid.value.issues[0].field) == (4, "events[0].name")
