"""WarehouseTable through the real provider server against the sandbox's Stitch."""

from __future__ import annotations

import math
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from pulumi_taxonomy.stitch.models import record_size
from pulumi_taxonomy.stitch.resources import WarehouseTableProvider, next_sequence
from pulumi_taxonomy.testing import CheckFailed, Engine, ProviderFailed, SandboxProcess

TABLE = "tracking_plan_events"


def env(url: str) -> dict[str, str]:
    return {"STITCH_ACCESS_TOKEN": "sandbox-stitch-token", "STITCH_CLIENT_ID": "4231", "STITCH_BASE_URL": url}


@pytest.fixture
def stack(sandbox: SandboxProcess) -> Iterator[Engine]:
    sandbox.reset("empty")
    with Engine(env={**env(sandbox.url), "PULUMI_TAXONOMY_RETRY_WAIT": "0.02"}) as engine:
        yield engine


def rows(n: int, owner: str = "growth", pad: int = 0) -> list[dict[str, Any]]:
    return [
        {
            "event": f"Event {i:05d}",
            "owner": owner,
            "required": i % 3 == 0,
            "properties": ["a", "b"],
            "notes": "x" * pad,
        }
        for i in range(n)
    ]


def warehouse(sandbox: SandboxProcess, table: str = TABLE) -> dict[str, dict[str, Any]]:
    body = sandbox.introspect("GET", f"stitch/tables/{table}")
    return {r["event"]: r for r in body["rows"]}


def pushes(sandbox: SandboxProcess) -> int:
    return int(sandbox.stats()["by_route"].get("POST /v2/import/push", 0))


def inputs(data: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"table_name": TABLE, "key_names": ["event"], "rows": data, **extra}


def test_lifecycle_with_tombstones(stack: Engine, sandbox: SandboxProcess) -> None:
    before = sandbox.stats()["total_requests"]
    assert stack.preview("t", WarehouseTableProvider(), inputs(rows(3))).operation == "create"
    assert sandbox.stats()["total_requests"] == before
    op, created = stack.up("t", WarehouseTableProvider(), inputs(rows(3)))
    assert op == "create" and created.outputs["pushed_records"] == 3
    assert set(warehouse(sandbox)) == {"Event 00000", "Event 00001", "Event 00002"}

    stack.new_command()
    assert stack.up("t", WarehouseTableProvider(), inputs(rows(3)))[0] == "same"
    stack.new_command()
    assert stack.refresh(created.urn) is not None  # checks the status endpoint, keeps state

    changed = rows(2)
    changed[1]["owner"] = "platform"
    op, updated = stack.up("t", WarehouseTableProvider(), inputs(changed))
    assert op == "update" and updated.outputs["pushed_records"] == 2, "one changed row, one tombstone"
    held = warehouse(sandbox)
    assert held["Event 00001"]["owner"] == "platform" and "_sdc_deleted_at" not in held["Event 00001"]
    assert held["Event 00002"]["_sdc_deleted_at"].endswith("Z"), "a removed row is tombstoned"
    assert held["Event 00000"]["_sdc_sequence"] == created.outputs["last_sequence"], (
        "unchanged rows not pushed"
    )
    assert updated.outputs["last_sequence"] > created.outputs["last_sequence"]

    stack.destroy(updated.urn)
    assert all("_sdc_deleted_at" in row for row in warehouse(sandbox).values())


@pytest.mark.slow
def test_25000_rows_in_the_fewest_batches_then_only_changes(stack: Engine, sandbox: SandboxProcess) -> None:
    """The issue's acceptance check."""
    data = rows(25_000, pad=400)  # about 12 MB: the byte limit decides, not the record limit
    op, created = stack.up("t", WarehouseTableProvider(), inputs(data))
    record_bytes = sum(
        record_size(
            {
                "client_id": 4231,
                "table_name": TABLE,
                "sequence": created.outputs["last_sequence"],
                "action": "upsert",
                "key_names": ["event"],
                "data": row,
            }
        )
        + 1
        for row in data
    )
    fewest = max(math.ceil(len(data) / 10_000), math.ceil(record_bytes / 4_000_000))
    print(f"25,000 rows, {record_bytes} bytes: {created.outputs['batches']} batches (fewest {fewest})")
    assert op == "create" and created.outputs["batches"] == fewest == pushes(sandbox)
    assert len(warehouse(sandbox)) == 25_000

    stack.new_command()
    assert stack.up("t", WarehouseTableProvider(), inputs(data))[0] == "same"
    assert pushes(sandbox) == fewest, "re-apply pushes nothing"

    for i in range(0, 10_000, 1000):  # ten rows, spread over the batches
        data[i] = {**data[i], "owner": "changed"}
    _, updated = stack.up("t", WarehouseTableProvider(), inputs(data))
    assert (updated.outputs["pushed_records"], updated.outputs["batches"]) == (10, 1)
    held = warehouse(sandbox)
    assert sum(1 for r in held.values() if r["_sdc_sequence"] == updated.outputs["last_sequence"]) == 10


