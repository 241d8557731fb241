"""The Taxonomy Import CSV formats: writing a plan as CSV files, and reading them back.

Amplitude documents two files with two column sets: one for events and their
properties, one for user properties (amplitude.com/docs/data/csv-import-export).
Every header carries all of its file's columns, exactly spelled, in any order. One
module for both directions, so they cannot drift apart (round-trip property tests
hold them together).

Rows of the events file follow the structure of Amplitude's own export: an event's
row (`Object Type` = `Event`) comes first and its property rows follow it, with
`Object Type` and `Object Name` left blank [I: the docs mark both required only for
events and property groups]. `Action` is blank (create or update), `Ignore`, or
`Remove`, which detaches an event or a user property from the plan and, as the docs
say, "doesn't affect individual properties".

`read_changes` reads strictly, as the vendor is assumed to (the sandbox uses it).
`read_plan` reads what users have: either file, Amplitude's export (extra columns,
any capitalisation of TRUE/FALSE), and the single combined file that earlier
versions of this package wrote (user-property rows in the events file, with a
`Property Name` column).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pulumi_taxonomy.amplitude.models import (
    USER_PREFIX,
    EnumValues,
    Name,
    PropertyType,
    Text,
    check_property_attributes,
    check_user_property_name,
)

VALUE_COLUMNS = (
    "Property Value Type",
    "Property Is Array",
    "Enum Values",
    "Const Value",
    "Property Regex",
    "String Property Value Min Length",
    "String Property Value Max Length",
    "Number Property Value Min",
    "Number Property Value Max",
    "Number Is Integer",
    "Array Min Items",
    "Array Max Items",
    "Array Unique Items",
)
"""The columns of a property's value, in both files."""

EVENT_COLUMNS = (
    "Action",
    "Object Type",
    "Object Name",
    "Event Display Name",
    "Object Owner",
    "Object Description",
    "Event Category",
    "Tags",
    "Event Activity",
    "Event Hidden From Dropdowns",
    "Event Hidden From Persona Results",
    "Event Hidden From Pathfinder",
    "Event Hidden From Timeline",
    "Event Source",
    "Property Type",
    "Property Group Names",
    "Event Property Name",
    "Property Description",
    "Property Required",
    "Property Visibility",
    *VALUE_COLUMNS,
)
"""The events file's columns, as the docs list them (the order is free)."""

USER_PROPERTY_COLUMNS = ("Action", "Property Type", "Property Name", "Property Description", *VALUE_COLUMNS)
"""The user-property file's columns, as the docs list them (one table spells the
description column "Property description"; we use the capitalisation of every other
column and of the events file)."""

FileKind = Literal["events", "user_properties"]
FILE_KINDS: tuple[FileKind, ...] = ("events", "user_properties")
"""Import order: events first (user properties do not depend on them, but a person
reading Amplitude Data sees the bigger change first)."""
COLUMNS: dict[FileKind, tuple[str, ...]] = {"events": EVENT_COLUMNS, "user_properties": USER_PROPERTY_COLUMNS}
FILE_LABEL: dict[FileKind, str] = {"events": "events file", "user_properties": "user-property file"}
USER_PROPERTY_NAME = "Property Name"
EVENT_ONLY = tuple(c for c in EVENT_COLUMNS if c not in USER_PROPERTY_COLUMNS)
USER_ONLY = tuple(c for c in USER_PROPERTY_COLUMNS if c not in EVENT_COLUMNS)
VALUE_TYPES = ("string", "number", "boolean", "any", "enum", "const")
TRUE, FALSE = "True", "False"
"""The docs' spelling of booleans (`True`, `False` or blank)."""

Row = dict[str, str]


class CsvError(ValueError):
    """A CSV the import refuses; the message names the row (as a spreadsheet numbers it,
    header = 1) and the column."""

    def __init__(self, message: str, row: int | None = None, column: str | None = None) -> None:
        where = ", ".join(
            p for p in (f"row {row}" if row else "", f"column {column!r}" if column else "") if p
        )
        super().__init__(f"{where}: {message}" if where else message)
        self.row = row
        self.column = column


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ImportProperty(Model):
    """An event property in a plan (the attributes the CSV carries)."""

    name: Name
    description: Text = None
    type: PropertyType = "any"
    regex: str | None = None
    enum_values: EnumValues = Field(default_factory=list)
    is_array_type: bool = False
    is_required: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ImportProperty:
        check_property_attributes(self.type, self.enum_values, self.regex)
        return self


