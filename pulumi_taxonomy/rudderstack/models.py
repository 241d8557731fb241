"""RudderStack tracking plans as our resources take them (inputs), and the vendor's
wire format.

Inputs are written the Python way (snake_case, booleans, enums); the wire carries the
vendor's camelCase and its `"true"`/`"false"` strings. Each input has one canonical
form (`model_dump(mode="json")`), and what the vendor returns is read back into that
same form, so a diff never shows key order, defaults or string-vs-boolean noise.

What the vendor leaves out of a read-back is unknown, not unset: the reference shows
no example of an event's properties, and RudderStack's own client
(rudderlabs/rudder-iac, api/client/catalog/trackingplans.go `TrackingPlanEventProperty`)
reads only a property's id, name, required, additionalProperties and nested
properties. `PlanProperty.from_wire` keeps such fields from what the stack already
knows, and `shows` proves a match only with the fields the vendor did return.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, model_validator

from pulumi_taxonomy.core.inputs import ResourceInputs

EventType = Literal["track", "identify", "group", "page", "screen"]
PropertyType = Literal["string", "integer", "number", "object", "array", "boolean", "null"]
IdentitySection = Literal["properties", "traits", "context.traits"]
Disposition = Literal["forward", "drop"]
Region = Literal["us", "eu"]

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_,\-. ]{2,64}$"
PROPERTY_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_ ]*$"
NAME_RULE = "3-65 characters, starting with a letter; letters, digits, spaces and _ , - . only"
ALL_TYPES: frozenset[str] = frozenset(get_args(PropertyType))

# Ids go into request paths. RudderStack's are a prefix and a 27-character KSUID
# (base62), sources a bare KSUID (api-notes.md; every id in the reference has that
# shape), so anything else cannot name a RudderStack object: refused before any request.
KSUID = r"[0-9A-Za-z]{27}"
PLAN_ID = re.compile(rf"tp_{KSUID}")
EVENT_ID = re.compile(rf"ev_{KSUID}")
SOURCE_ID = re.compile(KSUID)
PATH_CHARACTERS = "/?#%.\\"
PLAN_ID_PLACEHOLDER = "tp_" + "0" * 27
"""Stands for a plan not created yet, to check an event's or connection's other inputs."""


def _id_rule(value: str, pattern: re.Pattern[str], what: str, example: str) -> str:
    if pattern.fullmatch(value):
        return value
    found = sorted({c for c in value if c in PATH_CHARACTERS or c.isspace()})
    shown = ", ".join(repr(c) for c in found)
    why = f" (it contains {shown}, which would change the request's path)" if found else ""
    raise ValueError(f"must be a RudderStack {what} id such as {example}{why}")


def _plan_id(value: str) -> str:
    example = "tp_5gopz6tfKxAjpS4TjuqVIeTdm7T (tp_ and 27 letters or digits)"
    return _id_rule(value, PLAN_ID, "tracking plan", example)


def _event_id(value: str) -> str:
    return _id_rule(value, EVENT_ID, "event", "ev_2gotMKGuOtdDY4XbSdKjkwk4qc2 (ev_ and 27 letters or digits)")


def _source_id(value: str) -> str:
    return _id_rule(value, SOURCE_ID, "source", "2nk0qVvmxE79uIwsKebgVH4iNTR (27 letters or digits)")


def _plan_name(value: str) -> str:
    if not re.match(NAME_PATTERN, value):
        raise ValueError(f"must be {NAME_RULE}")
    return value


def _text(value: str | None) -> str | None:
    if value is not None and len(value) > 2000:
        raise ValueError(f"must be at most 2000 characters (got {len(value)})")
    return value


def _non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty")
    return value


PlanName = Annotated[str, AfterValidator(_plan_name)]
PlanId = Annotated[str, AfterValidator(_plan_id)]
"""A tracking plan's id (`tp_` + KSUID): it goes into request paths."""
EventId = Annotated[str, AfterValidator(_event_id)]
"""An event's id (`ev_` + KSUID): it goes into request paths."""
SourceId = Annotated[str, AfterValidator(_source_id)]
"""A source's id (a KSUID): it goes into request paths."""
Text = Annotated[str | None, AfterValidator(_text)]
NonEmpty = Annotated[str, AfterValidator(_non_empty)]


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RudderStackConnection(Model):
    """Where and as whom to call RudderStack; pass it as a secret. Falls back to stack
    config (`rudderstackAccessToken`, ...) and then `RUDDERSTACK_ACCESS_TOKEN`, ..."""

    access_token: str | None = None
    region: Region | None = None
    base_url: str | None = None


class RudderStackInputs(ResourceInputs):
    connection: RudderStackConnection | None = None


