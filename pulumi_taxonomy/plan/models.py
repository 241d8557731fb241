"""The vendor-neutral tracking plan: one file, rolled out to every vendor a team uses.

One type system (string, number, integer, boolean, enum, any, array, object) maps to
each vendor's own (see `types.py`). Properties can be defined once under
`properties:` and referenced by name from events; events and properties carry an
optional stable `id`, so renaming one keeps its resources (an in-place rename).
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator
from pydantic_core import PydanticCustomError

from pulumi_taxonomy.plan.conventions import Conventions

PlanType = Literal["string", "number", "integer", "boolean", "enum", "any", "array", "object"]
ItemType = Literal["string", "number", "integer", "boolean", "any", "object"]
Disposition = Literal["forward", "drop"]
Removal = Literal["delete", "retain"]
"""What removing an item from the plan does at the vendor: `delete` it, or `retain` it
(Pulumi's `retain_on_delete`: it stays at the vendor and only leaves the stack)."""
SLUG = re.compile(r"[^a-z0-9]+")
REFERENCES_ERROR = "plan_references"
"""The error type of the problems found across a plan's fields, listed in its context."""


def slug(name: str) -> str:
    """A stable, readable resource-name part: "Song Played" -> "song-played"."""
    return SLUG.sub("-", name.lower()).strip("-") or "x"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PropertyDef(Model):
    """A property's meaning and shape, inline on an event or reusable by name."""

    description: str | None = None
    type: PlanType = "any"
    values: list[str] | None = None
    """The allowed values of an enum."""
    items: ItemType | None = None
    """The type of an array's elements."""
    pattern: str | None = None
    format: str | None = None
    """A JSON-Schema format such as email or date-time (RudderStack)."""
    min_length: int | None = Field(default=None, ge=0)
    max_length: int | None = Field(default=None, ge=0)
    minimum: float | None = Field(default=None, allow_inf_nan=False)
    maximum: float | None = Field(default=None, allow_inf_nan=False)
    min_items: int | None = Field(default=None, ge=0)
    max_items: int | None = Field(default=None, ge=0)
    nullable: bool = False
    """Null is allowed as well as the type (RudderStack)."""
    properties: list[EventProperty] | None = None
    """Nested properties of an object, or of an array's objects (RudderStack)."""
    additional_properties: bool | None = None
    classifications: list[Literal["PII", "SENSITIVE", "REVENUE"]] = Field(default_factory=list)

    @model_validator(mode="after")
    def _shape(self) -> PropertyDef:
        if self.type == "enum" and not self.values:
            raise ValueError("an enum needs values")
        if self.values is not None and self.type != "enum":
            raise ValueError("values are only for type enum")
        if self.items is not None and self.type != "array":
            raise ValueError("items is only for type array")
        if self.pattern is not None and self.type != "string":
            raise ValueError("pattern is only for type string")
        if self.pattern is not None:
            try:
                re.compile(self.pattern)
            except re.error as exc:
                raise ValueError(f"pattern does not compile: {exc}") from None
        if (self.minimum is not None or self.maximum is not None) and self.type not in ("number", "integer"):
            raise ValueError("minimum and maximum are only for number and integer")
        if (self.min_length is not None or self.max_length is not None) and self.type != "string":
            raise ValueError("min_length and max_length are only for type string")
        if (self.min_items is not None or self.max_items is not None) and self.type != "array":
            raise ValueError("min_items and max_items are only for type array")
        if self.properties is not None and self.type not in ("object", "array"):
            raise ValueError("nested properties are only for object and array")
        if self.additional_properties is not None and self.properties is None:
            raise ValueError("additional_properties only applies with nested properties")
        if self.classifications and not isinstance(self, UserProperty):
            # The component passes them on only for user properties: Amplitude refuses them
            # on per-event and per-group-type properties, and RudderStack has none.
            raise ValueError("classifications are for user_properties only")
        return self


class EventProperty(PropertyDef):
    """A property of an event: inline (the definition's fields) or `ref` to a reusable one."""

    name: str = Field(min_length=1)
    id: str | None = None
    required: bool = False
    ref: str | None = None
    """The name of a reusable property under `properties:` (its definition applies)."""
    deprecated: bool = False
    """On its way out: `diff` allows a breaking change to it (its removal) in a later release."""

    @model_validator(mode="after")
    def _ref_alone(self) -> EventProperty:
        inline = self.model_fields_set & DEFINITION_FIELDS if self.ref is not None else None
        if inline:
            raise ValueError(
                f"ref takes the whole definition from properties:{self.ref}, so {', '.join(sorted(inline))} "
                "here would be ignored: move them into that definition, or drop ref"
            )
        return self


class Event(Model):
    """An event of the plan, with its properties."""

    name: str = Field(min_length=1)
    type: Literal["track", "identify", "group", "page", "screen"] = "track"
    """Non-track events (one per type) describe traits or pages: RudderStack only."""
    id: str | None = None
    """Stable identity: keep it when renaming the event, and its resources are renamed in place."""
    description: str | None = None
    category: str | None = None
    owner: str | None = None
    tags: list[str] = Field(default_factory=list)
    properties: list[EventProperty] = Field(default_factory=list)
    deprecated: bool = False
    """On its way out: `diff` allows a breaking change to it (its removal) in a later release."""

    @property
    def key(self) -> str:
        return self.id or (slug(self.name) if self.type == "track" else self.type)


class UserProperty(PropertyDef):
    name: str = Field(min_length=1)
    id: str | None = None
    deprecated: bool = False


class GroupProperty(PropertyDef):
    name: str = Field(min_length=1)
    group_type: str = Field(min_length=1)
    id: str | None = None
    deprecated: bool = False


def item_key(item: EventProperty | UserProperty | GroupProperty) -> str:
    """What a property is known by across changes of the plan: its `id`, else its name's
    slug (the TrackingPlan component names its resources with it; `diff` matches by it)."""
    return item.id or slug(item.name)


class AmplitudeTarget(Model):
    mode: Literal["auto", "objects", "import"] = "auto"
    """objects: a resource per object; import: one TaxonomyImport; auto: import above `import_above`."""
    import_above: int = Field(default=200, ge=1)
    workspace: str | None = None
    """The Amplitude Data workspace name, needed for imports."""
    removal: Removal | None = None
    """Overrides the plan's `removal` for Amplitude."""


class SourceSettings(Model):
    allow_unplanned_events: bool | None = None
    unplanned_properties: Disposition | None = None
    any_other_violation: Disposition | None = None
    propagate_validation_errors: bool | None = None


class SourceTarget(Model):
    source_id: str = Field(min_length=1)
    track: SourceSettings | None = None
    identify: SourceSettings | None = None
    group: SourceSettings | None = None
    page: SourceSettings | None = None
    screen: SourceSettings | None = None
    global_: Annotated[SourceSettings | None, Field(alias="global")] = None

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class RudderStackTarget(Model):
    plan_name: str
    description: str | None = None
    sources: list[SourceTarget] = Field(default_factory=list)
    removal: Removal | None = None
    """Overrides the plan's `removal` for RudderStack."""


class StitchTarget(Model):
    events_table: str = "tracking_plan_events"
    properties_table: str = "tracking_plan_properties"
    removal: Removal | None = None
    """Overrides the plan's `removal` for the warehouse tables."""


class Targets(Model):
    amplitude: AmplitudeTarget | None = None
    rudderstack: RudderStackTarget | None = None
    stitch: StitchTarget | None = None


class Plan(Model):
    """A tracking plan file (YAML), version 1."""

    version: Literal[1] = 1
    name: str = Field(min_length=1)
    description: str | None = None
    categories: list[str] = Field(default_factory=list)
    properties: dict[str, PropertyDef] = Field(default_factory=dict)
    events: list[Event] = Field(default_factory=list)
    user_properties: list[UserProperty] = Field(default_factory=list)
    group_properties: list[GroupProperty] = Field(default_factory=list)
    targets: Targets = Field(default_factory=Targets)
    conventions: Conventions | None = None
    """Naming and documentation rules for `pulumi-taxonomy lint` (defaults when absent)."""
    removal: Removal = "delete"
    """What removing an item from the plan does at every target that does not say otherwise."""

    def removal_for(self, target: Literal["amplitude", "rudderstack", "stitch"]) -> Removal:
        """The removal setting in force for one target."""
        own = getattr(self.targets, target)
        return own.removal if own is not None and own.removal is not None else self.removal

    @model_validator(mode="after")
    def _references(self) -> Plan:
        # Messages start with the path of the field at fault, which the loader turns into a
        # line; every one is listed, not only the first.
        problems: list[str] = []
        categories: dict[str, int] = {}
        for i, category in enumerate(self.categories):
            first = categories.setdefault(category, i)
            if first != i:
                problems.append(f'categories[{i}]: "{category}" is already categories[{first}]')
        users: dict[str, int] = {}
        for i, user in enumerate(self.user_properties):
            first = users.setdefault(user.name, i)
            if first != i:
                problems.append(
                    f'user_properties[{i}].name: "{user.name}" is already user_properties[{first}]'
                )
        groups: dict[tuple[str, str], int] = {}
        for i, group in enumerate(self.group_properties):
            first = groups.setdefault((group.group_type, group.name), i)
            if first != i:
                problems.append(
                    f'group_properties[{i}].name: "{group.name}" of "{group.group_type}" is already '
                    f"group_properties[{first}]"
                )
        kinds: dict[str, int] = {}
        keys: dict[str, str] = {}
        names: set[str] = set()
        for i, event in enumerate(self.events):
            if event.name in names:
                problems.append(f'events[{i}].name: "{event.name}" is already an event name')
            names.add(event.name)
            if event.type != "track":
                first = kinds.setdefault(event.type, i)
                if first != i:
                    problems.append(
                        f"events[{i}].type: events[{first}] is the plan's {event.type} event already "
                        "(one event per type other than track)"
                    )
            key = event.key
            if key in keys and event.id is not None:
                problems.append(
                    f'events[{i}].id: "{event.name}" has the same id as "{keys[key]}" '
                    f"({key!r}); ids must be unique"
                )
            elif key in keys and keys[key] != event.name:  # (the same name is reported above)
                problems.append(
                    f'events[{i}].name: "{event.name}" gets the same key as "{keys[key]}" '
                    f"({key!r}), which names its resources: give one of them an `id:`"
                )
            keys.setdefault(key, event.name)
            if event.category is not None and event.category not in self.categories:
                problems.append(f'events[{i}].category: "{event.category}" is not under categories:')
            seen: set[str] = set()
            for j, prop in enumerate(event.properties):
                if prop.name in seen:
                    problems.append(
                        f'events[{i}].properties[{j}].name: "{prop.name}" appears twice on this event'
                    )
                seen.add(prop.name)
                if prop.ref is not None and prop.ref not in self.properties:
                    problems.append(f'events[{i}].properties[{j}].ref: "{prop.ref}" is not under properties:')
        if problems:
            # All of them, each whole (a name may hold any character, a newline too).
            raise PydanticCustomError(
                REFERENCES_ERROR,
                "{count} problems across fields",
                {"count": len(problems), "problems": problems},
            )
        return self

    def resolved(self, event: Event) -> list[EventProperty]:
        """An event's properties with references replaced by their definitions."""
        return self._resolve(event, {})

    def resolved_events(self) -> list[list[EventProperty]]:
        """`resolved` of every event, in order (each definition prepared once)."""
        prepared: dict[str, EventProperty] = {}
        return [self._resolve(event, prepared) for event in self.events]

    def _resolve(self, event: Event, prepared: dict[str, EventProperty]) -> list[EventProperty]:
        out = []
        for prop in event.properties:
            if prop.ref is None:
                out.append(prop)
                continue
            # Both parts were validated already (a ref stands alone), so no need to again:
            # big plans resolve tens of thousands of references.
            base = prepared.get(prop.ref)
            if base is None:
                definition = self.properties[prop.ref]
                base = prepared[prop.ref] = EventProperty.model_construct(
                    definition.model_fields_set,
                    **{name: getattr(definition, name) for name in DEFINITION_FIELDS},
                    name=prop.ref,
                )
            out.append(base.model_copy(update={"name": prop.name, "id": prop.id, "required": prop.required}))
        return out


DEFINITION_FIELDS = frozenset(PropertyDef.model_fields)
"""What a `ref` brings: everything but a property's name, id and required."""

PropertyDef.model_rebuild()
EventProperty.model_rebuild()


def json_schema() -> dict[str, Any]:
    schema = Plan.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "pulumi-taxonomy tracking plan"
    return schema
