"""The emulated RudderStack workspace: tracking plans, their events with properties,
and source connections, with the Data Catalog API's documented rules.

No HTTP here. Errors are `RudderStackError(status, message)`; RudderStack answers
most of them as 400 with `{"error": "..."}`. Choices where the reference is silent are
marked [I] and listed in docs/sandbox-behaviour.md. Where the vendor may plausibly do
otherwise, a `Variant` switches the sandbox to that reading, so tests prove the client
works with both.
"""

from __future__ import annotations

import json
import re
import sqlite3
from datetime import datetime, timezone
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from pulumi_taxonomy.sandbox.ids import ksuid, prefixed
from pulumi_taxonomy.sandbox.store import Store

Json = dict[str, Any]

SCHEMA = """
CREATE TABLE IF NOT EXISTS rs_plan (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
-- Catalog events are shared by plans; a plan holds an event with its own property set.
CREATE TABLE IF NOT EXISTS rs_event (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    event_type TEXT NOT NULL,
    description TEXT,
    category_id TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (name, event_type)
);
CREATE TABLE IF NOT EXISTS rs_plan_event (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    plan_id TEXT NOT NULL REFERENCES rs_plan(id) ON DELETE CASCADE,
    event_id TEXT NOT NULL REFERENCES rs_event(id),
    identity_section TEXT NOT NULL,
    properties TEXT NOT NULL,
    UNIQUE (plan_id, event_id)
);
CREATE TABLE IF NOT EXISTS rs_property (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    type TEXT NOT NULL,
    prop_config TEXT NOT NULL,
    UNIQUE (name, type)
);
CREATE TABLE IF NOT EXISTS rs_source (id TEXT PRIMARY KEY, name TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS rs_connection (
    plan_id TEXT NOT NULL REFERENCES rs_plan(id) ON DELETE CASCADE,
    source_id TEXT NOT NULL UNIQUE REFERENCES rs_source(id),
    config TEXT NOT NULL,
    PRIMARY KEY (plan_id, source_id)
);
"""

WORKSPACE_ID = "1hitizAoFT91DD6rfFhBjiTex3e"
USER_ID = "2KDKycoVHAOLttVvzBiqw12O3Hr"
PAGE_SIZE = 50
MAX_PAGES = 50
EVENT_TYPES = ("track", "identify", "group", "page", "screen")
PROPERTY_TYPES = ("string", "integer", "number", "object", "array", "boolean", "null")
IDENTITY_SECTIONS = ("properties", "traits", "context.traits")
NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_,\-. ]{2,64}$")
PROPERTY_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_ ]*$")
CONFIG_KEYS = {
    "track": {
        "allowUnplannedEvents",
        "unplannedProperties",
        "anyOtherViolation",
        "propagateValidationErrors",
    },
    "global": {
        "allowUnplannedEvents",
        "unplannedProperties",
        "anyOtherViolation",
        "propagateValidationErrors",
    },
    **{
        t: {"unplannedProperties", "anyOtherViolation", "propagateValidationErrors"}
        for t in ("identify", "group", "page", "screen")
    },
}
CONFIG_VALUES = {
    "allowUnplannedEvents": ("true", "false"),
    "propagateValidationErrors": ("true", "false"),
    "unplannedProperties": ("forward", "drop"),
    "anyOtherViolation": ("forward", "drop"),
}
# JSON-Schema keywords accepted in propConfig, with the JSON type their value must have [I].
KEYWORDS: dict[str, tuple[type, ...]] = {
    "enum": (list,),
    "const": (str, int, float, bool),
    "pattern": (str,),
    "format": (str,),
    "minLength": (int,),
    "maxLength": (int,),
    "minimum": (int, float),
    "maximum": (int, float),
    "exclusiveMinimum": (int, float),
    "exclusiveMaximum": (int, float),
    "multipleOf": (int, float),
    "minItems": (int,),
    "maxItems": (int,),
    "uniqueItems": (bool,),
    "items": (dict,),
}
DOCUMENTED_SOURCES = ("2nk0qVvmxE79uIwsKebgVH4iNTR", "2rL1XeHCG8P8OrMHnHx4WjMjuTo")
SANDBOX_SOURCE = "2sandboxAndroidAppSource001"  # a KSUID's shape: 27 base62 characters
# What a lean read-back keeps of a property: what rudder-iac models of one
# (api/client/catalog/trackingplans.go `TrackingPlanEventProperty`).
LEAN_PROPERTY_KEYS = ("name", "required", "additionalProperties", "properties")