class TrackingPlanInputs(RudderStackInputs):
    name: PlanName
    description: Text = None


# -- event properties -------------------------------------------------------------------


class PropertyRules(Model):
    """JSON-Schema keywords RudderStack calls a property's advanced rules (`propConfig`)."""

    enum: list[str | int | float | bool] | None = None
    const: str | int | float | bool | None = None
    pattern: str | None = None
    format: str | None = None
    min_length: int | None = Field(default=None, ge=0, alias="minLength")
    max_length: int | None = Field(default=None, ge=0, alias="maxLength")
    minimum: float | None = None
    maximum: float | None = None
    exclusive_minimum: float | None = Field(default=None, alias="exclusiveMinimum")
    exclusive_maximum: float | None = Field(default=None, alias="exclusiveMaximum")
    multiple_of: float | None = Field(default=None, gt=0, alias="multipleOf")
    min_items: int | None = Field(default=None, ge=0, alias="minItems")
    max_items: int | None = Field(default=None, ge=0, alias="maxItems")
    unique_items: bool | None = Field(default=None, alias="uniqueItems")

    @model_validator(mode="after")
    def _consistent(self) -> PropertyRules:
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from None
        if self.enum is not None and not self.enum:
            raise ValueError("enum needs at least one value")
        for low, high in (("minimum", "maximum"), ("min_length", "max_length"), ("min_items", "max_items")):
            a, b = getattr(self, low), getattr(self, high)
            if a is not None and b is not None and a > b:
                raise ValueError(f"{low} ({a}) is greater than {high} ({b})")
        return self

    def wire(self) -> dict[str, Any]:
        return self.model_dump(mode="json", by_alias=True, exclude_none=True)

    @classmethod
    def from_wire(cls, config: Mapping[str, Any]) -> PropertyRules:
        """`propConfig` as read back: keywords we do not manage are left out (they are not
        this resource's to compare), and rules the vendor holds that our checks would
        refuse are still read, so a refresh never fails on them."""
        aliases = {f.alias or name: name for name, f in cls.model_fields.items()}
        known = {aliases[k]: v for k, v in config.items() if k in aliases and v is not None}
        try:
            return cls.model_validate(known)
        except ValidationError:
            return cls.model_construct(**known)


def wire_types(value: Any) -> list[str]:
    """A property's `type` as read back: "a,b" (what we send), a JSON list, or empty."""
    items = value if isinstance(value, list) else str(value or "").split(",")
    return sorted({str(t).strip() for t in items if str(t).strip()})


class PlanProperty(Model):
    """A property of a tracking-plan event, possibly with nested properties."""

    name: Annotated[str, Field(pattern=PROPERTY_NAME_PATTERN, max_length=200)]
    type: PropertyType | None = None
    types: list[PropertyType] | None = None
    """Several allowed types (a multi data type), kept sorted; leave both unset to allow
    any."""
    description: Text = None
    required: bool = False
    rules: PropertyRules = Field(default_factory=PropertyRules)
    properties: list[PlanProperty] | None = None
    """Nested properties, for objects and arrays."""
    additional_properties: bool | None = None
    """With nested properties: whether other keys are allowed too."""
    metadata: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PlanProperty:
        if self.type is not None and self.types is not None:
            raise ValueError("set type or types, not both")
        if self.types is not None:
            if len(self.types) < 2 or len(set(self.types)) != len(self.types):
                raise ValueError("types needs two or more distinct types (use type for one)")
            # Canonical order: sorted, as rudder-iac sends them (cli/internal/providers/
            # datacatalog/state/property.go joins the sorted types with ","), so a
            # vendor that sorts them on read-back shows no drift.
            object.__setattr__(self, "types", sorted(self.types))
        if self.metadata == {}:
            object.__setattr__(self, "metadata", None)
        allowed = set(self.types or ([self.type] if self.type else []))
        if self.properties is not None:
            if not allowed & {"object", "array"}:
                raise ValueError("nested properties need type object or array")
            _unique_names(self.properties)
        elif self.additional_properties is not None:
            raise ValueError("additional_properties only applies with nested properties")
        return self

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            # Any type is an empty type: the reference says an unset type allows every
            # type, and rudder-iac sends "" for it (no omitempty on PropertyCreate.Type).
            "type": ",".join(self.types) if self.types else (self.type or ""),
            "propConfig": self.rules.wire(),
            "required": self.required,
        }
        if self.description is not None:
            body["description"] = self.description
        if self.properties is not None:
            body["properties"] = [p.wire() for p in self.properties]
        if self.additional_properties is not None:
            body["additionalProperties"] = self.additional_properties
        if self.metadata:
            body["metadata"] = self.metadata
        return body

    @classmethod
    def from_wire(cls, body: Mapping[str, Any], known: PlanProperty | None = None) -> PlanProperty:
        """A property as the vendor returns it. A field it leaves out keeps its value from
        `known` (what the stack holds for this property), or else its default."""
        fields: dict[str, Any] = {"name": body["name"]}
        if "type" in body:
            types = wire_types(body["type"])
            if set(types) == ALL_TYPES and known is not None and known.type is None and known.types is None:
                types = []  # every type spelled out is what "any" means
            fields["type"] = types[0] if len(types) == 1 else None
            fields["types"] = types if len(types) > 1 else None
        elif known is not None:
            fields["type"], fields["types"] = known.type, known.types
        for wire_key, field, read in (
            ("description", "description", lambda v: v or None),
            ("required", "required", bool),
            ("propConfig", "rules", lambda v: PropertyRules.from_wire(v or {})),
            ("metadata", "metadata", lambda v: v or None),
        ):
            if wire_key in body:
                fields[field] = read(body[wire_key])
            elif known is not None:
                fields[field] = getattr(known, field)
        if body.get("properties") is not None:
            inner = {p.name: p for p in (known.properties or [])} if known is not None else {}
            fields["properties"] = [cls.from_wire(p, inner.get(p["name"])) for p in body["properties"]]
        elif known is not None:
            fields["properties"] = known.properties
        # additionalProperties means something only beside nested properties (rudder-iac
        # reads it on every property, so a vendor may well send it on leaves too).
        if fields.get("properties") is not None:
            if "additionalProperties" in body:
                fields["additional_properties"] = body["additionalProperties"]
            elif known is not None:
                fields["additional_properties"] = known.additional_properties
        try:
            return cls.model_validate(fields)
        except ValidationError:
            # What the vendor holds breaks a rule of ours (say nested properties on a type
            # changed in the dashboard): read it as it is, so refresh shows it as drift.
            return cls.model_construct(**fields)


