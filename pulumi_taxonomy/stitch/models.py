"""Rows for the warehouse, checked with Stitch's rules before anything is sent."""

from __future__ import annotations

import json
import math
import re
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pulumi_taxonomy.core.inputs import ResourceInputs

Region = Literal["us", "eu"]
MAX_BATCH_BYTES = 4_000_000
"""The reference page's "less than 4MB", read as 4,000,000 bytes (the newer docs allow 20 MB)."""
MAX_BATCH_RECORDS = 10_000
MAX_KEY_LENGTH = 256
DELETED_AT = "_sdc_deleted_at"
RESERVED_PREFIXES = ("_sdc", "_rjm")
"""Stitch's own table and column prefixes (case-insensitive): destinations reject data
that uses them, after the Import API accepted it (Stitch's rejected-records guide)."""


def reserved(name: str) -> bool:
    return name.casefold().startswith(RESERVED_PREFIXES)


RESERVED_RULE = "must not start with _sdc or _rjm (Stitch's own prefixes, which destinations reject)"


class StitchConnection(BaseModel):
    """Where and as whom to push; pass it as a secret. Falls back to stack config
    (`stitchAccessToken`, `stitchClientId`, ...) and then `STITCH_ACCESS_TOKEN`, ..."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    access_token: str | None = None
    client_id: int | None = Field(default=None, ge=1000, le=999_999)
    region: Region | None = None
    base_url: str | None = None


def canonical(value: Any) -> Any:
    """JSON as the warehouse sees it: whole-number floats are integers (Pulumi carries
    every number as a float, so 10 and 10.0 must be the same)."""
    kind = type(value)
    if kind is str or kind is bool or kind is int or value is None:
        return value  # the common cases first: rows are mostly text
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, dict):
        return {k: canonical(v) for k, v in value.items()}
    if isinstance(value, list):
        return [canonical(v) for v in value]
    return value


def family(value: Any) -> str | None:
    """The column type a value shows: string, number, boolean, object, array (None: null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object" if isinstance(value, dict) else "array"


SAFE_INTEGER = 2**53
"""Pulumi carries every number as a 64-bit float: beyond this, whole numbers are rounded."""


def number_problem(value: Any, path: str, *, rounding: bool = True) -> str | None:
    """Why a number inside `value` cannot reach Stitch as written (naming its path), or
    None. NaN and infinities are not JSON (a JSON dump would turn them into null); whole
    numbers beyond 2^53 may already have been rounded on the way from the program."""
    if value is None or isinstance(value, str | bool):
        return None  # the common case, first
    if isinstance(value, float) and not math.isfinite(value):
        return (
            f"{path} is NaN or infinite: JSON has no such number, so Stitch cannot receive it "
            "(use null or a string)"
        )
    if rounding and isinstance(value, int | float) and abs(value) > SAFE_INTEGER:
        return (
            f"{path} is beyond 2^53: Pulumi carries numbers as 64-bit floats, which round such "
            "numbers, so it may not be the number the program wrote; send it as a string"
        )
    items: Any = (
        value.items() if isinstance(value, dict) else enumerate(value) if isinstance(value, list) else ()
    )
    for key, item in items:
        found = number_problem(
            item, f"{path}.{key}" if isinstance(value, dict) else f"{path}[{key}]", rounding=rounding
        )
        if found:
            return found
    return None


def warehouse_table(name: str) -> str:
    """The table a name most likely lands in: destinations fold case and turn other
    characters into `_` (Postgres `Plan Events` and `plan_events` are one table)."""
    return re.sub(r"[^0-9a-z]+", "_", name.casefold()).strip("_")


def upsert_record(
    client_id: int, table_name: str, key_names: list[str], sequence: int, data: dict[str, Any]
) -> dict[str, Any]:
    """One record as the reference's request body example shows it (reference lines 37-52)."""
    return {
        "client_id": client_id,
        "table_name": table_name,
        "sequence": sequence,
        "action": "upsert",
        "key_names": key_names,
        "data": data,
    }


def record_size(record: dict[str, Any]) -> int:
    return len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode())


def row_key(row: dict[str, Any], key_names: list[str]) -> str:
    return json.dumps([row[k] for k in key_names])


def _identity(row: dict[str, Any], key_names: list[str]) -> Any:
    """What makes two rows one row: their key values, told apart by JSON type (`1` and
    `true` differ), as cheaply as possible."""
    values = tuple(row[k] for k in key_names)
    if all(type(v) is str for v in values):
        return values
    return row_key(row, key_names)


