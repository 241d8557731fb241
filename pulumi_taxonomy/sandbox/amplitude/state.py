"""The emulated Amplitude project: its taxonomy and the rules the vendor documents.

No HTTP here: methods take plain values and return JSON-ready dicts, or raise
`AmplitudeError` with the status and message the vendor would answer. Where the
docs are silent the behaviour chosen is marked [I] and listed in
docs/sandbox-behaviour.md.

Lifecycle of events and properties, as Amplitude describes it:
  planned    in the tracking plan, never seen in data  (planned=1, ingested=0)
  live       in the plan and seen in data              (planned=1, ingested=1)
  unexpected seen in data, not in the plan             (planned=0, ingested=1)
  deleted    soft-deleted; restorable                  (deleted=1)
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass
from typing import Any, Literal

from pulumi_taxonomy.sandbox.amplitude.models import (
    GROUP_PREFIX,
    MAX_CATEGORY_ID,
    MAX_DESCRIPTION_LENGTH,
    MAX_NAME_LENGTH,
    USER_PREFIX,
    EventAttrs,
    EventChanges,
    ProjectSettings,
    PropertyAttrs,
    PropertyChanges,
)
from pulumi_taxonomy.sandbox.store import Store

Json = dict[str, Any]
PropertyKind = Literal["event", "user", "group"]
OverrideScope = Literal["override", "shared"]

SCHEMA = """
CREATE TABLE IF NOT EXISTS amp_category (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS amp_event (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE,
    category_id INTEGER REFERENCES amp_category(id) ON DELETE SET NULL,
    attrs TEXT NOT NULL,
    planned INTEGER NOT NULL,
    ingested INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    hidden INTEGER NOT NULL DEFAULT 0,
    transformed INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS amp_group_type (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL UNIQUE
);
CREATE TABLE IF NOT EXISTS amp_property (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL CHECK (kind IN ('event', 'user', 'group')),
    name TEXT NOT NULL,
    attrs TEXT NOT NULL,
    planned INTEGER NOT NULL,
    ingested INTEGER NOT NULL,
    deleted INTEGER NOT NULL DEFAULT 0,
    builtin INTEGER NOT NULL DEFAULT 0,
    UNIQUE (kind, name)
);
-- A property attached to an event (or group type), optionally with overridden attributes.
CREATE TABLE IF NOT EXISTS amp_property_link (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    property_id INTEGER NOT NULL REFERENCES amp_property(id) ON DELETE CASCADE,
    parent_id INTEGER NOT NULL,
    override TEXT,
    UNIQUE (property_id, parent_id)
);
"""

FIRST_CATEGORY_ID = 412930
SETTINGS_KEY = "amplitude_project"

BUILTIN_USER_PROPERTIES = (
    "device_id",
    "event_id",
    "amplitude_id",
    "location_lat",
    "location_lng",
    "server_upload_time",
    "session_id",
    "user_id",
    "country",
    "city",
    "platform",
)


class AmplitudeError(Exception):
    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _not_found() -> AmplitudeError:
    return AmplitudeError(400, "Not found")


def _conflict(message: str) -> AmplitudeError:
    return AmplitudeError(409, message)


def _bad_request(message: str) -> AmplitudeError:
    return AmplitudeError(400, message)


def _missing_entity(entity: str, key: str, value: object) -> AmplitudeError:
    return _conflict(f'Attempted to operate on entity {entity}, {key} "{value}", that does not exist.')


def _refuse_existing(row: sqlite3.Row | None, what: str, name: str) -> None:
    """Creating what exists: a deleted item must be restored, a planned one is a
    duplicate; one only seen in data (unexpected) may be created, which plans it [I].

    A deleted item gets the same answer as a live one: the docs say only that it is a
    409 and that restore is the fix, so a client must find out by looking [I]."""
    if row is None:
        return
    if row["deleted"] or row["planned"]:
        raise _conflict(f'Attempted to add {what}, "{name}", that already exists.')


def check_name(param: str, name: str) -> str:
    if not name.strip():
        raise _bad_request(f"Missing required parameter: {param}")
    if len(name) > MAX_NAME_LENGTH:
        raise _bad_request(f"{param} is longer than {MAX_NAME_LENGTH} characters")
    if any(ord(c) < 32 for c in name):
        raise _bad_request(f"{param} contains control characters")
    return name


def _check_text(param: str, value: str | None) -> None:
    if value is not None and len(value) > MAX_DESCRIPTION_LENGTH:
        raise _bad_request(f"{param} is longer than {MAX_DESCRIPTION_LENGTH} characters")


def _check_property_changes(changes: PropertyChanges) -> None:
    _check_text("description", changes.description)
    if changes.regex:
        try:
            re.compile(changes.regex)
        except re.error as exc:
            raise _bad_request(f'Invalid regex "{changes.regex}": {exc}') from None


def _enum_text(values: list[str]) -> str | None:
    return ",".join(values) if values else None


@dataclass(frozen=True)
class _Scope:
    """What differs between event properties (parent: event) and group properties."""

    kind: Literal["event", "group"]
    noun: str  # "event property"
    parent_noun: str  # "event"
    name_field: str  # response field of the property name
    parent_field: str  # response field of the parent name
    prefix: str  # custom-name prefix ("" for event properties)

    @property
    def article(self) -> str:
        return "an" if self.noun[0] in "aeiou" else "a"


EVENT_SCOPE = _Scope("event", "event property", "event", "event_property", "event_type", "")
GROUP_SCOPE = _Scope("group", "group property", "group type", "group_property", "group_type", GROUP_PREFIX)


class AmplitudeTaxonomy:
    def __init__(self, store: Store) -> None:
        self.store = store
        store.apply_schema(SCHEMA)

    # -- whole project -------------------------------------------------------------

    def settings(self) -> ProjectSettings:
        raw = self.store.get_meta(SETTINGS_KEY)
        return ProjectSettings() if raw is None else ProjectSettings.model_validate_json(raw)

    def configure(self, settings: ProjectSettings) -> None:
        with self.store.transaction() as conn:
            self.store.set_meta(conn, SETTINGS_KEY, settings.model_dump_json())

    def require_data_access_controls(self) -> None:
        """`classifications` are "only available if Data Access Controls is enabled" [D]."""
        if not self.settings().data_access_controls:
            raise _conflict(
                "Attempted to set classifications, but Data Access Controls is not enabled for this account."
            )

    def clear(self, conn: sqlite3.Connection) -> None:
        self.store.set_meta(conn, SETTINGS_KEY, ProjectSettings().model_dump_json())
        tables = ("amp_property_link", "amp_property", "amp_event", "amp_group_type", "amp_category")
        for table in tables:
            conn.execute(f"DELETE FROM {table}")
        # Category ids look like Amplitude's (six digits) and start over after a reset.
        conn.execute("DELETE FROM sqlite_sequence WHERE name LIKE 'amp_%'")
        conn.execute(
            "INSERT INTO sqlite_sequence (name, seq) VALUES ('amp_category', ?)", (FIRST_CATEGORY_ID,)
        )
        for name in BUILTIN_USER_PROPERTIES:
            self._insert_property(
                conn, "user", name, PropertyAttrs(), planned=True, ingested=True, builtin=True
            )

    # -- categories ----------------------------------------------------------------

    def list_categories(self) -> list[Json]:
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT id, name FROM amp_category ORDER BY id").fetchall()
        return [{"id": r["id"], "name": r["name"]} for r in rows]

    def get_category(self, name: str) -> Json:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT id, name FROM amp_category WHERE name = ?", (name,)).fetchone()
        if row is None:
            raise _not_found()
        return {"id": row["id"], "name": row["name"]}

    def create_category(self, name: str) -> None:
        check_name("category_name", name)
        with self.store.transaction() as conn:
            if conn.execute("SELECT 1 FROM amp_category WHERE name = ?", (name,)).fetchone():
                raise _conflict(f'Attempted to add an event category, "{name}", that already exists.')
            conn.execute("INSERT INTO amp_category (name) VALUES (?)", (name,))

    def rename_category(self, category_id: str, name: str) -> None:
        check_name("category_name", name)
        with self.store.transaction() as conn:
            row = self._category_by_id(conn, category_id)
            clash = conn.execute("SELECT id FROM amp_category WHERE name = ?", (name,)).fetchone()
            if clash is not None and clash["id"] != row["id"]:
                raise _conflict(f'Attempted to rename an event category to "{name}", that already exists.')
            conn.execute("UPDATE amp_category SET name = ? WHERE id = ?", (name, row["id"]))

    def delete_category(self, category_id: str) -> None:
        with self.store.transaction() as conn:
            row = self._category_by_id(conn, category_id)
            # Events of a deleted category stay, uncategorised [I].
            conn.execute("DELETE FROM amp_category WHERE id = ?", (row["id"],))

    @staticmethod
    def _category_by_id(conn: sqlite3.Connection, category_id: str) -> sqlite3.Row:
        row = None
        # ASCII digits only (`str.isdigit` also takes "١٢"), and within SQLite's integers.
        if re.fullmatch(r"[0-9]{1,19}", category_id) and int(category_id) <= MAX_CATEGORY_ID:
            row = conn.execute("SELECT * FROM amp_category WHERE id = ?", (int(category_id),)).fetchone()
        if row is None:
            raise _missing_entity("event_category", "id", category_id)
        found: sqlite3.Row = row
        return found

    @staticmethod
    def _category_id(conn: sqlite3.Connection, name: str) -> int:
        row = conn.execute("SELECT id FROM amp_category WHERE name = ?", (name,)).fetchone()
        if row is None:
            # Amplitude's docs do not say whether an unknown category is created on the
            # fly; the sandbox refuses it, the stricter reading [I].
            raise _missing_entity("event_category", "name", name)
        return int(row["id"])

    # -- event types ---------------------------------------------------------------

    def list_events(self, show_deleted: bool = False) -> list[Json]:
        with self.store.transaction() as conn:
            rows = conn.execute(
                "SELECT e.*, c.name AS category FROM amp_event e "
                "LEFT JOIN amp_category c ON c.id = e.category_id "
                "WHERE e.hidden = 0 AND (? OR e.deleted = 0) ORDER BY e.id",
                (show_deleted,),
            ).fetchall()
        return [self._event_json(r, with_deleted=show_deleted) for r in rows]

    def get_event(self, name: str) -> Json:
        """A deleted event is still answered, with nothing saying it is deleted: the docs
        say nothing of single GETs of deleted events, so a client must not trust them [I]."""
        with self.store.transaction() as conn:
            row = conn.execute(
                "SELECT e.*, c.name AS category FROM amp_event e "
                "LEFT JOIN amp_category c ON c.id = e.category_id "
                "WHERE e.name = ?",
                (name,),
            ).fetchone()
        if row is None:
            raise _not_found()
        return self._event_json(row)

    def create_event(self, name: str, category: str | None, description: str | None) -> None:
        check_name("event_type", name)
        _check_text("description", description)
        with self.store.transaction() as conn:
            category_id = self._category_id(conn, category) if category else None
            row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (name,)).fetchone()
            if row is None:
                attrs = EventAttrs(description=description)
                conn.execute(
                    "INSERT INTO amp_event (name, category_id, attrs, planned, ingested) "
                    "VALUES (?, ?, ?, 1, 0)",
                    (name, category_id, attrs.model_dump_json()),
                )
                return
            _refuse_existing(row, "an event type", name)
            # Seen in data but not planned: adding it plans it [I].
            attrs = EventAttrs.model_validate_json(row["attrs"])
            if description is not None:
                attrs.description = description
            conn.execute(
                "UPDATE amp_event SET planned = 1, attrs = ?, "
                "category_id = COALESCE(?, category_id) "
                "WHERE id = ?",
                (attrs.model_dump_json(), category_id, row["id"]),
            )

    def update_event(self, name: str, new_name: str | None, changes: EventChanges) -> None:
        _check_text("description", changes.description)
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (name,)).fetchone()
            if row is None or row["deleted"] or not row["planned"]:
                field = (
                    "name" if new_name else next(iter(changes.model_dump(exclude_none=True)), "description")
                )
                raise _conflict(
                    f'Attempted to change the event {field.replace("_", " ")} for event "{name}", '
                    "but the event is not in schema."
                )
            if new_name is not None and new_name != name:
                check_name("new_event_type", new_name)
                if conn.execute("SELECT 1 FROM amp_event WHERE name = ?", (new_name,)).fetchone():
                    raise _conflict(
                        f'Attempted to rename event "{name}" to "{new_name}", but an event with '
                        "that name already exists."
                    )
            category_id = row["category_id"]
            if changes.category is not None:
                category_id = self._category_id(conn, changes.category) if changes.category else None
            attrs = changes.apply(EventAttrs.model_validate_json(row["attrs"]))
            conn.execute(
                "UPDATE amp_event SET name = ?, category_id = ?, attrs = ? WHERE id = ?",
                (new_name or name, category_id, attrs.model_dump_json(), row["id"]),
            )

    def delete_event(self, name: str) -> None:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (name,)).fetchone()
            if row is not None and row["transformed"]:
                raise _conflict(f'Transformed event types are not deletable: "{name}".')
            if self._soft_delete(conn, "amp_event", row, "event_type", name):
                conn.execute(
                    "DELETE FROM amp_property_link WHERE parent_id = ? AND property_id IN "
                    "(SELECT id FROM amp_property WHERE kind = 'event')",
                    (row["id"],),
                )

    def restore_event(self, name: str) -> None:
        with self.store.transaction() as conn:
            row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (name,)).fetchone()
            self._restore(conn, "amp_event", row, "event_type", name)

    @staticmethod
    def _event_json(row: sqlite3.Row, with_deleted: bool = False) -> Json:
        attrs = EventAttrs.model_validate_json(row["attrs"])
        body: Json = {
            "event_type": row["name"],
            "category": {"name": row["category"]} if row["category"] else None,
            **attrs.model_dump(),
        }
        if with_deleted:
            body["deleted"] = bool(row["deleted"])
        return body

    # -- lifecycle shared by events and properties ------------------------------------

    @staticmethod
    def _soft_delete(
        conn: sqlite3.Connection, table: str, row: sqlite3.Row | None, entity: str, name: str
    ) -> bool:
        """Apply Amplitude's delete rules; True when the row was removed outright."""
        if row is None or row["deleted"]:
            raise _missing_entity(entity, "name", name)
        if not row["ingested"]:
            # Only planned: it leaves the plan.
            conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
            return True
        # Live: marked deleted. Unexpected: added to the plan, then marked deleted.
        conn.execute(f"UPDATE {table} SET planned = 1, deleted = 1 WHERE id = ?", (row["id"],))
        return False

    @staticmethod
    def _restore(
        conn: sqlite3.Connection, table: str, row: sqlite3.Row | None, entity: str, name: str
    ) -> None:
        if row is None:
            raise _missing_entity(entity, "name", name)
        if not row["deleted"]:
            raise _conflict(f'Attempted to restore {entity} "{name}", that is not deleted.')
        conn.execute(f"UPDATE {table} SET deleted = 0 WHERE id = ?", (row["id"],))

    # -- properties: storage shared by event, user and group properties ------------------

    @staticmethod
    def _insert_property(
        conn: sqlite3.Connection,
        kind: PropertyKind,
        name: str,
        attrs: PropertyAttrs,
        *,
        planned: bool,
        ingested: bool,
        builtin: bool = False,
    ) -> int:
        cursor = conn.execute(
            "INSERT INTO amp_property (kind, name, attrs, planned, ingested, builtin) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            (kind, name, attrs.model_dump_json(), planned, ingested, builtin),
        )
        return int(cursor.lastrowid or 0)

    @staticmethod
    def _property(conn: sqlite3.Connection, kind: PropertyKind, name: str) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM amp_property WHERE kind = ? AND name = ?", (kind, name)
        ).fetchone()
        return row

    @staticmethod
    def _rename_property(conn: sqlite3.Connection, row: sqlite3.Row, new_name: str, noun: str) -> None:
        if new_name == row["name"]:
            return
        clash = conn.execute(
            "SELECT 1 FROM amp_property WHERE kind = ? AND name = ?", (row["kind"], new_name)
        ).fetchone()
        if clash:
            raise _conflict(
                f'Attempted to rename {noun} "{row["name"]}" to "{new_name}", that already exists.'
            )
        conn.execute("UPDATE amp_property SET name = ? WHERE id = ?", (new_name, row["id"]))

    # -- event and group properties (shared definitions plus per-parent overrides) -------

    def _parent_id(self, conn: sqlite3.Connection, scope: _Scope, parent: str, action: str, prop: str) -> int:
        if scope.kind == "group":
            row = conn.execute("SELECT id FROM amp_group_type WHERE name = ?", (parent,)).fetchone()
            if row is None:
                raise AmplitudeError(404, f'Group type "{parent}" does not exist.')
            return int(row["id"])
        row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (parent,)).fetchone()
        if row is None or row["deleted"] or not row["planned"]:
            raise _conflict(
                f'Attempted to {action} {scope.noun} "{prop}" for event "{parent}", '
                "but the event is not in schema."
            )
        return int(row["id"])

    def _scoped_json(
        self, scope: _Scope, prop: sqlite3.Row, parent: str | None, override: str | None
    ) -> Json:
        attrs = PropertyAttrs.model_validate_json(override or prop["attrs"])
        body: Json = {
            scope.name_field: prop["name"],
            scope.parent_field: parent,
            "description": attrs.description,
            "type": attrs.type,
            "regex": attrs.regex,
            "enum_values": _enum_text(attrs.enum_values),
            "is_array_type": attrs.is_array_type,
        }
        if scope.kind == "event":
            body["is_required"] = attrs.is_required
        body["classifications"] = attrs.classifications
        return body

    def list_scoped(self, scope: _Scope, parent: str | None) -> list[Json]:
        with self.store.transaction() as conn:
            if parent is None:
                rows = conn.execute(
                    "SELECT * FROM amp_property WHERE kind = ? AND deleted = 0 ORDER BY id",
                    (scope.kind,),
                ).fetchall()
                return [self._scoped_json(scope, r, None, None) for r in rows]
            parent_id = self._parent_for_read(conn, scope, parent)
            rows = conn.execute(
                "SELECT p.*, l.override FROM amp_property_link l "
                "JOIN amp_property p ON p.id = l.property_id "
                "WHERE p.kind = ? AND l.parent_id = ? AND p.deleted = 0 ORDER BY l.id",
                (scope.kind, parent_id),
            ).fetchall()
        return [self._scoped_json(scope, r, parent, r["override"]) for r in rows]

    def get_scoped(self, scope: _Scope, name: str, parent: str | None) -> Json:
        with self.store.transaction() as conn:
            prop = self._property(conn, scope.kind, name)
            if prop is None or prop["deleted"]:
                raise _not_found()
            if parent is None:
                return self._scoped_json(scope, prop, None, None)
            parent_id = self._parent_for_read(conn, scope, parent)
            link = self._link(conn, prop["id"], parent_id)
        if link is None:
            raise _not_found()
        return self._scoped_json(scope, prop, parent, link["override"])

    def _parent_for_read(self, conn: sqlite3.Connection, scope: _Scope, parent: str) -> int:
        table = "amp_group_type" if scope.kind == "group" else "amp_event"
        row = conn.execute(f"SELECT * FROM {table} WHERE name = ?", (parent,)).fetchone()
        if row is None or (scope.kind == "event" and row["deleted"]):
            if scope.kind == "group":
                raise AmplitudeError(404, f'Group type "{parent}" does not exist.')
            raise _not_found()
        return int(row["id"])

    @staticmethod
    def _link(conn: sqlite3.Connection, property_id: int, parent_id: int) -> sqlite3.Row | None:
        row: sqlite3.Row | None = conn.execute(
            "SELECT * FROM amp_property_link WHERE property_id = ? AND parent_id = ?",
            (property_id, parent_id),
        ).fetchone()
        return row

    def _custom_name(self, conn: sqlite3.Connection, scope: _Scope, name: str) -> str:
        if not scope.prefix or name.startswith(scope.prefix):
            return name
        existing = self._property(conn, scope.kind, name)
        if existing is not None and existing["builtin"]:
            return name
        return scope.prefix + name

    def create_scoped(self, scope: _Scope, name: str, parent: str | None, changes: PropertyChanges) -> None:
        check_name(scope.name_field, name)
        _check_property_changes(changes)
        what = f"{scope.article} {scope.noun}"
        sent = name  # messages name the property as the request did, as the documented ones do
        with self.store.transaction() as conn:
            name = self._custom_name(conn, scope, name)
            parent_id = self._parent_id(conn, scope, parent, "add", name) if parent is not None else None
            prop = self._property(conn, scope.kind, name)
            if prop is not None and prop["builtin"] and changes.model_dump(exclude_none=True):
                raise _conflict(f'Amplitude-sourced {scope.noun} "{name}" is not editable.')
            if parent_id is None:
                _refuse_existing(prop, what, sent)
                self._plan_property(conn, scope.kind, name, prop, changes)
                return
            if prop is not None and prop["deleted"]:
                _refuse_existing(prop, what, sent)
            link = self._link(conn, prop["id"], parent_id) if prop is not None else None
            if prop is None or (link is not None and not prop["planned"]):
                # New everywhere, or seen in data on this parent but never planned: the
                # shared definition is planned with these attributes, attached, no override.
                prop_id = self._plan_property(conn, scope.kind, name, prop, changes)
                if link is None:
                    conn.execute(
                        "INSERT INTO amp_property_link (property_id, parent_id) VALUES (?, ?)",
                        (prop_id, parent_id),
                    )
                return
            if link is not None:
                raise _conflict(
                    f'Attempted to add {what}, "{sent}" for {scope.parent_noun} "{parent}", '
                    "that already exists."
                )
            override = None
            if changes.model_dump(exclude_none=True):
                # Known elsewhere: attaching it with attributes creates an override.
                self._refuse_override_classifications(scope, changes, name, parent)
                override = changes.apply(PropertyAttrs.model_validate_json(prop["attrs"])).model_dump_json()
            conn.execute("UPDATE amp_property SET planned = 1 WHERE id = ?", (prop["id"],))
            conn.execute(
                "INSERT INTO amp_property_link (property_id, parent_id, override) VALUES (?, ?, ?)",
                (prop["id"], parent_id, override),
            )

    def _plan_property(
        self,
        conn: sqlite3.Connection,
        kind: PropertyKind,
        name: str,
        row: sqlite3.Row | None,
        changes: PropertyChanges,
    ) -> int:
        """Put a property in the plan with `changes`: a new one, or one only seen in data."""
        if row is None:
            return self._insert_property(
                conn, kind, name, changes.apply(PropertyAttrs()), planned=True, ingested=False
            )
        attrs = changes.apply(PropertyAttrs.model_validate_json(row["attrs"]))
        conn.execute(
            "UPDATE amp_property SET planned = 1, attrs = ? WHERE id = ?",
            (attrs.model_dump_json(), row["id"]),
        )
        return int(row["id"])

    @staticmethod
    def _refuse_override_classifications(
        scope: _Scope, changes: PropertyChanges, name: str, parent: str | None
    ) -> None:
        if changes.classifications is not None:
            raise _conflict(
                f'Attempted to update classifications for an overridden {scope.noun}, "{name}" on '
                f'{scope.parent_noun} "{parent}". Call the Update API without the '
                f'"{scope.parent_field}" '
                "parameter to update classifications of the shared property."
            )

    def update_scoped(
        self,
        scope: _Scope,
        name: str,
        parent: str | None,
        override_scope: OverrideScope | None,
        changes: PropertyChanges,
        new_name: str | None,
    ) -> None:
        _check_property_changes(changes)
        with self.store.transaction() as conn:
            prop = self._property(conn, scope.kind, name)
            parent_id = None
            if parent is not None:
                parent_id = self._parent_id(conn, scope, parent, "change", name)
            link = self._link(conn, prop["id"], parent_id) if prop is not None and parent_id else None
            if (
                prop is None
                or prop["deleted"]
                or not prop["planned"]
                or (parent_id is not None and link is None)
            ):
                field = "name" if new_name else changes.first_field().replace("_", " ")
                raise _conflict(
                    f'Attempted to change the {scope.noun} {field} for property "{name}" for '
                    f'{scope.parent_noun} "{parent or ""}", but the property is not in schema.'
                )
            if prop["builtin"]:
                raise _conflict(f'Amplitude-sourced {scope.noun} "{name}" is not editable.')
            if new_name is not None:
                # Taken literally: the examples send the new name whole (`grp:...`) [D].
                check_name(f"new_{scope.name_field}_value", new_name)
                self._rename_property(conn, prop, new_name, scope.noun)
            if link is not None and override_scope == "shared":
                conn.execute("UPDATE amp_property_link SET override = NULL WHERE id = ?", (link["id"],))
            target_override = link is not None and (
                override_scope == "override" or (override_scope is None and link["override"] is not None)
            )
            if target_override:
                assert link is not None
                self._refuse_override_classifications(scope, changes, name, parent)
                base = link["override"] or prop["attrs"]
                attrs = changes.apply(PropertyAttrs.model_validate_json(base))
                conn.execute(
                    "UPDATE amp_property_link SET override = ? WHERE id = ?",
                    (attrs.model_dump_json(), link["id"]),
                )
            else:
                attrs = changes.apply(PropertyAttrs.model_validate_json(prop["attrs"]))
                conn.execute(
                    "UPDATE amp_property SET attrs = ? WHERE id = ?",
                    (attrs.model_dump_json(), prop["id"]),
                )

    def delete_event_property(self, name: str, event_type: str | None) -> None:
        with self.store.transaction() as conn:
            prop = self._property(conn, "event", name)
            if event_type is None:
                self._soft_delete(conn, "amp_property", prop, "event_property", name)
                return
            parent_id = self._parent_id(conn, EVENT_SCOPE, event_type, "remove", name)
            link = self._link(conn, prop["id"], parent_id) if prop is not None else None
            if link is None:
                raise _conflict(
                    f'Attempted to remove event property "{name}" from event "{event_type}", '
                    "that does not exist on the event."
                )
            conn.execute("DELETE FROM amp_property_link WHERE id = ?", (link["id"],))

    def restore_event_property(self, name: str) -> None:
        with self.store.transaction() as conn:
            self._restore(conn, "amp_property", self._property(conn, "event", name), "event_property", name)

    # -- user properties ---------------------------------------------------------------

    @staticmethod
    def _user_json(row: sqlite3.Row) -> Json:
        attrs = PropertyAttrs.model_validate_json(row["attrs"])
        return {
            "user_property": row["name"],
            "description": attrs.description,
            "type": attrs.type,
            "enum_values": _enum_text(attrs.enum_values),
            "regex": attrs.regex,
            "is_array_type": attrs.is_array_type,
            "classifications": attrs.classifications,
            "deleted": bool(row["deleted"]),
        }

    def list_user_properties(self) -> list[Json]:
        with self.store.transaction() as conn:
            rows = conn.execute("SELECT * FROM amp_property WHERE kind = 'user' ORDER BY id").fetchall()
        return [self._user_json(r) for r in rows]

    def get_user_property(self, name: str) -> Json:
        with self.store.transaction() as conn:
            row = self._property(conn, "user", name)
        if row is None:
            raise AmplitudeError(404, "Not found")
        return self._user_json(row)

    @staticmethod
    def user_property_name(name: str) -> str:
        """The `gp:` name of a custom user property, however it was spelled (for data
        arriving and imports; the REST API reads body names literally, see `custom_user_property`)."""
        return name if name.startswith(USER_PREFIX) else USER_PREFIX + name

    @staticmethod
    def custom_user_property(own_name: str) -> str:
        """A custom user property's name as responses and paths carry it. Bodies carry the
        property's own name (`user_property=User Type`, `new_user_property_value=subscription_type`
        [D]): a body `gp:x` is a property whose own name is `gp:x`, i.e. `gp:gp:x`."""
        return USER_PREFIX + own_name

    def create_user_property(self, name: str, changes: PropertyChanges) -> None:
        """`name` is the full name (`gp:...`)."""
        check_name("user_property", name.removeprefix(USER_PREFIX))
        _check_property_changes(changes)
        with self.store.transaction() as conn:
            row = self._property(conn, "user", name)
            _refuse_existing(row, "a user property", name)
            self._plan_property(conn, "user", name, row, changes)

    def update_user_property(self, name: str, changes: PropertyChanges, new_name: str | None) -> None:
        _check_property_changes(changes)
        with self.store.transaction() as conn:
            row = self._property(conn, "user", name)
            if row is None or row["deleted"] or not row["planned"]:
                field = "name" if new_name else changes.first_field().replace("_", " ")
                raise _conflict(
                    f'Attempted to change the user property {field} for property "{name}", '
                    "but the property is not in schema."
                )
            if row["builtin"]:
                raise _conflict(f'Amplitude user property "{name}" is not editable.')
            if new_name is not None:  # the full new name (`gp:...`)
                check_name("new_user_property_value", new_name.removeprefix(USER_PREFIX))
                self._rename_property(conn, row, new_name, "user property")
            attrs = changes.apply(PropertyAttrs.model_validate_json(row["attrs"]))
            conn.execute(
                "UPDATE amp_property SET attrs = ? WHERE id = ?",
                (attrs.model_dump_json(), row["id"]),
            )

    def delete_user_property(self, name: str) -> None:
        with self.store.transaction() as conn:
            row = self._property(conn, "user", name)
            if row is not None and row["builtin"]:
                raise _conflict(f'Amplitude user property "{name}" is not deletable.')
            self._soft_delete(conn, "amp_property", row, "user_property", name)

    def restore_user_property(self, name: str) -> None:
        with self.store.transaction() as conn:
            self._restore(conn, "amp_property", self._property(conn, "user", name), "user_property", name)

    # -- data arriving from tracked events (introspection, not a vendor path) -------------

    def ingest(
        self,
        event_type: str | None,
        event_properties: list[str],
        user_properties: list[str],
        group_properties: dict[str, list[str]],
    ) -> None:
        """Record that data was seen: planned items go live, unknown ones arrive unexpected."""
        with self.store.transaction() as conn:
            if event_type is not None:
                check_name("event_type", event_type)
                event = conn.execute("SELECT id FROM amp_event WHERE name = ?", (event_type,)).fetchone()
                if event is None:
                    cursor = conn.execute(
                        "INSERT INTO amp_event (name, attrs, planned, ingested) VALUES (?, ?, 0, 1)",
                        (event_type, EventAttrs().model_dump_json()),
                    )
                    event_id = int(cursor.lastrowid or 0)
                else:
                    event_id = int(event["id"])
                    conn.execute("UPDATE amp_event SET ingested = 1 WHERE id = ?", (event_id,))
                for prop in event_properties:
                    self._ingest_property(conn, "event", prop, event_id)
            for prop in user_properties:
                self._ingest_property(conn, "user", self.user_property_name(prop), None)
            for group_type, props in group_properties.items():
                check_name("group_type", group_type)
                conn.execute("INSERT OR IGNORE INTO amp_group_type (name) VALUES (?)", (group_type,))
                group_id = conn.execute(
                    "SELECT id FROM amp_group_type WHERE name = ?", (group_type,)
                ).fetchone()
                for prop in props:
                    name = prop if prop.startswith(GROUP_PREFIX) else GROUP_PREFIX + prop
                    self._ingest_property(conn, "group", name, int(group_id["id"]))

    def _ingest_property(
        self, conn: sqlite3.Connection, kind: PropertyKind, name: str, parent_id: int | None
    ) -> None:
        check_name("property", name)
        row = self._property(conn, kind, name)
        if row is None:
            prop_id = self._insert_property(conn, kind, name, PropertyAttrs(), planned=False, ingested=True)
        else:
            prop_id = int(row["id"])
            conn.execute("UPDATE amp_property SET ingested = 1 WHERE id = ?", (prop_id,))
        if parent_id is not None:
            conn.execute(
                "INSERT OR IGNORE INTO amp_property_link (property_id, parent_id) VALUES (?, ?)",
                (prop_id, parent_id),
            )

    def add_group_type(self, conn: sqlite3.Connection, name: str) -> None:
        conn.execute("INSERT OR IGNORE INTO amp_group_type (name) VALUES (?)", (name,))

    def mark(
        self,
        conn: sqlite3.Connection,
        event_type: str,
        *,
        hidden: bool = False,
        transformed: bool = False,
    ) -> None:
        """Seed-only switches the API cannot set: visibility and transformation."""
        conn.execute(
            "UPDATE amp_event SET hidden = ?, transformed = ? WHERE name = ?",
            (hidden, transformed, event_type),
        )