def shows(body: Mapping[str, Any], desired: PlanProperty) -> bool:
    """The vendor's read-back proves the property is exactly `desired`: every field we
    send is there and agrees (a field it leaves out proves nothing). Except `required`:
    the reference marks it optional, so a property stored without it is not required,
    and the vendor returns it as stored (a plan made in RudderStack's app or by another
    client omits it): its absence shows `required: false`."""
    omissible = {"required"} if not desired.required else set()
    if any(key not in body and key not in omissible for key in desired.wire()):
        return False
    if desired.properties is not None:
        nested = body.get("properties")
        if not (isinstance(nested, list) and shows_each(nested, desired.properties)):
            return False
    return PlanProperty.from_wire(body) == desired


def shows_each(bodies: Sequence[Mapping[str, Any]], desired: Sequence[PlanProperty]) -> bool:
    """The vendor's read-back lists exactly the `desired` properties, each as `shows`
    proves it."""
    wanted = {p.name: p for p in desired}
    # Sorted as text: a name missing or not a string then matches no declared one (those
    # are strings) instead of breaking the sort or the lookup.
    names = sorted((p.get("name") for p in bodies), key=str)
    return names == sorted(wanted) and all(shows(p, wanted[p["name"]]) for p in bodies)


def _unique_names(props: list[PlanProperty]) -> list[PlanProperty]:
    names = [p.name for p in props]
    duplicated = sorted({n for n in names if names.count(n) > 1})
    if duplicated:
        raise ValueError(f"property names must be unique: {', '.join(duplicated)}")
    return props


DEFAULT_SECTION: dict[str, IdentitySection] = {
    "track": "properties",
    "page": "properties",
    "screen": "properties",
    "identify": "traits",
    "group": "traits",
}


class TrackingPlanEventInputs(RudderStackInputs):
    tracking_plan_id: PlanId
    event_type: EventType = "track"
    name: str = ""
    """Required for track events; empty for the others (one per type in a plan)."""
    description: Text = None
    category_id: NonEmpty | None = None
    identity_section: IdentitySection | None = None
    """Where the properties are read from; defaults to properties (track, page,
    screen) or traits (identify, group)."""
    properties: Annotated[list[PlanProperty], AfterValidator(_unique_names)] = Field(min_length=1)

    @model_validator(mode="after")
    def _vendor_rules(self) -> TrackingPlanEventInputs:
        if self.event_type == "track":
            if not re.match(NAME_PATTERN, self.name):
                raise ValueError(f"name of a track event must be {NAME_RULE}")
        elif self.name:
            raise ValueError(
                f"name must be empty for {self.event_type} events (RudderStack names only track events)"
            )
        if self.identity_section is None:
            # Canonical form: the vendor's default, spelled out, so it never shows as a diff.
            object.__setattr__(self, "identity_section", DEFAULT_SECTION[self.event_type])
        return self

    def wire(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "name": self.name,
            "eventType": self.event_type,
            "identitySection": self.identity_section,
            "properties": [p.wire() for p in self.properties],
        }
        if self.description is not None:
            body["description"] = self.description
        if self.category_id is not None:
            body["categoryId"] = self.category_id
        return body


