"""The emulated Stitch Import API and the warehouse behind it.

Records are upserts keyed by their `key_names`; for one key, a record with a lower
`sequence` than one already accepted is ignored (equal sequences replace). Stitch has
no delete and no table drop: what arrives stays. No HTTP here.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_taxonomy.sandbox.store import Store

Json = dict[str, Any]
MAX_BODY_BYTES = 4_000_000
"""The reference says 4 MB; read as 4,000,000 bytes, the stricter reading [I]."""
MAX_RECORDS = 10_000
MAX_KEY_LENGTH = 256
REQUIRED = ("client_id", "table_name", "sequence", "action", "key_names", "data")
MAX_SEQUENCE = 2**63 - 1
"""Sequences are 64-bit: Stitch's own target writes 19-digit ones. Larger or negative
ones are refused (422), the stricter reading [I]."""

Endpoint = Literal["validate", "push"]
Answer = int | Literal["drop"]

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


@dataclass
class Refusal:
    """Test hook: records of `table` whose `column` equals `value` (its JSON text; None:
    any value) get `answer` from the chosen endpoints (`"drop"`: the request takes effect,
    then its answer is lost), at most `times` times (None: always)."""

    table: str
    column: str
    value: str | None
    endpoints: frozenset[str]
    answer: Answer
    times: int | None = None

    def matches(self, endpoint: Endpoint, records: list[Json]) -> bool:
        if endpoint not in self.endpoints or self.times == 0:
            return False
        return any(
            r["table_name"] == self.table
            and self.column in r["data"]
            and (self.value is None or json.dumps(r["data"][self.column]) == self.value)
            for r in records
        )


def check_records(body: object, client_id: int) -> list[Json]:
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
        if not 0 <= record["sequence"] <= MAX_SEQUENCE:
            raise StitchError(422, f"{where}: sequence must be between 0 and {MAX_SEQUENCE}")
        if record["action"] != "upsert":
            raise StitchError(422, f'{where}: action must be "upsert"')
        keys, data = record["key_names"], record["data"]
        if not isinstance(keys, list) or not keys or not all(isinstance(k, str) and k for k in keys):
            raise StitchError(422, f"{where}: key_names must be a non-empty array of column names")
        if not isinstance(data, dict):
            raise StitchError(422, f"{where}: data must be an object")
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
        self._refusals: list[Refusal] = []
        self._refusals_lock = threading.Lock()
        store.apply_schema(SCHEMA)

    def clear(self, conn: sqlite3.Connection) -> None:
        conn.execute("DELETE FROM st_row")
        with self._refusals_lock:
            self._refusals = []

    def refuse(
        self,
        table: str,
        column: str,
        value: Any = ...,
        endpoints: frozenset[str] = frozenset({"validate", "push"}),
        answer: Answer = 422,
        times: int | None = None,
    ) -> None:
        """Test hook: see `Refusal` (`value` left out: any value)."""
        with self._refusals_lock:
            text = None if value is ... else json.dumps(value)
            self._refusals.append(Refusal(table, column, text, endpoints, answer, times))

    def refusal(self, endpoint: Endpoint, records: list[Json]) -> Answer | None:
        """The test hook's answer for these records at this endpoint, if one applies (and
        counts down its `times`)."""
        with self._refusals_lock:
            for rule in self._refusals:
                if rule.matches(endpoint, records):
                    if rule.times is not None:
                        rule.times -= 1
                    return rule.answer
        return None

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