class ImportUserProperty(Model):
    """A custom user property in a plan (one row of the user-property file)."""

    name: Name
    """With or without `gp:`; the CSV carries it without."""
    description: Text = None
    type: PropertyType = "any"
    regex: str | None = None
    enum_values: EnumValues = Field(default_factory=list)
    is_array_type: bool = False

    @model_validator(mode="after")
    def _consistent(self) -> ImportUserProperty:
        check_user_property_name(self.name)
        check_property_attributes(self.type, self.enum_values, self.regex)
        return self

    @property
    def bare_name(self) -> str:
        return self.name.removeprefix(USER_PREFIX)


class ImportEvent(Model):
    """An event in a plan, with its properties (one row of the events file, then one per property)."""

    name: Name
    category: Name | None = None
    description: Text = None
    display_name: Text = None
    properties: list[ImportProperty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ImportEvent:
        _refuse_duplicates((p.name for p in self.properties), f'properties of event "{self.name}"')
        return self


class ImportPlan(Model):
    """A whole tracking plan, as one import carries it."""

    events: list[ImportEvent] = Field(default_factory=list)
    user_properties: list[ImportUserProperty] = Field(default_factory=list)

    @model_validator(mode="after")
    def _unique(self) -> ImportPlan:
        _refuse_duplicates((e.name for e in self.events), "event names")
        _refuse_duplicates((p.bare_name for p in self.user_properties), "user property names")
        return self

    def canonical_json(self) -> str:
        """One stable text for equal plans: order-free (events, properties and user
        properties sorted by name), defaults left out, user properties without `gp:`.

        The provider carries the plan in this form: the engine moves one string instead
        of tens of thousands of values, and `pulumi preview --diff` still shows it as JSON.
        """
        data: dict[str, Any] = self.model_dump(mode="json", exclude_defaults=True)
        events = sorted(data.get("events", []), key=lambda e: e["name"])
        for event in events:
            if "properties" in event:
                event["properties"].sort(key=lambda p: p["name"])
        users = [{**u, "name": u["name"].removeprefix(USER_PREFIX)} for u in data.get("user_properties", [])]
        users.sort(key=lambda u: u["name"])
        canonical = {k: v for k, v in (("events", events), ("user_properties", users)) if v}
        return json.dumps(canonical, ensure_ascii=False, separators=(",", ":"))


def _refuse_duplicates(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} must be unique: {name!r} appears twice")
        seen.add(name)


Kind = Literal["event", "user_property"]


class Removal(Model):
    """A `Remove` row: an event or a user property leaves the plan (its data stays)."""

    kind: Kind
    name: str


class ChangeSet(Model):
    """What one CSV asks for: upserts (in file order) and removals."""

    kind: FileKind = "events"
    events: list[ImportEvent] = Field(default_factory=list)
    """Event rows, with their property rows attached."""
    properties: list[tuple[str, ImportProperty]] = Field(default_factory=list)
    """Property rows naming an event that has no row of its own (older combined files)."""
    user_properties: list[ImportUserProperty] = Field(default_factory=list)
    removals: list[Removal] = Field(default_factory=list)

    def plan(self) -> ImportPlan:
        return ImportPlan(events=self.events, user_properties=self.user_properties)


# -- writing ---------------------------------------------------------------------------


@dataclass
class ImportFiles:
    """The rows of one import, per file; each non-empty file is uploaded on its own."""

    events: list[Row] = field(default_factory=list)
    user_properties: list[Row] = field(default_factory=list)

    def rows(self, kind: FileKind) -> list[Row]:
        return self.events if kind == "events" else self.user_properties

    def __len__(self) -> int:
        return len(self.events) + len(self.user_properties)

    def texts(self) -> list[tuple[FileKind, str]]:
        """(kind, CSV text) of each file that has rows, in import order."""
        return [(kind, write_file(kind, self.rows(kind))) for kind in FILE_KINDS if self.rows(kind)]


def _bool(value: bool) -> str:
    return TRUE if value else FALSE


def _row(kind: FileKind, **cells: str) -> Row:
    return {column: cells.get(column, "") for column in COLUMNS[kind]}


def _property_cells(prop: ImportProperty | ImportUserProperty) -> dict[str, str]:
    return {
        "Property Description": prop.description or "",
        "Property Value Type": prop.type,
        "Property Is Array": _bool(prop.is_array_type),
        "Enum Values": ",".join(prop.enum_values),
        "Property Regex": prop.regex or "",
    }


def event_rows(event: ImportEvent) -> list[Row]:
    """The event's row and, after it, one row per property: a whole event, so the file
    means the same whether the vendor merges the listed properties into the event or
    replaces the event's properties with them."""
    head = _row(
        "events",
        **{
            "Object Type": "Event",
            "Object Name": event.name,
            "Event Display Name": event.display_name or "",
            "Object Description": event.description or "",
            "Event Category": event.category or "",
            "Event Activity": "Active",
            "Event Hidden From Dropdowns": FALSE,
            "Event Hidden From Persona Results": FALSE,
            "Event Hidden From Pathfinder": FALSE,
            "Event Hidden From Timeline": FALSE,
        },
    )
    return [head, *(property_row(prop) for prop in event.properties)]


def property_row(prop: ImportProperty) -> Row:
    """A property row; it belongs to the event row above it."""
    return _row(
        "events",
        **{
            "Property Type": "Event Property",
            "Event Property Name": prop.name,
            "Property Required": _bool(prop.is_required),
            "Property Visibility": "VISIBLE",
            **_property_cells(prop),
        },
    )


def user_property_row(prop: ImportUserProperty) -> Row:
    return _row(
        "user_properties",
        **{"Property Type": "User Property", USER_PROPERTY_NAME: prop.bare_name, **_property_cells(prop)},
    )


def removal_row(removal: Removal) -> tuple[FileKind, Row]:
    """The `Remove` row and the file it goes in."""
    if removal.kind == "event":
        return "events", _row(
            "events", Action="Remove", **{"Object Type": "Event", "Object Name": removal.name}
        )
    bare = removal.name.removeprefix(USER_PREFIX)
    return "user_properties", _row(
        "user_properties", Action="Remove", **{"Property Type": "User Property", USER_PROPERTY_NAME: bare}
    )


def plan_files(plan: ImportPlan) -> ImportFiles:
    """Every row of a whole plan."""
    return ImportFiles(
        events=[row for event in plan.events for row in event_rows(event)],
        user_properties=[user_property_row(p) for p in plan.user_properties],
    )


def write_file(kind: FileKind, rows: Iterable[Row]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS[kind], lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_plan(plan: ImportPlan) -> dict[FileKind, str]:
    """The plan as the files a person would import by hand (only those with rows)."""
    return dict(plan_files(plan).texts())


# -- reading ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Format:
    kind: FileKind
    lenient: bool
    combined: bool = False
    """An events file that also carries user-property rows (older versions wrote it)."""


def _header_format(header: list[str], lenient: bool) -> _Format:
    if not header:
        raise CsvError("the file is empty: it needs a header row", 1)
    repeated = sorted({c for c in header if header.count(c) > 1})
    if repeated:
        raise CsvError(f"columns appear twice: {', '.join(repeated)}", 1, repeated[0])
    event_only = [c for c in EVENT_ONLY if c in header]
    user_only = [c for c in USER_ONLY if c in header]
    if event_only and user_only and not lenient:
        # The stray column is the one of the file the header mostly is not.
        stray = user_only[0] if len(event_only) >= len(EVENT_ONLY) / 2 else event_only[0]
        raise CsvError(
            "the file mixes the events file's columns with the user-property file's: user properties "
            "go in a file of their own (Property Type, Property Name, ...), events and their properties "
            "in another",
            1,
            stray,
        )
    kind: FileKind = "events" if event_only or not user_only else "user_properties"
    if lenient and user_only and "Object Type" not in header:
        kind = "user_properties"  # Amplitude's user-property export has extra columns, some of events'
    expected = COLUMNS[kind]
    missing = [c for c in expected if c not in header]
    if missing:
        raise CsvError(f"missing columns of the {FILE_LABEL[kind]}: {', '.join(missing)}", 1)
    known = set(expected) | ({USER_PROPERTY_NAME} if lenient and kind == "events" else set())
    unknown = [c for c in header if c not in known]
    if unknown and not lenient:
        raise CsvError(f"unknown columns: {', '.join(unknown)}", 1, unknown[0])
    return _Format(kind, lenient, combined=kind == "events" and USER_PROPERTY_NAME in header)


def _cell_bool(row: Row, column: str, number: int, fmt: _Format) -> bool:
    value = row.get(column, "").strip()
    allowed = (TRUE, FALSE, "")
    if fmt.lenient:
        value, allowed = value.upper(), (TRUE.upper(), FALSE.upper(), "")
    if value not in allowed:
        raise CsvError(f"{value!r} is not a boolean (True, False or blank)", number, column)
    return value in (TRUE, TRUE.upper())


def _cell(row: Row, column: str) -> str | None:
    value = row.get(column, "")
    return value if value != "" else None


def _property_fields(row: Row, number: int, fmt: _Format) -> dict[str, object]:
    value_type = row.get("Property Value Type", "").strip() or "any"
    if value_type not in VALUE_TYPES:
        raise CsvError(
            f"unknown value type {value_type!r} (use {', '.join(VALUE_TYPES)})", number, "Property Value Type"
        )
    enum_values = [v.strip() for v in row.get("Enum Values", "").split(",") if v.strip()]
    if value_type == "const":
        # A constant is an enum of one value in the REST taxonomy [I].
        value_type, enum_values = "enum", [row.get("Const Value", "")]
    return {
        "description": _cell(row, "Property Description"),
        "type": value_type,
        "regex": _cell(row, "Property Regex"),
        "enum_values": enum_values,
        "is_array_type": _cell_bool(row, "Property Is Array", number, fmt),
    }


M = TypeVar("M", bound=Model)


def _model(model: type[M], values: dict[str, object], number: int, columns: dict[str, str]) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        name = str(error["loc"][0]) if error["loc"] else ""
        if not name:  # a rule across fields: blame the first field the message names
            name = next((f for f in ("enum_values", "regex", "type") if f in message), "")
        raise CsvError(message, number, columns.get(name)) from None


PROPERTY_FIELD_COLUMNS = {
    "name": "Event Property Name",
    "description": "Property Description",
    "type": "Property Value Type",
    "regex": "Property Regex",
    "enum_values": "Enum Values",
    "is_array_type": "Property Is Array",
    "is_required": "Property Required",
}
USER_PROPERTY_FIELD_COLUMNS = {**PROPERTY_FIELD_COLUMNS, "name": USER_PROPERTY_NAME}
EVENT_FIELD_COLUMNS = {
    "name": "Object Name",
    "category": "Event Category",
    "description": "Object Description",
    "display_name": "Event Display Name",
}
EVENT_FLAGS = (
    "Event Hidden From Dropdowns",
    "Event Hidden From Persona Results",
    "Event Hidden From Pathfinder",
    "Event Hidden From Timeline",
)


class _Reader:
    """Collects a file's rows into a ChangeSet, one kind of row at a time."""

    def __init__(self, fmt: _Format) -> None:
        self.fmt = fmt
        self.events: dict[str, tuple[int, dict[str, object], list[ImportProperty]]] = {}
        self.current: str | None = None
        """The event whose property rows follow (None: none may follow)."""
        self.skipping = False
        """The event row above was `Ignore`d or `Remove`d: its property rows change nothing."""
        self.properties: list[tuple[str, ImportProperty]] = []
        self.user_properties: list[ImportUserProperty] = []
        self.removals: list[Removal] = []

    def row(self, row: Row, number: int) -> None:
        if None in row:
            raise CsvError("more cells than columns", number)
        action = row["Action"].strip()
        if action not in ("", "Ignore", "Remove"):
            raise CsvError(
                f"unknown action {action!r} (use Ignore, Remove or leave it blank)", number, "Action"
            )
        property_type = row["Property Type"].strip()
        if self.fmt.kind == "user_properties" or (self.fmt.combined and property_type == "User Property"):
            self.user_property(row, number, action)
        else:
            self.event_file_row(row, number, action, property_type)

    def event_file_row(self, row: Row, number: int, action: str, property_type: str) -> None:
        object_type = row["Object Type"].strip()
        if property_type == "User Property":
            raise CsvError(
                "user properties go in the user-property file, not in the events file",
                number,
                "Property Type",
            )
        if property_type not in ("", "Event Property"):
            raise CsvError(
                f"unknown property type {property_type!r} (use Event Property)", number, "Property Type"
            )
        if object_type not in ("", "Event"):
            raise CsvError(f"unknown object type {object_type!r} (use Event)", number, "Object Type")
        legacy_property = (
            self.fmt.lenient and object_type == "Event" and property_type and row["Event Property Name"]
        )
        if object_type == "Event" and not legacy_property:
            self.event(row, number, action)
        elif property_type == "Event Property" or legacy_property:
            self.event_property(row, number, action, str(row["Object Name"]) if legacy_property else None)
        else:
            raise CsvError(
                "a row is an event (Object Type Event) or a property (Property Type)", number, "Object Type"
            )

    def user_property(self, row: Row, number: int, action: str) -> None:
        if row["Property Type"].strip() != "User Property":
            raise CsvError("a user-property row needs Property Type User Property", number, "Property Type")
        name = row.get(USER_PROPERTY_NAME, "")
        if not name:
            raise CsvError("a user property needs a name", number, USER_PROPERTY_NAME)
        if action == "Remove":
            self.removals.append(Removal(kind="user_property", name=name))
        elif action == "":
            fields = {"name": name, **_property_fields(row, number, self.fmt)}
            self.user_properties.append(
                _model(ImportUserProperty, fields, number, USER_PROPERTY_FIELD_COLUMNS)
            )

    def event_property(self, row: Row, number: int, action: str, named_event: str | None) -> None:
        name = row["Event Property Name"]
        if not name:
            raise CsvError("an event property needs a name", number, "Event Property Name")
        if named_event is None and row["Object Name"] and not self.fmt.lenient:
            raise CsvError(
                "a property row belongs to the event row above it: leave Object Name blank",
                number,
                "Object Name",
            )
        event = named_event or self.current
        if event is None:
            raise CsvError("a property row must follow its event's row", number, "Event Property Name")
        if action != "" or (named_event is None and self.skipping):
            return  # `Remove` "doesn't affect individual properties"; `Ignore` changes nothing
        fields = {
            "name": name,
            **_property_fields(row, number, self.fmt),
            "is_required": _cell_bool(row, "Property Required", number, self.fmt),
        }
        prop = _model(ImportProperty, fields, number, PROPERTY_FIELD_COLUMNS)
        if event in self.events:
            self.events[event][2].append(prop)
        else:
            self.properties.append((event, prop))

    def event(self, row: Row, number: int, action: str) -> None:
        event = row["Object Name"]
        if not event:
            raise CsvError("an event row needs an Object Name", number, "Object Name")
        if row["Event Property Name"] and not self.fmt.lenient:
            raise CsvError(
                "an event's row carries no property: put each property on a row of its own after it",
                number,
                "Event Property Name",
            )
        self.current, self.skipping = event, action != ""
        if action == "Remove":
            self.removals.append(Removal(kind="event", name=event))
        if action != "":
            return
        for flag in EVENT_FLAGS:
            _cell_bool(row, flag, number, self.fmt)
        if row["Event Activity"].strip() not in ("", "Active", "Inactive"):
            raise CsvError(f"{row['Event Activity']!r} is not Active or Inactive", number, "Event Activity")
        if event in self.events:
            raise CsvError(f'event "{event}" appears twice', number, "Object Name")
        fields: dict[str, object] = {
            "name": event,
            "category": _cell(row, "Event Category"),
            "description": _cell(row, "Object Description"),
            "display_name": _cell(row, "Event Display Name"),
        }
        self.events[event] = (number, fields, [])

    def changes(self) -> ChangeSet:
        events = [
            _model(ImportEvent, {**fields, "properties": props}, number, EVENT_FIELD_COLUMNS)
            for number, fields, props in self.events.values()
        ]
        return ChangeSet(
            kind=self.fmt.kind,
            events=events,
            properties=self.properties,
            user_properties=self.user_properties,
            removals=self.removals,
        )


def read_changes(text: str, *, lenient: bool = False) -> ChangeSet:
    """Parse one import file; any problem raises `CsvError` naming the row and column.

    Strict by default (exactly one documented column set, booleans spelled as the docs
    spell them); `lenient` reads what people have (see the module's docstring)."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    fmt = _header_format(list(reader.fieldnames or []), lenient)
    collected = _Reader(fmt)
    for number, row in enumerate(reader, start=2):
        collected.row(row, number)
    try:
        return collected.changes()
    except ValidationError as exc:
        raise CsvError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None


def read_plan(*texts: str) -> ImportPlan:
    """The plan in a user's files: an events file, a user-property file, or both."""
    events: list[ImportEvent] = []
    users: list[ImportUserProperty] = []
    for text in texts:
        changes = read_changes(text, lenient=True)
        events += changes.events
        users += changes.user_properties
    try:
        return ImportPlan(events=events, user_properties=users)
    except ValidationError as exc:
        raise CsvError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None