class WarehouseTableInputs(ResourceInputs):
    connection: StitchConnection | None = None
    table_name: str = Field(min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")
    key_names: list[str] = Field(min_length=1)
    deleted_column: str = Field(default=DELETED_AT, min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")
    """The column a removed row is pushed again with, set to when it was removed. Stitch's
    own name for it is `_sdc_deleted_at`; choose another where the destination rejects
    `_sdc` columns sent through the Import API. Rows may not carry this column."""
    triggers: list[Any] = Field(default_factory=list)
    """Any values: when they change, every row is pushed again (an update, not a replace).
    The way back to a known state when the warehouse may differ from the stack's."""
    batch_max_bytes: int = Field(default=MAX_BATCH_BYTES, ge=10_000, le=20_000_000)
    batch_max_records: int = Field(default=MAX_BATCH_RECORDS, ge=1, le=20_000)
    rows: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("table_name")
    @classmethod
    def _table(cls, name: str) -> str:
        if reserved(name):
            raise ValueError(f"a table name {RESERVED_RULE}")
        return name

    @field_validator("key_names")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        if any(not k.strip() for k in keys) or len(set(keys)) != len(keys):
            raise ValueError("key names must be non-empty and unique")
        if any(reserved(k) for k in keys):
            raise ValueError(f"a key name {RESERVED_RULE}")
        return keys

    @field_validator("deleted_column")
    @classmethod
    def _deleted_column(cls, column: str, info: ValidationInfo) -> str:
        if column != DELETED_AT and reserved(column):
            raise ValueError(f"deleted_column {RESERVED_RULE}, except {DELETED_AT} itself")
        if column in (info.data.get("key_names") or []):
            raise ValueError(f"{column} is a key name: a removed row keeps its key, so choose another")
        return column

    @field_validator("triggers", "rows", mode="before")
    @classmethod
    def _canonical(cls, value: Any) -> Any:
        return canonical(value)

    @field_validator("triggers")
    @classmethod
    def _finite_triggers(cls, triggers: list[Any]) -> list[Any]:
        problem = number_problem(triggers, "triggers", rounding=False)
        if problem:
            raise ValueError(f"{problem}, and it would differ from itself on every apply")
        return triggers

    @field_validator("rows")
    @classmethod
    def _stitch_rules(cls, rows: list[dict[str, Any]], info: ValidationInfo) -> list[dict[str, Any]]:
        keys: list[str] = info.data.get("key_names") or []
        table = info.data.get("table_name") or ""
        deleted = info.data.get("deleted_column") or DELETED_AT
        limit = int(info.data.get("batch_max_bytes") or MAX_BATCH_BYTES)
        types: dict[str, tuple[str, int]] = {}
        seen: dict[Any, int] = {}
        named: set[str] = set()  # column names already checked (rows share them)
        # The row as the largest record it can become (a tombstone, the longest client id and
        # sequence), alone in a JSON array, must stay below the batch limit: the envelope's
        # size is the same for every row, so each row is serialised once. (The envelope's
        # empty data, "{}", stands for the array's two bytes, "[]".)
        fixed = record_size(upsert_record(999_999, table, keys, 2**63 - 1, {}))
        tombstone = len(f'{json.dumps(deleted, ensure_ascii=False)}:"2000-01-01T00:00:00.000Z"'.encode())
        for i, row in enumerate(rows):
            for column, value in row.items():
                if column not in named:
                    if not column or reserved(column):
                        raise ValueError(
                            f"rows[{i}].{column or '<empty>'}: a column name must be non-empty and "
                            + RESERVED_RULE
                        )
                    if column == deleted:
                        raise ValueError(
                            f"rows[{i}].{column}: this column marks removed rows (deleted_column); "
                            "a row of the program cannot carry it"
                        )
                    named.add(column)
                if value is None:
                    continue
                if type(value) is str:  # most values: no number inside, and the kind is known
                    kind = "string"
                else:
                    problem = number_problem(value, f"rows[{i}].{column}")
                    if problem:
                        raise ValueError(problem)
                    kind = str(family(value))
                first = types.get(column)
                if first is None:
                    types[column] = (kind, i)
                elif first[0] != kind:
                    raise ValueError(
                        f"rows[{i}].{column} is {kind}, but rows[{first[1]}].{column} is "
                        f"{first[0]}: a column keeps one type"
                    )
            for key in keys:
                if row.get(key) is None:
                    raise ValueError(f"rows[{i}].{key}: the primary key is missing or null")
                if isinstance(row[key], str) and len(row[key]) > MAX_KEY_LENGTH:
                    raise ValueError(
                        f"rows[{i}].{key}: a string primary key has at most {MAX_KEY_LENGTH} characters"
                    )
            if keys:
                identity = _identity(row, keys)
                if identity in seen:
                    raise ValueError(
                        f"rows[{i}] has the same key as rows[{seen[identity]}]: {row_key(row, keys)}"
                    )
                seen[identity] = i
            data = record_size(row)
            if fixed + data + tombstone + (1 if row else 0) >= limit:
                raise ValueError(f"rows[{i}] is too large for one batch (batches stay below {limit} bytes)")
        return rows