def test_validate_before_push_an_invalid_last_batch_writes_nothing(
    stack: Engine, sandbox: SandboxProcess
) -> None:
    data = rows(25, pad=200)
    sandbox.introspect("POST", "stitch/refuse", {"table": TABLE, "column": "event", "value": "Event 00024"})
    with pytest.raises(ProviderFailed) as failure:
        stack.up("t", WarehouseTableProvider(), inputs(data, batch_max_records=5))
    assert "validate" in failure.value.text and "nothing was pushed" in failure.value.text
    assert sandbox.stats()["by_route"].get("POST /v2/import/validate") == 5  # every batch, the last refused
    assert pushes(sandbox) == 0 and warehouse(sandbox) == {}


def test_retried_pushes_never_regress_a_row(stack: Engine, sandbox: SandboxProcess) -> None:
    _, first = stack.up("t", WarehouseTableProvider(), inputs(rows(40)))
    newer = rows(40, owner="newer")
    sandbox.set_faults("503=0.5", seed=3)
    try:
        _, second = stack.up("t", WarehouseTableProvider(), inputs(newer, batch_max_records=4))
    finally:
        sandbox.set_faults("")
    assert sandbox.stats()["faults_injected"].get("503", 0) > 0
    assert {r["owner"] for r in warehouse(sandbox).values()} == {"newer"}
    # A late copy of the older push arrives: Stitch ignores it, its sequence is lower.
    old_records = [
        {
            "client_id": 4231,
            "table_name": TABLE,
            "sequence": int(first.outputs["last_sequence"]),
            "action": "upsert",
            "key_names": ["event"],
            "data": row,
        }
        for row in rows(40)
    ]
    httpx.post(
        f"{sandbox.url}/v2/import/push",
        json=old_records,
        headers={"authorization": "Bearer sandbox-stitch-token"},
    ).raise_for_status()
    assert {r["owner"] for r in warehouse(sandbox).values()} == {"newer"}
    assert second.outputs["last_sequence"] > first.outputs["last_sequence"]


def test_sequences_always_grow_even_if_the_clock_does_not() -> None:
    far_future = 10**18
    assert next_sequence(far_future) == far_future + 1
    assert next_sequence(0) > far_future + 1, "never below what this process handed out"


BAD: list[tuple[dict[str, Any], str]] = [
    (inputs([{"event": "A"}, {"event": "A"}]), "same key"),
    (inputs([{"event": None}]), "missing or null"),
    (inputs([{"owner": "x"}]), "rows[0].event"),
    (inputs([{"event": "x" * 257}]), "256"),
    (inputs([{"event": "A", "owner": "x"}, {"event": "B", "owner": 3}]), "rows[1].owner is number"),
    (inputs([{"event": "A", "_sdc_deleted_at": "now"}]), "_sdc_"),
    (inputs([{"event": "A", "notes": "x" * 20_000}], batch_max_bytes=10_000), "larger than one batch"),
    (inputs([], key_names=[]), "at least 1"),
    (inputs([], table_name=""), "at least 1"),
]


@pytest.mark.parametrize(("bad", "reason"), BAD)
def test_invalid_rows_fail_at_check_with_no_request(
    stack: Engine, sandbox: SandboxProcess, bad: dict[str, Any], reason: str
) -> None:
    with pytest.raises(CheckFailed) as failed:
        stack.up("t", WarehouseTableProvider(), bad)
    assert any(reason in text for _, text in failed.value.failures), failed.value.failures
    assert sandbox.stats()["total_requests"] == 0


def test_credentials_precedence_and_messages(sandbox: SandboxProcess) -> None:
    sandbox.reset("empty")
    wrong = {"STITCH_ACCESS_TOKEN": "wrong", "STITCH_CLIENT_ID": "4231", "STITCH_BASE_URL": sandbox.url}
    with Engine(env=wrong, config={"stitchAccessToken": "sandbox-stitch-token"}) as engine:
        engine.up("a", WarehouseTableProvider(), inputs([{"event": "Via Config"}], table_name="a"))
    with Engine(env=wrong) as engine:
        connection = {"access_token": "sandbox-stitch-token", "client_id": 4231, "base_url": sandbox.url}
        engine.up(
            "b",
            WarehouseTableProvider(),
            inputs([{"event": "Via Input"}], table_name="b", connection=connection),
        )
        with pytest.raises(ProviderFailed) as failure:
            engine.up("c", WarehouseTableProvider(), inputs([{"event": "Via Env"}], table_name="c"))
    assert "401" in failure.value.text and "wrong" not in failure.value.text.split("answered")[0][-20:]
    with (
        Engine(env={"STITCH_BASE_URL": sandbox.url, "STITCH_ACCESS_TOKEN": ""}) as engine,
        pytest.raises(ProviderFailed) as missing,
    ):
        engine.up("d", WarehouseTableProvider(), inputs([{"event": "x"}], table_name="d"))
    assert "STITCH_ACCESS_TOKEN" in missing.value.text and "stitchClientId" in missing.value.text
    assert set(warehouse(sandbox, "a")) == {"Via Config"} and set(warehouse(sandbox, "b")) == {"Via Input"}