# -- source connections -------------------------------------------------------------------


class EventSettings(Model):
    """How a connected source treats violations of one kind of event."""

    allow_unplanned_events: bool | None = None
    """Track and global only: keep events the plan does not list."""
    unplanned_properties: Disposition | None = None
    """`forward` or `drop` events that carry properties the plan does not list for them."""
    any_other_violation: Disposition | None = None
    """`forward` or `drop` events with any other violation (type mismatch, required fields
    missing...)."""
    propagate_validation_errors: bool | None = None
    """Put the validation errors in the event's context object and send them downstream
    (user transformations and destinations)."""

    @model_validator(mode="after")
    def _not_blank(self) -> EventSettings:
        if not self.model_dump(exclude_none=True):
            raise ValueError("set at least one setting (RudderStack refuses a blank event object)")
        return self


WIRE_KEYS = {
    "allow_unplanned_events": "allowUnplannedEvents",
    "unplanned_properties": "unplannedProperties",
    "any_other_violation": "anyOtherViolation",
    "propagate_validation_errors": "propagateValidationErrors",
}


class ConnectionConfig(Model):
    """How a connected source treats violations: settings per event type, and `global`
    for all of them (`global_` in Python, where `global` is a keyword; a dict may say
    `"global"`). At least one is needed."""

    track: EventSettings | None = None
    identify: EventSettings | None = None
    group: EventSettings | None = None
    page: EventSettings | None = None
    screen: EventSettings | None = None
    global_: EventSettings | None = Field(default=None, alias="global")

    @model_validator(mode="after")
    def _applicable(self) -> ConnectionConfig:
        if not self.model_dump(exclude_none=True):
            raise ValueError("set at least one event type")
        for event_type in ("identify", "group", "page", "screen"):
            settings: EventSettings | None = getattr(self, event_type)
            if settings is not None and settings.allow_unplanned_events is not None:
                raise ValueError(f"allow_unplanned_events only applies to track and global, not {event_type}")
        return self

    def wire(self) -> dict[str, dict[str, str]]:
        out: dict[str, dict[str, str]] = {}
        for key, settings in self.model_dump(by_alias=True, exclude_none=True).items():
            out[key] = {
                WIRE_KEYS[k]: ("true" if v else "false") if isinstance(v, bool) else str(v)
                for k, v in settings.items()
            }
        return out

    @classmethod
    def from_wire(cls, body: dict[str, Any]) -> ConnectionConfig:
        back = {v: k for k, v in WIRE_KEYS.items()}
        parsed: dict[str, Any] = {}
        for event_type, settings in body.items():
            parsed[event_type] = {
                back[k]: (
                    v == "true"
                    if k in ("allowUnplannedEvents", "propagateValidationErrors") and isinstance(v, str)
                    else v
                )
                for k, v in settings.items()
                if k in back
            }
        return cls.model_validate(parsed)


class SourceConnectionInputs(RudderStackInputs):
    tracking_plan_id: PlanId
    source_id: SourceId
    config: ConnectionConfig


# -- vendor payloads ------------------------------------------------------------------------


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class VendorFacts(Payload):
    """The ids and timestamps the reference's plan and event answers carry; kept as the
    vendor wrote them, and absent (None) when an answer leaves them out."""

    workspaceId: str | None = None
    createdAt: str | None = None
    updatedAt: str | None = None


class PlanInfo(VendorFacts):
    id: str
    name: str
    description: str | None = None
    version: int = 1


class EventInfo(VendorFacts):
    """An event of a plan as listed or got. A field absent from the answer is not in
    `model_fields_set`: unknown, not empty."""

    id: str
    name: str
    eventType: str
    description: str | None = None
    categoryId: str | None = None
    identitySection: str | None = None
    properties: list[dict[str, Any]] | None = None
    """Only in a single GET with `format=properties`, or in lists that carry them."""


class EventPage(Payload):
    """One page of `GET .../events`. Only `data` is relied on: `total` is "the total
    number of entries in the response" (the reference), not of the plan."""

    data: list[EventInfo]
    total: int | None = None
    currentPage: int | None = None
    pageSize: int | None = None


class ConnectionInfo(Payload):
    sourceId: str
    trackingPlanId: str
    config: dict[str, Any] = Field(default_factory=dict)
