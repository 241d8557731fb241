"""Rows for the warehouse, checked with Stitch's rules before anything is sent."""

from __future__ import annotations

import json
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator

from pulumi_taxonomy.core.provider import ResourceInputs

Region = Literal["us", "eu"]
MAX_BATCH_BYTES = 4_000_000
"""The reference page's 4 MB, read as 4,000,000 bytes (the newer docs allow 20 MB)."""
MAX_BATCH_RECORDS = 10_000
MAX_KEY_LENGTH = 256
DELETED_AT = "_sdc_deleted_at"
RESERVED_PREFIX = "_sdc_"


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
    if isinstance(value, float) and value.is_integer():
        return int(value)
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


def record_size(record: dict[str, Any]) -> int:
    return len(json.dumps(record, separators=(",", ":"), ensure_ascii=False).encode())


def row_key(row: dict[str, Any], key_names: list[str]) -> str:
    return json.dumps([row[k] for k in key_names])


class WarehouseTableInputs(ResourceInputs):
    connection: StitchConnection | None = None
    table_name: str = Field(min_length=1, max_length=255, pattern=r"^\S(.*\S)?$")
    key_names: list[str] = Field(min_length=1)
    batch_max_bytes: int = Field(default=MAX_BATCH_BYTES, ge=10_000, le=20_000_000)
    batch_max_records: int = Field(default=MAX_BATCH_RECORDS, ge=1, le=20_000)
    rows: list[dict[str, Any]] = Field(default_factory=list)

    @field_validator("key_names")
    @classmethod
    def _keys(cls, keys: list[str]) -> list[str]:
        if any(not k.strip() for k in keys) or len(set(keys)) != len(keys):
            raise ValueError("key names must be non-empty and unique")
        return keys

    @field_validator("rows", mode="before")
    @classmethod
    def _canonical(cls, rows: Any) -> Any:
        return canonical(rows)

    @field_validator("rows")
    @classmethod
    def _stitch_rules(cls, rows: list[dict[str, Any]], info: ValidationInfo) -> list[dict[str, Any]]:
        keys: list[str] = info.data.get("key_names") or []
        limit = int(info.data.get("batch_max_bytes") or MAX_BATCH_BYTES)
        types: dict[str, tuple[str, int]] = {}
        seen: dict[str, int] = {}
        for i, row in enumerate(rows):
            for column, value in row.items():
                if not column or column.startswith(RESERVED_PREFIX):
                    raise ValueError(
                        f"rows[{i}].{column or '<empty>'}: column names must be non-empty and not "
                        f"start with {RESERVED_PREFIX} (Stitch's own columns)"
                    )
                kind = family(value)
                if kind is not None:
                    first = types.setdefault(column, (kind, i))
                    if first[0] != kind:
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
                identity = row_key(row, keys)
                if identity in seen:
                    raise ValueError(f"rows[{i}] has the same key as rows[{seen[identity]}]: {identity}")
                seen[identity] = i
            if record_size(row) + 200 > limit:
                raise ValueError(f"rows[{i}] is larger than one batch may be ({limit} bytes)")
        return rows
