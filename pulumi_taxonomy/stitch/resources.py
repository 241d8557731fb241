"""A set of warehouse rows as a Pulumi resource, pushed through the Stitch Import API.

Stitch is push-only: it cannot say what the warehouse holds, delete rows, or drop
tables. So the resource keeps the rows it pushed in state, pushes only what changed,
and represents a removed row the way warehouse people do (Singer's convention): the
row again with `_sdc_deleted_at` (or `deleted_column`) set. Every batch is validated
before any is pushed, so an invalid apply writes nothing. Sequences grow strictly
across applies and processes, so a retried or late push never regresses a row.

When a push fails partway, the rows of every batch that may have landed (the failed
one included: its answer may have been lost, and it may even arrive later) are pushed
back with their previous values under a higher sequence before the error is raised,
so the warehouse matches the state the engine keeps after a failed step.

Replacing onto the same warehouse table deletes before it creates (the tombstones go
first, the new rows win), and a delete leaves alone rows that another resource pushed
in the same command (a renamed resource, a row moved between resources).
The provider class's module path is a public contract (pickled by reference).

Stitch answers carry no ids or timestamps, and nothing reads a table back: so
`WarehouseTable.get` gives the table's name and what Stitch's status endpoint says,
and cannot tell whether the table exists.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime, timezone
from typing import Any

import pulumi
from pulumi.dynamic import Resource

from pulumi_taxonomy.core.errors import ResourceError, TaxonomyError, VendorError
from pulumi_taxonomy.core.provider import Outputs, TaxonomyProvider, is_unknown
from pulumi_taxonomy.core.resource import get_resource, resource_options, resource_props
from pulumi_taxonomy.stitch.client import StitchClient, advice, client_for
from pulumi_taxonomy.stitch.models import (
    DELETED_AT,
    StitchConnection,
    WarehouseTableInputs,
    canonical,
    record_size,
    row_key,
    warehouse_table,
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
    """Consecutive batches, each as full as both limits allow: the JSON array stays below
    `max_bytes` (the reference: "less than 4MB") and holds at most `max_records`."""
    out: list[list[Record]] = []
    current: list[Record] = []
    size = 2  # the brackets of the JSON array
    for record in records:
        extra = record_size(record) + (1 if current else 0)
        if current and (size + extra >= max_bytes or len(current) >= max_records):
            out.append(current)
            current, size, extra = [], 2, record_size(record)
        current.append(record)
        size += extra
    if current:
        out.append(current)
    return out


class LiveRows:
    """Which resource last pushed each row live in this provider process.

    One provider process serves a whole `pulumi up`, where the engine creates a renamed
    resource before it deletes the old one, and runs resources' updates side by side. A
    tombstone for a row that another resource of the same command declared live would
    mark that row deleted (its sequence is newer), so the tombstone is left out. Rows are
    claimed and sequences drawn under one lock, so of two resources racing for a row the
    one that pushes live either draws the higher sequence or is seen by the other.
    """

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._owners: dict[tuple[str, ...], str] = {}

    @staticmethod
    def _key(scope: tuple[str, ...], row: Record, key_names: Sequence[str]) -> tuple[str, ...]:
        return (*scope, row_key(row, sorted(key_names)))

    def others(
        self, scope: tuple[str, ...], rows: Iterable[Record], key_names: Sequence[str], owner: str
    ) -> dict[int, str]:
        """Index -> other resource, for the rows another resource pushed live (hold `lock`)."""
        found = {}
        for i, row in enumerate(rows):
            other = self._owners.get(self._key(scope, row, key_names))
            if other is not None and other != owner:
                found[i] = other
        return found

    def claim(
        self, scope: tuple[str, ...], rows: Iterable[Record], key_names: Sequence[str], owner: str
    ) -> None:
        """Record rows `owner` is about to push live (hold `lock`)."""
        for row in rows:
            self._owners[self._key(scope, row, key_names)] = owner

    def release(
        self, scope: tuple[str, ...], rows: Iterable[Record], key_names: Sequence[str], owner: str
    ) -> None:
        """Forget rows `owner` claimed but did not push (its push failed)."""
        with self.lock:
            for row in rows:
                key = self._key(scope, row, key_names)
                if self._owners.get(key) == owner:
                    del self._owners[key]


_live_rows = LiveRows()


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class WarehouseTableProvider(TaxonomyProvider[WarehouseTableInputs]):
    kind = "Stitch warehouse table"
    inputs_model = WarehouseTableInputs
    replace_on = frozenset({"table_name", "key_names"})
    ignore_in_diff = frozenset({"adopt", "batch_max_bytes", "batch_max_records"})
    computed = frozenset({"last_sequence", "pushed_records", "batches", "import_api_ok"})
    get_id = "the table's name as the rows are pushed to it"

    def describe(self, values: Mapping[str, Any]) -> str:
        return f'{self.kind} "{values.get("table_name")}"'

    def hint(self, error: Exception, operation: str) -> str:
        if isinstance(error, VendorError):
            return advice(error.status)
        return super().hint(error, operation)

    def deletes_first(self, replaces: list[str], olds: dict[str, Any], news: dict[str, Any]) -> bool:
        # Onto the same warehouse table (new keys, or a name that folds to the same table),
        # create-then-delete would push the new rows and then tombstones for the same
        # table, newer than them. Delete first: the new rows come last and win.
        old, new = olds.get("table_name"), news.get("table_name")
        return is_unknown(new) or warehouse_table(str(old)) == warehouse_table(str(new))

    # -- create, update, delete: one way of pushing ---------------------------------

    def create_remote(self, inputs: WarehouseTableInputs) -> tuple[str, Outputs]:
        id_ = f"{inputs.table_name}-{uuid.uuid4().hex[:12]}"
        return id_, self._apply("create", id_, inputs, {}, list(inputs.rows), [], 0)

    def update_remote(self, id_: str, state: Outputs, inputs: WarehouseTableInputs) -> Outputs:
        keys = list(inputs.key_names)
        old = {row_key(r, keys): r for r in canonical(state.get("rows") or [])}
        new = {row_key(r, keys): r for r in inputs.rows}
        repush = canonical(state.get("triggers") or []) != list(inputs.triggers)
        changed = [row for key, row in new.items() if repush or old.get(key) != row]
        removed = [row for key, row in old.items() if key not in new]
        return self._apply("update", id_, inputs, old, changed, removed, int(state.get("last_sequence") or 0))

    def read_remote(self, id_: str, state: Outputs) -> Outputs | None:
        # Stitch cannot report what the warehouse holds: check the API, keep the state.
        return {**state, "import_api_ok": self._api_ok(state)}

    def _api_ok(self, values: Mapping[str, Any]) -> bool:
        ok = client_for(values.get("connection")).status()
        if not ok:
            pulumi.log.warn(
                f"{self.describe(values)}: the Stitch Import API reports a problem (status endpoint)"
            )
        return ok

    def identify(self, id_: str, props: Mapping[str, Any]) -> Outputs:
        # The name's own rules; a key name is needed to validate, and none is known here.
        WarehouseTableInputs.model_validate({"table_name": id_, "key_names": ["key"]})
        return {"table_name": id_}

    def lookup(self, id_: str, values: Outputs) -> Outputs | None:
        return {
            "adopt": False,
            "connection": values.get("connection"),
            "table_name": values["table_name"],
            "import_api_ok": self._api_ok(values),
        }

    def delete_remote(self, id_: str, state: Outputs) -> None:
        rows = canonical(state.get("rows") or [])
        if not rows:
            return
        inputs = self.parse(state)
        previous = {row_key(r, list(inputs.key_names)): r for r in rows}
        self._apply("delete", id_, inputs, previous, [], list(rows), int(state.get("last_sequence") or 0))

    def _apply(
        self,
        operation: str,
        id_: str,
        inputs: WarehouseTableInputs,
        previous: Mapping[str, Record],
        upserts: list[Record],
        removed: list[Record],
        last: int,
    ) -> Outputs:
        """Push `upserts` and tombstones of `removed`; `previous` is what the stack's state
        holds for each key (what an undo pushes back)."""
        client = client_for(inputs.connection)
        keys = list(inputs.key_names)
        scope = (str(client.http.client.base_url), str(client.client_id), warehouse_table(inputs.table_name))
        with _live_rows.lock:
            others = _live_rows.others(scope, removed, keys, id_)
            removed = [row for i, row in enumerate(removed) if i not in others]
            sequence = next_sequence(last) if upserts or removed else last
            _live_rows.claim(scope, upserts, keys, id_)
        if others:
            owners = ", ".join(sorted(set(others.values())))
            pulumi.log.warn(
                f"{self.describe({'table_name': inputs.table_name})}: {len(others)} row(s) left as "
                f"they are instead of being marked deleted: another resource ({owners}) pushed them "
                "in this command"
            )
        now = _now()
        rows = upserts + [{**row, inputs.deleted_column: now} for row in removed]
        try:
            count = self._push(operation, client, inputs, previous, rows, sequence) if rows else 0
        except BaseException:
            _live_rows.release(scope, upserts, keys, id_)
            raise
        return {
            **inputs.model_dump(mode="json"),
            "last_sequence": sequence,
            "pushed_records": len(rows),
            "batches": count,
        }

    def _push(
        self,
        operation: str,
        client: StitchClient,
        inputs: WarehouseTableInputs,
        previous: Mapping[str, Record],
        rows: list[Record],
        sequence: int,
    ) -> int:
        records = [client.record(inputs.table_name, list(inputs.key_names), sequence, r) for r in rows]
        planned = batches(records, inputs.batch_max_bytes, inputs.batch_max_records)
        for batch in planned:  # all of them first: an invalid apply writes nothing
            try:
                client.validate(batch)
            except (TaxonomyError, ConnectionError) as exc:
                what = "Stitch refused a batch" if isinstance(exc, VendorError) else "a batch failed"
                hint = f"{what} when validating it, so nothing was pushed. {self._advice(exc, batch)}"
                raise ResourceError(
                    self.describe({"table_name": inputs.table_name}), operation, exc, hint.strip()
                ) from exc
        for index, batch in enumerate(planned):
            try:
                client.push(batch)
            except (TaxonomyError, ConnectionError) as exc:
                # The failed batch counts as landed unless Stitch refused it at once: a lost
                # answer, a 5xx or a retried attempt may hide a request Stitch took, and it
                # may even arrive after the undo (whose higher sequence then wins).
                refused = isinstance(exc, VendorError) and exc.status < 500 and not exc.retried
                landed = [record["data"] for b in planned[: index + (0 if refused else 1)] for record in b]
                if not landed:
                    raise ResourceError(
                        self.describe({"table_name": inputs.table_name}),
                        operation,
                        exc,
                        f"Stitch refused the first batch, so nothing was pushed. {self._advice(exc, batch)}",
                    ) from exc
                hint = self._undo(client, inputs, previous, landed, sequence, index, len(planned))
                raise ResourceError(
                    self.describe({"table_name": inputs.table_name}),
                    operation,
                    exc,
                    f"{hint} {self._advice(exc, batch)}".strip(),
                ) from exc
        return len(planned)

    def _advice(self, error: Exception, batch: list[Record]) -> str:
        """What to do; a refused batch of tombstones may be Stitch refusing their column."""
        text = self.hint(error, "")
        tombstones = any(DELETED_AT in record["data"] for record in batch)
        if tombstones and isinstance(error, VendorError) and 400 <= error.status < 500:
            text += (
                f" The batch marks removed rows with {DELETED_AT}: if Stitch or the destination "
                "refuses that column (Stitch reserves the _sdc prefix), set deleted_column to a "
                "name of your own."
            )
        return text

    def _undo(
        self,
        client: StitchClient,
        inputs: WarehouseTableInputs,
        previous: Mapping[str, Record],
        landed: list[Record],
        sequence: int,
        failed: int,
        total: int,
    ) -> str:
        """Push back what the state holds for each row that may have landed (a row the
        state lacks gets a tombstone); says what happened, for the error's hint."""
        keys = list(inputs.key_names)
        now = _now()
        restore = []
        for row in landed:
            key = row_key(row, keys)
            before = previous.get(key)
            if before is not None:
                restore.append(before)
            else:
                live = {k: v for k, v in row.items() if k != inputs.deleted_column}
                restore.append({**live, inputs.deleted_column: now})
        undo_sequence = next_sequence(sequence)
        records = [client.record(inputs.table_name, keys, undo_sequence, r) for r in restore]
        where = f"push {failed + 1} of {total} failed"
        try:
            for batch in batches(records, inputs.batch_max_bytes, inputs.batch_max_records):
                client.push(batch)
        except (TaxonomyError, ConnectionError) as undo_error:
            return (
                f"{where}, and pushing back the previous values of the {len(restore)} row(s) that may "
                f"have landed failed too ({undo_error}): the warehouse may hold values the stack's "
                "state does not know. Run the same command again (it pushes them again), or, to go "
                "back to the previous program, change `triggers` so that every row is pushed."
            )
        return (
            f"{where}; the {len(restore)} row(s) of the batches that may have landed were pushed back "
            "with their previous values, so the warehouse matches the stack's state."
        )