def for_scope(kind: Literal["event", "group"]) -> _Scope:
    return EVENT_SCOPE if kind == "event" else GROUP_SCOPE


__all__ = ["EVENT_SCOPE", "GROUP_SCOPE", "AmplitudeError", "AmplitudeTaxonomy", "for_scope"]


class ImportApplier:
    """What merging an import branch does to the taxonomy `main` serves over REST.

    Upserts create or update events (and the categories they name), their properties
    (as the event's attributes: an override where the shared definition differs) and
    user properties; deleted items named in an import are restored. `Remove` detaches
    an event or a user property from the plan and never deletes data: a live item
    becomes unexpected, a planned one leaves [I]; it "doesn't affect individual
    properties" (the docs), so the CSV reader drops it on property rows. All of it runs
    in the caller's transaction.
    """

    def __init__(self, taxonomy: AmplitudeTaxonomy) -> None:
        self.t = taxonomy

    def apply(self, changes: Any) -> None:
        for event in changes.events:
            self.event(event)
        for event_name, prop in changes.properties:
            self.event_property(event_name, prop)
        for prop in changes.user_properties:
            self.user_property(prop)
        for removal in changes.removals:
            self.remove(removal.kind, removal.name)

    def event(self, event: Any) -> None:
        t = self.t
        with t.store.transaction() as conn:
            if (
                event.category
                and not conn.execute(
                    "SELECT 1 FROM amp_category WHERE name = ?", (event.category,)
                ).fetchone()
            ):
                conn.execute("INSERT INTO amp_category (name) VALUES (?)", (event.category,))
            row = conn.execute("SELECT * FROM amp_event WHERE name = ?", (event.name,)).fetchone()
            if row is not None and row["deleted"]:
                conn.execute("UPDATE amp_event SET deleted = 0 WHERE id = ?", (row["id"],))
            if row is None or not row["planned"]:
                t.create_event(event.name, event.category, event.description)
            t.update_event(
                event.name,
                None,
                EventChanges(
                    category=event.category or "",
                    description=event.description or "",
                    display_name=event.display_name or "",
                ),
            )
        for prop in event.properties:
            self.event_property(event.name, prop)

    @staticmethod
    def _changes(prop: Any, required: bool | None) -> PropertyChanges:
        return PropertyChanges(
            description=prop.description or "",
            type=prop.type,
            regex=prop.regex or "",
            enum_values=list(prop.enum_values),
            is_array_type=prop.is_array_type,
            is_required=required,
        )

    def event_property(self, event_name: str, prop: Any) -> None:
        t = self.t
        changes = self._changes(prop, prop.is_required)
        with t.store.transaction() as conn:
            row = t._property(conn, "event", prop.name)
            if row is not None and row["deleted"]:
                conn.execute("UPDATE amp_property SET deleted = 0 WHERE id = ?", (row["id"],))
            event = conn.execute("SELECT id FROM amp_event WHERE name = ?", (event_name,)).fetchone()
            if event is None:
                raise AmplitudeError(409, f'Import names event "{event_name}", which is not in the plan.')
            link = t._link(conn, row["id"], event["id"]) if row is not None else None
        if link is None:
            t.create_scoped(EVENT_SCOPE, prop.name, event_name, changes)
        else:
            t.update_scoped(EVENT_SCOPE, prop.name, event_name, "override", changes, None)

    def user_property(self, prop: Any) -> None:
        t = self.t
        name = t.user_property_name(prop.name)
        changes = self._changes(prop, None)
        with t.store.transaction() as conn:
            row = t._property(conn, "user", name)
            if row is not None and row["deleted"]:
                conn.execute("UPDATE amp_property SET deleted = 0 WHERE id = ?", (row["id"],))
        if row is None or not row["planned"]:
            t.create_user_property(name, changes)
        else:
            t.update_user_property(name, changes, None)

    def remove(self, kind: str, name: str) -> None:
        t = self.t
        with t.store.transaction() as conn:
            if kind == "event":
                table, row = (
                    "amp_event",
                    conn.execute("SELECT * FROM amp_event WHERE name = ?", (name,)).fetchone(),
                )
            else:
                table, row = "amp_property", t._property(conn, "user", t.user_property_name(name))
            if row is None:
                return
            if row["ingested"]:
                conn.execute(f"UPDATE {table} SET planned = 0 WHERE id = ?", (row["id"],))
            else:
                if table == "amp_event":
                    conn.execute(
                        "DELETE FROM amp_property_link WHERE parent_id = ? AND property_id IN "
                        "(SELECT id FROM amp_property WHERE kind = 'event')",
                        (row["id"],),
                    )
                conn.execute(f"DELETE FROM {table} WHERE id = ?", (row["id"],))
