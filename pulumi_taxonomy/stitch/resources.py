"""A set of warehouse rows as a Pulumi resource, pushed through the Stitch Import API.

Stitch is push-only: it cannot say what the warehouse holds, delete rows, or drop
tables. So the resource keeps the rows it pushed in state, pushes only what changed,
and represents a removed row the way warehouse people do (Singer's convention): the
row again with `_sdc_deleted_at` set. Every batch is validated before any is pushed,
so an invalid apply writes nothing. Sequences grow strictly across applies and
processes, so a retried or late push never regresses a row.
The provider class's module path is a public contract (pickled by reference).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_taxonomy.core.errors import ResourceError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider
from pulumi_taxonomy.core.resource import resource_options, resource_props
from pulumi_taxonomy.stitch.client import StitchClient, client_for
from pulumi_taxonomy.stitch.models import (
    DELETED_AT,
    StitchConnection,
    WarehouseTableInputs,
    canonical,
    record_size,
    row_key,
)

Record = dict[str, Any]
_sequence_lock = threading.Lock()
_last_sequence = 0


def next_sequence(at_least: int) -> int:
    """Microseconds since the epoch, but always above `at_least` (the last sequence
    this stack used) and above any this process handed out."""
    global _last_sequence  # noqa: PLW0603 - one clock for the whole provider process
    with _sequence_lock:
        _last_sequence = max(time.time_ns() // 1000, at_least + 1, _last_sequence + 1)
        return _last_sequence


def batches(records: list[Record], max_bytes: int, max_records: int) -> list[list[Record]]:
    """Consecutive batches, each as full as both limits allow (the JSON array's bytes
    and its record count)."""
    out: list[list[Record]] = []
    current: list[Record] = []
    size = 2  # the brackets of the JSON array
    for record in records:
        extra = record_size(record) + (1 if current else 0)
        if current and (size + extra > max_bytes or len(current) >= max_records):
            out.append(current)
            current, size, extra = [], 2, record_size(record)
        current.append(record)
        size += extra
    if current:
        out.append(current)
    return out


class WarehouseTableProvider(TaxonomyProvider[WarehouseTableInputs]):
    kind = "Stitch warehouse table"
    inputs_model = WarehouseTableInputs
    replace_on = frozenset({"table_name", "key_names"})
    ignore_in_diff = frozenset({"adopt", "batch_max_bytes", "batch_max_records"})
    computed = frozenset({"last_sequence", "pushed_records", "batches"})

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("table_name")}"'

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, VendorError) and error.status in (400, 413, 422):
            return "Stitch refused a batch when validating it, so nothing was pushed: fix the rows."
        return super().hint(error, operation)

    def _records(self, inputs: WarehouseTableInputs, rows: Sequence[Record], sequence: int) -> list[Record]:
        client_id = client_for(inputs.connection).client_id
        return [
            {
                "client_id": client_id,
                "table_name": inputs.table_name,
                "sequence": sequence,
                "action": "upsert",
                "key_names": list(inputs.key_names),
                "data": row,
            }
            for row in rows
        ]

    def _push(self, client: StitchClient, inputs: WarehouseTableInputs, records: list[Record]) -> int:
        planned = batches(records, inputs.batch_max_bytes, inputs.batch_max_records)
        for batch in planned:  # all of them first: an invalid apply writes nothing
            client.validate(batch)
        for batch in planned:
            client.push(batch)
        return len(planned)

    def _apply(
        self, inputs: WarehouseTableInputs, upserts: list[Record], tombstones: list[Record], last: int
    ) -> Outputs:
        client = client_for(inputs.connection)
        sequence = next_sequence(last)
        now = datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        rows = upserts + [{**row, DELETED_AT: now} for row in tombstones]
        count = self._push(client, inputs, self._records(inputs, rows, sequence)) if rows else 0
        return {
            **inputs.model_dump(mode="json"),
            "last_sequence": sequence if rows else last,
            "pushed_records": len(rows),
            "batches": count,
        }

    def create_remote(self, inputs: WarehouseTableInputs) -> tuple[str, Outputs]:
        outputs = self._apply(inputs, list(inputs.rows), [], 0)
        return f"{inputs.table_name}-{uuid.uuid4().hex[:12]}", outputs

    def update_remote(self, id_: str, state: Outputs, inputs: WarehouseTableInputs) -> Outputs:
        keys = list(inputs.key_names)
        old = {row_key(r, keys): r for r in canonical(state.get("rows") or [])}
        new = {row_key(r, keys): r for r in inputs.rows}
        changed = [row for key, row in new.items() if old.get(key) != row]
        removed = [row for key, row in old.items() if key not in new]
        return self._apply(inputs, changed, removed, int(state.get("last_sequence") or 0))

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        # Stitch cannot report what the warehouse holds: check the API, keep the state.
        if not client_for(state.get("connection")).status():
            pulumi.log.warn(
                f"{self.describe(state)}: the Stitch Import API reports a problem (status endpoint)"
            )
        return dict(state)

    def delete_remote(self, id_: str, state: Outputs) -> None:
        rows = canonical(state.get("rows") or [])
        if not rows:
            return
        inputs = self.parse(state)
        try:
            self._apply(inputs, [], list(rows), int(state.get("last_sequence") or 0))
        except VendorError as exc:
            raise ResourceError(
                self.describe(state), "delete (tombstones)", exc, self.hint(exc, "delete")
            ) from exc


class WarehouseTable(Resource, module="stitch", name="WarehouseTable"):
    """Rows in a warehouse table, pushed through Stitch. Removed rows are pushed again
    with `_sdc_deleted_at`; drift in the warehouse itself is not detected."""

    last_sequence: pulumi.Output[int]
    pushed_records: pulumi.Output[int]
    batches: pulumi.Output[int]

    def __init__(
        self,
        resource_name: str,
        *,
        table_name: pulumi.Input[str],
        key_names: pulumi.Input[Sequence[str]],
        rows: pulumi.Input[Sequence[Mapping[str, Any]]],
        batch_max_bytes: pulumi.Input[int] | None = None,
        batch_max_records: pulumi.Input[int] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: pulumi.Input[StitchConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            connection,
            adopt,
            table_name=table_name,
            key_names=key_names,
            rows=rows,
            batch_max_bytes=batch_max_bytes,
            batch_max_records=batch_max_records,
            last_sequence=None,
            pushed_records=None,
            batches=None,
        )
        super().__init__(WarehouseTableProvider(), resource_name, props, resource_options(opts))