class WarehouseTable(Resource, module="stitch", name="WarehouseTable"):
    """Rows in a warehouse table, pushed through Stitch. Removed rows are pushed again
    with `deleted_column` (`_sdc_deleted_at`) set; drift in the warehouse itself is not
    detected. A change of `triggers` pushes every row again."""

    table_name: pulumi.Output[str]
    last_sequence: pulumi.Output[int]
    pushed_records: pulumi.Output[int]
    batches: pulumi.Output[int]
    import_api_ok: pulumi.Output[bool | None]
    """What Stitch's status endpoint said at the last refresh or `get` (it needs no credentials)."""

    def __init__(
        self,
        resource_name: str,
        *,
        table_name: pulumi.Input[str],
        key_names: pulumi.Input[Sequence[str]],
        rows: pulumi.Input[Sequence[Mapping[str, Any]]],
        deleted_column: pulumi.Input[str] | None = None,
        triggers: pulumi.Input[Sequence[Any]] | None = None,
        batch_max_bytes: pulumi.Input[int] | None = None,
        batch_max_records: pulumi.Input[int] | None = None,
        adopt: pulumi.Input[bool] = False,
        connection: pulumi.Input[StitchConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        props = resource_props(
            WarehouseTableProvider,
            connection,
            adopt,
            table_name=table_name,
            key_names=key_names,
            rows=rows,
            deleted_column=deleted_column,
            triggers=triggers,
            batch_max_bytes=batch_max_bytes,
            batch_max_records=batch_max_records,
        )
        super().__init__(WarehouseTableProvider(), resource_name, props, resource_options(opts))

    @staticmethod
    def get(
        resource_name: str,
        id: pulumi.Input[str],
        opts: pulumi.ResourceOptions | None = None,
        *,
        connection: pulumi.Input[StitchConnection] | pulumi.Input[Mapping[str, Any]] | None = None,
    ) -> WarehouseTable:
        """A table by its name (`id`), without being managed (docs/get.md). Stitch cannot read
        rows back, nor say whether a table exists: this gives `table_name` and
        `import_api_ok` (what the status endpoint says) only."""
        return get_resource(WarehouseTable, WarehouseTableProvider(), resource_name, id, opts, connection)
