"""RudderStack tracking plans as our resources take them (inputs), and the vendor's
wire format.

Inputs are written the Python way (snake_case, booleans, enums); the wire carries the
vendor's camelCase and its `"true"`/`"false"` strings. Each input has one canonical
form (`model_dump(mode="json")`), and what the vendor returns is read back into that
same form, so a diff never shows key order, defaults or string-vs-boolean noise.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from pulumi_taxonomy.core.provider import ResourceInputs

EventType = Literal["track", "identify", "group", "page", "screen"]
PropertyType = Literal["string", "integer", "number", "object", "array", "boolean", "null"]
IdentitySection = Literal["properties", "traits", "context.traits"]
Disposition = Literal["forward", "drop"]
Region = Literal["us", "eu"]

NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_,\-. ]{2,64}$"
PROPERTY_NAME_PATTERN = r"^[A-Za-z][A-Za-z0-9_ ]*$"
NAME_RULE = "3-65 characters, starting with a letter; letters, digits, spaces and _ , - . only"


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


class PlanProperty(Model):
    """A property of a tracking-plan event, possibly with nested properties."""

    name: Annotated[str, Field(pattern=PROPERTY_NAME_PATTERN, max_length=200)]
    type: PropertyType | None = None
    types: list[PropertyType] | None = None
    """Several allowed types (a multi data type); leave both unset to allow any."""
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
        if self.types is not None and (len(self.types) < 2 or len(set(self.types)) != len(self.types)):
            raise ValueError("types needs two or more distinct types (use type for one)")
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
    def from_wire(cls, body: dict[str, Any]) -> PlanProperty:
        types = [t.strip() for t in str(body.get("type") or "").split(",") if t.strip()]
        nested = body.get("properties")
        return cls.model_validate(
            {
                "name": body["name"],
                "type": types[0] if len(types) == 1 else None,
                "types": types if len(types) > 1 else None,
                "description": body.get("description") or None,
                "required": bool(body.get("required", False)),
                "rules": PropertyRules.model_validate(body.get("propConfig") or {}),
                "properties": [cls.from_wire(p) for p in nested] if nested is not None else None,
                "additional_properties": body.get("additionalProperties"),
                "metadata": body.get("metadata") or None,
            }
        )


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
    tracking_plan_id: NonEmpty
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
    any_other_violation: Disposition | None = None
    propagate_validation_errors: bool | None = None

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
    tracking_plan_id: NonEmpty
    source_id: NonEmpty
    config: ConnectionConfig


# -- vendor payloads ------------------------------------------------------------------------


class Payload(BaseModel):
    model_config = ConfigDict(extra="ignore")


class PlanInfo(Payload):
    id: str
    name: str
    description: str | None = None
    version: int = 1


class EventInfo(Payload):
    id: str
    name: str
    eventType: str
    description: str | None = None
    categoryId: str | None = None
    identitySection: str | None = None
    properties: list[dict[str, Any]] | None = None


class EventPage(Payload):
    data: list[EventInfo]
    total: int
    currentPage: int
    pageSize: int


class ConnectionInfo(Payload):
    sourceId: str
    trackingPlanId: str
    config: dict[str, Any] = Field(default_factory=dict)
