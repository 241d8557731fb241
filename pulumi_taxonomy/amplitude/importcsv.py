"""The Taxonomy Import CSV format: writing a plan as a CSV, and reading one back.

One module for both directions, so they cannot drift apart (round-trip property tests
hold them together). The header must carry every column, exactly spelled, in any
order. A property row repeats its event's `Object Type` and `Object Name`.
`Action` is blank (create or update), `Ignore` or `Remove` (detach from the plan).

User properties ride in the same file: `Property Type` = `User Property` with the
name in the column `Property Name`; the docs describe them in a file of their own, and
this combined file is the sandbox's reading of that [I].
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Literal, TypeVar

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
    "Property Value Type",
    "Property Required",
    "Property Visibility",
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
USER_PROPERTY_COLUMN = "Property Name"
COLUMNS = (*EVENT_COLUMNS, USER_PROPERTY_COLUMN)
VALUE_TYPES = ("string", "number", "boolean", "any", "enum", "const")
TRUE, FALSE = "TRUE", "FALSE"


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


def _refuse_duplicates(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValueError(f"{what} must be unique: {name!r} appears twice")
        seen.add(name)


Kind = Literal["event", "event_property", "user_property"]


class Removal(Model):
    kind: Kind
    name: str
    event: str | None = None


class ChangeSet(Model):
    """What one CSV asks for: upserts (in file order) and removals."""

    events: list[ImportEvent] = Field(default_factory=list)
    """Event rows, with the property rows of the same file attached."""
    properties: list[tuple[str, ImportProperty]] = Field(default_factory=list)
    """Property rows of events that have no event row in this file."""
    user_properties: list[ImportUserProperty] = Field(default_factory=list)
    removals: list[Removal] = Field(default_factory=list)

    def plan(self) -> ImportPlan:
        return ImportPlan(events=self.events, user_properties=self.user_properties)


# -- writing ---------------------------------------------------------------------------


def _bool(value: bool) -> str:
    return TRUE if value else FALSE


def _row(**cells: str) -> dict[str, str]:
    return {column: cells.get(column, "") for column in COLUMNS}


def _property_cells(prop: ImportProperty | ImportUserProperty) -> dict[str, str]:
    return {
        "Property Description": prop.description or "",
        "Property Value Type": prop.type,
        "Property Is Array": _bool(prop.is_array_type),
        "Enum Values": ",".join(prop.enum_values),
        "Property Regex": prop.regex or "",
        "Property Visibility": "VISIBLE",
    }


def event_rows(event: ImportEvent, with_properties: bool = True) -> list[dict[str, str]]:
    rows = [
        _row(
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
            }
        )
    ]
    if with_properties:
        rows += [property_row(event.name, prop) for prop in event.properties]
    return rows


def property_row(event: str, prop: ImportProperty) -> dict[str, str]:
    return _row(
        **{
            "Object Type": "Event",
            "Object Name": event,
            "Property Type": "Event Property",
            "Event Property Name": prop.name,
            "Property Required": _bool(prop.is_required),
            **_property_cells(prop),
        }
    )


def user_property_row(prop: ImportUserProperty) -> dict[str, str]:
    return _row(
        **{"Property Type": "User Property", USER_PROPERTY_COLUMN: prop.bare_name, **_property_cells(prop)}
    )


def removal_row(removal: Removal) -> dict[str, str]:
    if removal.kind == "event":
        return _row(Action="Remove", **{"Object Type": "Event", "Object Name": removal.name})
    if removal.kind == "event_property":
        return _row(
            Action="Remove",
            **{
                "Object Type": "Event",
                "Object Name": removal.event or "",
                "Property Type": "Event Property",
                "Event Property Name": removal.name,
            },
        )
    return _row(
        Action="Remove",
        **{"Property Type": "User Property", USER_PROPERTY_COLUMN: removal.name.removeprefix(USER_PREFIX)},
    )


def write_rows(rows: Iterable[dict[str, str]]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def write_plan(plan: ImportPlan) -> str:
    rows = [row for event in plan.events for row in event_rows(event)]
    rows += [user_property_row(p) for p in plan.user_properties]
    return write_rows(rows)


# -- reading ---------------------------------------------------------------------------


def _cell_bool(row: dict[str, str], column: str, number: int) -> bool:
    value = row.get(column, "").strip()
    if value.upper() in (TRUE, "") or value.upper() == FALSE:
        return value.upper() == TRUE
    raise CsvError(f"{value!r} is not a boolean (TRUE or FALSE)", number, column)


def _cell(row: dict[str, str], column: str) -> str | None:
    value = row.get(column, "")
    return value if value != "" else None


def _property_fields(row: dict[str, str], number: int) -> dict[str, object]:
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
        "is_array_type": _cell_bool(row, "Property Is Array", number),
    }


M = TypeVar("M", bound=Model)


def _model(model: type[M], values: dict[str, object], number: int, columns: dict[str, str]) -> M:
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        error = exc.errors()[0]
        message = str(error["msg"]).removeprefix("Value error, ")
        field = str(error["loc"][0]) if error["loc"] else ""
        if not field:  # a rule across fields: blame the first field the message names
            field = next((f for f in ("enum_values", "regex", "type") if f in message), "")
        raise CsvError(message, number, columns.get(field)) from None


PROPERTY_COLUMNS = {
    "name": "Event Property Name",
    "description": "Property Description",
    "type": "Property Value Type",
    "regex": "Property Regex",
    "enum_values": "Enum Values",
    "is_array_type": "Property Is Array",
    "is_required": "Property Required",
}
USER_PROPERTY_COLUMNS = {**PROPERTY_COLUMNS, "name": USER_PROPERTY_COLUMN}
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

    def __init__(self) -> None:
        self.events: dict[str, tuple[int, dict[str, object], list[ImportProperty]]] = {}
        self.properties: list[tuple[str, ImportProperty]] = []
        self.user_properties: list[ImportUserProperty] = []
        self.removals: list[Removal] = []

    def row(self, row: dict[str, str], number: int) -> None:
        if None in row:
            raise CsvError("more cells than columns", number)
        action = row["Action"].strip()
        if action not in ("", "Ignore", "Remove"):
            raise CsvError(
                f"unknown action {action!r} (use Ignore, Remove or leave it blank)", number, "Action"
            )
        if action == "Ignore":
            return
        object_type, property_type = row["Object Type"].strip(), row["Property Type"].strip()
        if object_type not in ("", "Event"):
            raise CsvError(f"unknown object type {object_type!r} (use Event)", number, "Object Type")
        if property_type not in ("", "Event Property", "User Property"):
            raise CsvError(f"unknown property type {property_type!r}", number, "Property Type")
        if property_type == "User Property":
            self.user_property(row, number, remove=action == "Remove")
        elif object_type != "Event" or not row["Object Name"]:
            raise CsvError("an event row needs Object Type Event and an Object Name", number, "Object Name")
        elif property_type == "Event Property":
            self.event_property(row, number, remove=action == "Remove")
        else:
            self.event(row, number, remove=action == "Remove")

    def user_property(self, row: dict[str, str], number: int, remove: bool) -> None:
        name = row.get(USER_PROPERTY_COLUMN, "")
        if not name:
            raise CsvError("a user property needs a name", number, USER_PROPERTY_COLUMN)
        if remove:
            self.removals.append(Removal(kind="user_property", name=name))
            return
        fields = {"name": name, **_property_fields(row, number)}
        self.user_properties.append(_model(ImportUserProperty, fields, number, USER_PROPERTY_COLUMNS))

    def event_property(self, row: dict[str, str], number: int, remove: bool) -> None:
        event, name = row["Object Name"], row["Event Property Name"]
        if not name:
            raise CsvError("an event property needs a name", number, "Event Property Name")
        if remove:
            self.removals.append(Removal(kind="event_property", name=name, event=event))
            return
        fields = {
            "name": name,
            **_property_fields(row, number),
            "is_required": _cell_bool(row, "Property Required", number),
        }
        prop = _model(ImportProperty, fields, number, PROPERTY_COLUMNS)
        if event in self.events:
            self.events[event][2].append(prop)
        else:
            self.properties.append((event, prop))

    def event(self, row: dict[str, str], number: int, remove: bool) -> None:
        event = row["Object Name"]
        if remove:
            self.removals.append(Removal(kind="event", name=event))
            return
        for flag in EVENT_FLAGS:
            _cell_bool(row, flag, number)
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
            events=events,
            properties=self.properties,
            user_properties=self.user_properties,
            removals=self.removals,
        )


def read_changes(text: str) -> ChangeSet:
    """Parse a CSV strictly; any problem raises `CsvError` naming the row and column."""
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in EVENT_COLUMNS if c not in header]
    if missing:
        raise CsvError(f"missing columns: {', '.join(missing)}", 1)
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        raise CsvError(f"unknown columns: {', '.join(unknown)}", 1)
    collected = _Reader()
    for number, row in enumerate(reader, start=2):
        collected.row(row, number)
    try:
        return collected.changes()
    except ValidationError as exc:
        raise CsvError(str(exc.errors()[0]["msg"]).removeprefix("Value error, ")) from None


def read_plan(text: str) -> ImportPlan:
    return read_changes(text).plan()