class Variant(BaseModel):
    """Readings of the reference the vendor may follow instead of the sandbox's default;
    `POST /_sandbox/rudderstack/variant` switches them (a reset restores the defaults)."""

    model_config = ConfigDict(extra="forbid")

    total: Literal["page", "plan"] = "page"
    """`total` of an event page: the entries in this response (the reference's words) or
    every event of the plan (how rudder-iac reads it)."""
    page_param: Literal["honoured", "ignored"] = "honoured"
    """`ignored`: every event list answers page 1, whatever `page` asks."""
    readback: Literal["full", "lean"] = "full"
    """`lean`: event lists carry no properties (as in the reference's example), and a
    property read back carries only id, name, required, additionalProperties and nested
    properties (what rudder-iac models): no type, propConfig, description, metadata."""
    unique_plan_names: bool = True
    """False: two plans may share a name (the reference never says they may not)."""
    order: Literal["added", "name"] = "added"
    """The order of event lists (the reference does not say): as the events were added
    to the plan, or by name (a new event then may land on any page)."""


class RudderStackError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _bad(message: str) -> RudderStackError:
    return RudderStackError(400, message)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def check_name(value: object, what: str) -> str:
    if not isinstance(value, str) or not NAME_RE.match(value):
        raise _bad(
            f"{what} name must be between 3 and 65 characters, start with a letter and contain only "
            "letters, numbers, underscores, commas, spaces, dashes and dots"
        )
    return value


