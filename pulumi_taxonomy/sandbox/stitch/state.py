"""The emulated Stitch Import API and the warehouse behind it.

Records are upserts keyed by their `key_names`; for one key, a record with a lower
`sequence` than one already accepted is ignored (equal sequences replace). Stitch has
no delete and no table drop: what arrives stays. No HTTP here.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from pulumi_taxonomy.sandbox.store import Store

Json = dict[str, Any]
MAX_BODY_BYTES = 4_000_000
"""The reference says 4 MB; read as 4,000,000 bytes, the stricter reading [I]."""
MAX_RECORDS = 10_000
MAX_KEY_LENGTH = 256
REQUIRED = ("client_id", "table_name", "sequence", "action", "key_names", "data")

SCHEMA = """
CREATE TABLE IF NOT EXISTS st_row (
    table_name TEXT NOT NULL,
    key TEXT NOT NULL,
    sequence INTEGER NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (table_name, key)
);
"""


class StitchError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def check_records(
    body: object, client_id: int, refusals: frozenset[tuple[str, str, str]] = frozenset()
) -> list[Json]:
    """The checks push and validate share; raises StitchError with the vendor's code."""
    if not isinstance(body, list):
        raise StitchError(400, "The request body must be a JSON array of records")
    if not body:
        raise StitchError(400, "The request body must contain at least one record")
    if len(body) > MAX_RECORDS:
        raise StitchError(400, f"A request may carry at most {MAX_RECORDS} records (got {len(body)})")
    for i, record in enumerate(body):
        where = f"record {i}"
        if not isinstance(record, dict):
            raise StitchError(400, f"{where} is not an object")
        missing = [f for f in REQUIRED if f not in record]
        if missing:
            raise StitchError(422, f"{where} is missing required fields: {', '.join(missing)}")
        if not isinstance(record["client_id"], int) or isinstance(record["client_id"], bool):
            raise StitchError(422, f"{where}: client_id must be an integer")
        if record["client_id"] != client_id:
            raise StitchError(
                403, f"{where}: client_id {record['client_id']} does not match the access token"
            )
        if not isinstance(record["table_name"], str) or not record["table_name"].strip():
            raise StitchError(422, f"{where}: table_name must be a non-empty string")
        if not isinstance(record["sequence"], int) or isinstance(record["sequence"], bool):
            raise StitchError(422, f"{where}: sequence must be an integer")
        if record["action"] != "upsert":
            raise StitchError(422, f'{where}: action must be "upsert"')
        keys, data = record["key_names"], record["data"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
            raise StitchError(422, f"{where}: key_names must be a non-empty array of column names")
        if not isinstance(data, dict):
            raise StitchError(422, f"{where}: data must be an object")
        for column, value in data.items():
            if (record["table_name"], column, json.dumps(value)) in refusals:
                raise StitchError(422, f"{where}: {column} = {value!r} is refused (sandbox test hook)")
        for key in keys:
            if data.get(key) is None:
                raise StitchError(422, f"{where}: primary key {key!r} is missing or null in data")
            if isinstance(data[key], str) and len(data[key]) > MAX_KEY_LENGTH:
                raise StitchError(
                    422, f"{where}: primary key {key!r} is longer than {MAX_KEY_LENGTH} characters"
                )
    return body


class Warehouse:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.refusals: frozenset[tuple[str, str, str]] = frozenset()
        store.apply_schema(SCHEMA)

    def clear(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM st_row")
        self.refusals = frozenset()

    def refuse(self, table: str, column: str, value: Any) -> None:
        """Test hook: records of `table` whose `column` equals `value` are refused (422)."""
        self.refusals = self.refusals | {(table, column, json.dumps(value))}

    def push(self, records: list[Json]) -> None:
        with self.store.transaction() as conn:
            for record in records:
                key = json.dumps([record["data"][k] for k in record["key_names"]])
                row = conn.execute(
                    "SELECT sequence FROM st_row WHERE table_name = ? AND key = ?",
                    (record["table_name"], key),
                ).fetchone()
                if row is not None and row["sequence"] > record["sequence"]:
                    continue  # an older version of a row already superseded: ignored
                conn.execute(
                    "INSERT OR REPLACE INTO st_row (table_name, key, sequence, data) VALUES (?, ?, ?, ?)",
                    (record["table_name"], key, record["sequence"], json.dumps(record["data"])),
                )

    def tables(self) -> Json:
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT table_name, COUNT(*) AS n FROM st_row GROUP BY table_name ORDER BY 1")
            return {r["table_name"]: r["n"] for r in rows}

    def table(self, name: str) -> list[Json]:
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT * FROM st_row WHERE table_name = ? ORDER BY rowid", (name,)
            ).fetchall()
        return [{**json.loads(r["data"]), "_sdc_sequence": r["sequence"]} for r in rows]