def _check_text(value: object, what: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _bad(f"{what} must be a string")
    if len(value) > 2000:
        raise _bad(f"{what} must be at most 2000 characters")
    return value


def check_properties(props: object, path: str = "properties", nested: bool = False) -> list[Json]:
    """Validate a `properties` array as the upsert endpoint does; returns it as given."""
    if not isinstance(props, list) or (not props and not nested):
        raise _bad(f"{path} cannot be empty")
    names: set[str] = set()
    for i, prop in enumerate(props):
        where = f"{path}[{i}]"
        if not isinstance(prop, dict):
            raise _bad(f"{where} must be an object")
        unknown = set(prop) - {
            "name",
            "description",
            "type",
            "propConfig",
            "required",
            "additionalProperties",
            "metadata",
            "properties",
        }
        if unknown:
            raise _bad(f"{where} has unknown fields: {', '.join(sorted(unknown))}")
        name = prop.get("name")
        if not isinstance(name, str) or not PROPERTY_NAME_RE.match(name):
            raise _bad(
                f"{where}.name must start with a letter and contain only letters, numbers, "
                "underscores and spaces"
            )
        if name in names:
            raise _bad(f"{where}.name {name!r} is duplicated")
        names.add(name)
        _check_text(prop.get("description"), f"{where}.description")
        types = property_types(prop.get("type", ""), where)
        config = prop.get("propConfig", {})
        if not isinstance(config, dict):
            raise _bad(f"{where}.propConfig must be an object")
        for keyword, value in config.items():
            if keyword not in KEYWORDS:
                raise _bad(f"{where}.propConfig: unsupported keyword {keyword!r}")
            if not isinstance(value, KEYWORDS[keyword]) or (
                isinstance(value, bool) and bool not in KEYWORDS[keyword]
            ):
                raise _bad(f"{where}.propConfig.{keyword} has the wrong type")
            if keyword == "pattern":
                try:
                    re.compile(str(value))
                except re.error as exc:
                    raise _bad(f"{where}.propConfig.pattern does not compile: {exc}") from None
        for flag in ("required", "additionalProperties"):
            if flag in prop and not isinstance(prop[flag], bool):
                raise _bad(f"{where}.{flag} must be a boolean")
        if "metadata" in prop and not isinstance(prop["metadata"], dict):
            raise _bad(f"{where}.metadata must be an object")
        if "properties" in prop:
            if not {"object", "array"} & set(types):
                raise _bad(f"{where}.properties: nested properties need type object or array")
            check_properties(prop["properties"], f"{where}.properties", nested=True)
        elif "additionalProperties" in prop:
            raise _bad(
                f"{where}.additionalProperties only applies to objects and arrays with nested properties"
            )
    return props


def property_types(value: object, where: str) -> list[str]:
    """`type` is one type, several separated by commas (multi data type), or empty (any)."""
    if not isinstance(value, str):
        raise _bad(f"{where}.type must be a string")
    types = [t.strip() for t in value.split(",") if t.strip()]
    for t in types:
        if t not in PROPERTY_TYPES:
            raise _bad(f"{where}.type {t!r} is not one of {', '.join(PROPERTY_TYPES)}")
    return types


def check_config(config: object) -> Json:
    """Validate a connection config; booleans may come as JSON booleans or strings and
    are stored as the vendor's strings."""
    if not isinstance(config, dict) or not config:
        raise _bad("Empty or incorrect config object")
    normalized: Json = {}
    for event_type, settings in config.items():
        if event_type not in CONFIG_KEYS:
            raise _bad(f"Empty or incorrect config object: unknown event type {event_type!r}")
        if not isinstance(settings, dict) or not settings:
            raise _bad(f"Empty or incorrect config object: {event_type} must define at least one setting")
        out: dict[str, str] = {}
        for key, value in settings.items():
            if key not in CONFIG_KEYS[event_type]:
                raise _bad(f"Empty or incorrect config object: {key} does not apply to {event_type}")
            text = ("true" if value else "false") if isinstance(value, bool) else value
            if text not in CONFIG_VALUES[key]:
                raise _bad(
                    f"Empty or incorrect config object: {event_type}.{key} must be one of "
                    f"{', '.join(CONFIG_VALUES[key])}"
                )
            out[key] = text
        normalized[event_type] = out
    return normalized


def properties_to_rules(props: list[Json], identity_section: str) -> Json:
    """The `format=schema` view of an event: its properties as a JSON schema."""

    def schema(items: list[Json]) -> Json:
        body: Json = {"type": "object", "properties": {}}
        required = []
        for prop in items:
            types = [t.strip() for t in str(prop.get("type", "")).split(",") if t.strip()]
            entry: Json = dict(prop.get("propConfig", {}))
            if types:
                entry["type"] = types
            if "properties" in prop:
                nested = schema(prop["properties"])
                entry["properties"] = nested["properties"]
                if nested.get("required"):
                    entry["required"] = nested["required"]
            if "additionalProperties" in prop:
                entry["additionalProperties"] = prop["additionalProperties"]
            body["properties"][prop["name"]] = entry
            if prop.get("required"):
                required.append(prop["name"])
        if required:
            body["required"] = required
        return body

    section = schema(props)
    return {
        "$schema": "http://json-schema.org/draft-07/schema#",
        "type": "object",
        "properties": {identity_section: section},
    }


def rules_to_properties(rules: object, identity_section: str) -> list[Json]:
    """Read the PATCH variant's `rules` back into the properties format."""
    if not isinstance(rules, dict) or not rules:
        raise _bad("rules cannot be empty")
    section = (
        rules.get("properties", {}).get(identity_section)
        if isinstance(rules.get("properties"), dict)
        else None
    )
    if not isinstance(section, dict) or not isinstance(section.get("properties"), dict):
        raise _bad(f"rules must describe properties.{identity_section}.properties")

    def props(body: Json) -> list[Json]:
        required = set(body.get("required", []))
        out: list[Json] = []
        for name, raw in body.get("properties", {}).items():
            if not isinstance(raw, dict):
                raise _bad(f"rules: property {name!r} must be an object")
            keywords = dict(raw)
            types = keywords.pop("type", [])
            prop: Json = {"name": name, "type": ",".join(types if isinstance(types, list) else [types])}
            nested = keywords.pop("properties", None)
            nested_required = keywords.pop("required", [])
            if "additionalProperties" in keywords:
                prop["additionalProperties"] = keywords.pop("additionalProperties")
            prop["propConfig"] = keywords
            prop["required"] = name in required
            if nested is not None:
                prop["properties"] = props({"properties": nested, "required": nested_required})
            out.append(prop)
        return out

    return props(section)


def _lean(props: list[Json]) -> list[Json]:
    out = []
    for prop in props:
        item = {"id": prop["id"], **{k: prop[k] for k in LEAN_PROPERTY_KEYS if k in prop}}
        if "properties" in prop:
            item["properties"] = _lean(prop["properties"])
        out.append(item)
    return out


class RudderStackWorkspace:
    def __init__(self, store: Store) -> None:
        self.store = store
        self.variant = Variant()
        store.apply_schema(SCHEMA)

    def clear(self, conn: sqlite3.Connection) -> None:
        for table in ("rs_connection", "rs_plan_event", "rs_property", "rs_event", "rs_plan", "rs_source"):
            conn.execute(f"DELETE FROM {table}")
        for i, source in enumerate((*DOCUMENTED_SOURCES, SANDBOX_SOURCE)):
            conn.execute("INSERT INTO rs_source (id, name) VALUES (?, ?)", (source, f"Source {i + 1}"))
        self.variant = Variant()

    def set_variant(self, changes: Json) -> Variant:
        self.variant = Variant.model_validate({**self.variant.model_dump(), **changes})
        return self.variant

    # -- sources (not an API of the reference: the sandbox's own fixture) -------------

    def add_source(self, name: str) -> str:
        source_id = ksuid()
        with self.store.transaction() as conn:
            conn.execute("INSERT INTO rs_source (id, name) VALUES (?, ?)", (source_id, name))
        return source_id

    def list_sources(self) -> list[Json]:
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT id, name FROM rs_source ORDER BY rowid").fetchall()
        return [{"id": r["id"], "name": r["name"]} for r in rows]

    # -- tracking plans ---------------------------------------------------------------

    @staticmethod
    def _plan_json(row: sqlite3.Row) -> Json:
        return {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "version": row["version"],
            "workspaceId": WORKSPACE_ID,
            "creationType": "Data catalog API",
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
        }

    def _plan(self, conn: sqlite3.Connection, plan_id: str, status: int = 400) -> sqlite3.Row:
        row: sqlite3.Row | None = conn.execute("SELECT * FROM rs_plan WHERE id = ?", (plan_id,)).fetchone()
        if row is None:
            raise RudderStackError(status, f"Tracking plan with id {plan_id} not found")
        return row

    def create_plan(self, name: object, description: object) -> Json:
        check_name(name, "Tracking plan")
        _check_text(description, "description")
        with self.store.transaction() as conn:
            unique = self.variant.unique_plan_names
            if unique and conn.execute("SELECT 1 FROM rs_plan WHERE name = ?", (name,)).fetchone():
                raise _bad(f"Tracking plan with name {name} already exists")
            plan_id, now = prefixed("tp"), _now()
            try:
                conn.execute(
                    "INSERT INTO rs_plan (id, name, description, version, created_at, updated_at) "
                    "VALUES (?, ?, ?, 1, ?, ?)",
                    (plan_id, name, description, now, now),
                )
            except sqlite3.IntegrityError:  # a database file made before names could repeat
                raise _bad(f"Tracking plan with name {name} already exists") from None
            return self._plan_json(self._plan(conn, plan_id))

    def list_plans(self) -> list[Json]:
        with self.store.transaction() as conn:
            return [self._plan_json(r) for r in conn.execute("SELECT * FROM rs_plan ORDER BY created_at, id")]

    def get_plan(self, plan_id: str) -> Json:
        with self.store.transaction() as conn:
            return self._plan_json(self._plan(conn, plan_id, status=404))

    def update_plan(self, plan_id: str, body: Json) -> Json:
        if "name" not in body and "description" not in body:
            raise _bad("At least one of name or description is required")
        if "name" in body:
            check_name(body["name"], "Tracking plan")
        _check_text(body.get("description"), "description")
        with self.store.transaction() as conn:
            row = self._plan(conn, plan_id)
            name = body.get("name", row["name"])
            clash = conn.execute(
                "SELECT id FROM rs_plan WHERE name = ? AND id != ?", (name, plan_id)
            ).fetchone()
            if clash and self.variant.unique_plan_names:
                raise _bad(f"Tracking plan with name {name} already exists")
            conn.execute(
                "UPDATE rs_plan SET name = ?, description = ?, version = version + 1, updated_at = ? "
                "WHERE id = ?",
                (name, body.get("description", row["description"]), _now(), plan_id),
            )
            return self._plan_json(self._plan(conn, plan_id))

    def delete_plan(self, plan_id: str) -> Json:
        with self.store.transaction() as conn:
            body = self._plan_json(self._plan(conn, plan_id))
            conn.execute("DELETE FROM rs_plan WHERE id = ?", (plan_id,))
        body.pop("id")
        return {**body, "createdBy": USER_ID, "updatedBy": None, "events": []}

    def _bump(self, conn: sqlite3.Connection, plan_id: str) -> Json:
        conn.execute(
            "UPDATE rs_plan SET version = version + 1, updated_at = ? WHERE id = ?", (_now(), plan_id)
        )
        return self._plan_json(self._plan(conn, plan_id))

    # -- plan events ----------------------------------------------------------------

    def upsert_event(self, plan_id: str, body: Json, rules_variant: bool = False) -> Json:
        allowed = {
            "name",
            "description",
            "eventType",
            "categoryId",
            "identitySection",
            "rules" if rules_variant else "properties",
        }
        unknown = set(body) - allowed
        if unknown:
            raise _bad(f"Unknown fields: {', '.join(sorted(unknown))}")
        event_type = body.get("eventType")
        if event_type not in EVENT_TYPES:
            raise _bad(f"eventType must be one of {', '.join(EVENT_TYPES)}")
        name = body.get("name")
        if event_type == "track":
            check_name(name, "Event")
        elif name != "":
            raise _bad("For non-track events, the name should be an empty string")
        description = _check_text(body.get("description"), "description")
        category = body.get("categoryId")
        if category is not None and (not isinstance(category, str) or not category.strip()):
            raise _bad("categoryId should be a valid, non-empty string")
        section = body.get(
            "identitySection", "properties" if event_type in ("track", "page", "screen") else "traits"
        )
        if section not in IDENTITY_SECTIONS:
            raise _bad(f"identitySection must be one of {', '.join(IDENTITY_SECTIONS)}")
        props = rules_to_properties(body.get("rules"), section) if rules_variant else body.get("properties")
        check_properties(props)
        assert isinstance(props, list)
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            self._check_catalog_properties(conn, plan_id, str(name), event_type, props)
            now = _now()
            event = conn.execute(
                "SELECT * FROM rs_event WHERE name = ? AND event_type = ?", (name, event_type)
            ).fetchone()
            if event is None:
                event_id = prefixed("ev")
                conn.execute(
                    "INSERT INTO rs_event (id, name, event_type, description, category_id, created_at, "
                    "updated_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    (event_id, name, event_type, description, category, now, now),
                )
            else:
                event_id = event["id"]
                conn.execute(
                    "UPDATE rs_event SET description = ?, category_id = ?, updated_at = ? WHERE id = ?",
                    (description, category, now, event_id),
                )
            stored = json.dumps(props)
            updated = conn.execute(
                "UPDATE rs_plan_event SET identity_section = ?, properties = ? "
                "WHERE plan_id = ? AND event_id = ?",
                (section, stored, plan_id, event_id),
            ).rowcount
            if not updated:
                conn.execute(
                    "INSERT INTO rs_plan_event (plan_id, event_id, identity_section, properties) "
                    "VALUES (?, ?, ?, ?)",
                    (plan_id, event_id, section, stored),
                )
            return self._bump(conn, plan_id)

    def _check_catalog_properties(
        self, conn: sqlite3.Connection, plan_id: str, name: str, event_type: str, props: list[Json]
    ) -> None:
        """A catalog property (name + type) has one set of advanced rules; an event may
        only change them when no other event uses the property [I]."""
        for prop in props:
            key = (prop["name"], str(prop.get("type", "")))
            config = json.dumps(prop.get("propConfig", {}), sort_keys=True)
            row = conn.execute("SELECT * FROM rs_property WHERE name = ? AND type = ?", key).fetchone()
            if row is None:
                conn.execute(
                    "INSERT INTO rs_property (id, name, type, prop_config) VALUES (?, ?, ?, ?)",
                    (prefixed("prop"), *key, config),
                )
                continue
            if json.loads(row["prop_config"]) == json.loads(config):  # by value: 0 and 0.0 are equal
                continue
            if self._property_used_elsewhere(conn, plan_id, name, event_type, key):
                raise _bad(
                    f"Property with name [{key[0]}] and type [{key[1]}] already exists with different "
                    "advanced keywords."
                )
            conn.execute("UPDATE rs_property SET prop_config = ? WHERE id = ?", (config, row["id"]))

    @staticmethod
    def _property_used_elsewhere(
        conn: sqlite3.Connection, plan_id: str, name: str, event_type: str, key: tuple[str, str]
    ) -> bool:
        rows = conn.execute(
            "SELECT pe.plan_id, e.name, e.event_type, pe.properties FROM rs_plan_event pe "
            "JOIN rs_event e ON e.id = pe.event_id"
        ).fetchall()
        for row in rows:
            if (row["plan_id"], row["name"], row["event_type"]) == (plan_id, name, event_type):
                continue
            for prop in json.loads(row["properties"]):
                if (prop["name"], str(prop.get("type", ""))) == key:
                    return True
        return False

    def _catalog_ids(self, conn: sqlite3.Connection, props: list[Json]) -> list[Json]:
        out = []
        for prop in props:
            row = conn.execute(
                "SELECT id FROM rs_property WHERE name = ? AND type = ?",
                (prop["name"], str(prop.get("type", ""))),
            ).fetchone()
            item = {"id": row["id"] if row else None, **prop}
            if "properties" in prop:
                item["properties"] = self._catalog_ids(conn, prop["properties"])
            out.append(item)
        return out

    def _event_json(self, conn: sqlite3.Connection, row: sqlite3.Row, fmt: str | None) -> Json:
        props = json.loads(row["properties"])
        body: Json = {
            "id": row["id"],
            "name": row["name"],
            "description": row["description"],
            "eventType": row["event_type"],
            "categoryId": row["category_id"],
            "workspaceId": WORKSPACE_ID,
            "createdBy": USER_ID,
            "updatedBy": None,
            "createdAt": row["created_at"],
            "updatedAt": row["updated_at"],
            "identitySection": row["identity_section"],
            "additionalProperties": True,
        }
        if fmt == "properties":
            body["properties"] = self._catalog_ids(conn, props)
            if self.variant.readback == "lean":
                body["properties"] = _lean(body["properties"])
        elif fmt == "schema":
            body["rules"] = properties_to_rules(props, row["identity_section"])
        return body

    _EVENT_SELECT = (
        "SELECT e.*, pe.identity_section, pe.properties, pe.seq FROM rs_plan_event pe "
        "JOIN rs_event e ON e.id = pe.event_id WHERE pe.plan_id = ?"
    )

    def list_events(self, plan_id: str, page: object) -> Json:
        try:
            number = int(str(page)) if page is not None else 1
        except ValueError:
            raise _bad("page must be a positive integer") from None
        if number < 1:
            raise _bad("page must be a positive integer")
        if number > MAX_PAGES:
            raise _bad(f"page must be at most {MAX_PAGES}")
        if self.variant.page_param == "ignored":
            number = 1
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            total = conn.execute(
                "SELECT COUNT(*) FROM rs_plan_event WHERE plan_id = ?", (plan_id,)
            ).fetchone()[0]
            rows = conn.execute(
                self._EVENT_SELECT
                + (" ORDER BY e.name, pe.seq" if self.variant.order == "name" else " ORDER BY pe.seq")
                + " LIMIT ? OFFSET ?",
                (plan_id, PAGE_SIZE, (number - 1) * PAGE_SIZE),
            ).fetchall()
            # The list carries each event's properties, as `format=properties` does [I];
            # the lean variant leaves them out, as the reference's example does.
            lean = self.variant.readback == "lean"
            data = [self._event_json(conn, r, None if lean else "properties") for r in rows]
        # "Total number of entries in the response" (the reference), unless told otherwise.
        count = len(data) if self.variant.total == "page" else total
        return {"data": data, "total": count, "currentPage": number, "pageSize": PAGE_SIZE}

    def get_event(self, plan_id: str, event_id: str, fmt: str | None) -> Json:
        fmt = fmt or "schema"
        if fmt not in ("schema", "properties"):
            raise _bad("format must be schema or properties")
        with self.store.transaction() as conn:
            self._plan(conn, plan_id, status=404)
            row = conn.execute(self._EVENT_SELECT + " AND e.id = ?", (plan_id, event_id)).fetchone()
            if row is None:
                raise RudderStackError(404, f"Tracking plan event with id {event_id} not found")
            return self._event_json(conn, row, fmt)

    def delete_event(self, plan_id: str, event_id: str) -> None:
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            deleted = conn.execute(
                "DELETE FROM rs_plan_event WHERE plan_id = ? AND event_id = ?", (plan_id, event_id)
            ).rowcount
            if not deleted:
                raise _bad(f"Event with id {event_id} not found in tracking plan {plan_id}")
            self._bump(conn, plan_id)

    # -- source connections ----------------------------------------------------------

    def _source(self, conn: sqlite3.Connection, source_id: str) -> None:
        if conn.execute("SELECT 1 FROM rs_source WHERE id = ?", (source_id,)).fetchone() is None:
            raise _bad("Invalid source ID")

    def connect(self, plan_id: str, source_id: str, body: object) -> Json:
        config = check_config(body.get("config") if isinstance(body, dict) else None)
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            self._source(conn, source_id)
            current = conn.execute(
                "SELECT plan_id FROM rs_connection WHERE source_id = ?", (source_id,)
            ).fetchone()
            if current is not None and current["plan_id"] == plan_id:
                raise _bad("Source already connected to tracking plan")
            if current is not None:
                raise _bad(f"Source is already connected to another tracking plan ({current['plan_id']})")
            conn.execute(
                "INSERT INTO rs_connection (plan_id, source_id, config) VALUES (?, ?, ?)",
                (plan_id, source_id, json.dumps(config)),
            )
        return {"sourceId": source_id, "trackingPlanId": plan_id, "config": config}

    def update_connection(self, plan_id: str, source_id: str, body: object) -> Json:
        config = check_config(body.get("config") if isinstance(body, dict) else None)
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            self._source(conn, source_id)
            updated = conn.execute(
                "UPDATE rs_connection SET config = ? WHERE plan_id = ? AND source_id = ?",
                (json.dumps(config), plan_id, source_id),
            ).rowcount
            if not updated:
                raise _bad("Source is not connected to tracking plan")
        return {"config": config}

    def list_connections(self, plan_id: str) -> Json:
        with self.store.transaction() as conn:
            self._plan(conn, plan_id, status=404)
            rows = conn.execute("SELECT * FROM rs_connection WHERE plan_id = ? ORDER BY rowid", (plan_id,))
            return {
                "connections": [
                    {"sourceId": r["source_id"], "trackingPlanId": plan_id, "config": json.loads(r["config"])}
                    for r in rows
                ]
            }

    def disconnect(self, plan_id: str, source_id: str) -> None:
        with self.store.transaction() as conn:
            self._plan(conn, plan_id)
            self._source(conn, source_id)
            deleted = conn.execute(
                "DELETE FROM rs_connection WHERE plan_id = ? AND source_id = ?", (plan_id, source_id)
            ).rowcount
            if not deleted:
                raise _bad("Source already disconnected from tracking plan.")
