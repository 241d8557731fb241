"""The plan's one type system, mapped to each vendor's.

| plan      | Amplitude                      | RudderStack                         |
|-----------|--------------------------------|-------------------------------------|
| string    | string                         | string                              |
| number    | number                         | number                              |
| integer   | number                         | integer                             |
| boolean   | boolean                        | boolean                             |
| enum      | enum with enum_values          | string with rules.enum              |
| any       | any                            | (no type: any type)                 |
| array     | is_array_type + the items type | array                               |
| object    | any                            | object                              |

`pattern` becomes Amplitude's regex and RudderStack's pattern rule; `format`,
`min_length`/`max_length`, `minimum`/`maximum`, `nullable` (a second type, null) and
nested `properties` exist only in RudderStack, and non-track events too.

Each function below gives the inputs of one kind of child resource, so the component
that creates the resources and `validate` that checks them see the very same values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pulumi_taxonomy.amplitude.importcsv import ImportPlan
from pulumi_taxonomy.plan.models import (
    Event,
    EventProperty,
    GroupProperty,
    Plan,
    PropertyDef,
    SourceTarget,
    UserProperty,
)

AMPLITUDE = {
    "string": "string",
    "number": "number",
    "integer": "number",
    "boolean": "boolean",
    "enum": "enum",
    "any": "any",
    "object": "any",
}


def amplitude_fields(prop: PropertyDef) -> dict[str, Any]:
    """The attributes of an Amplitude property (EventProperty/UserProperty/GroupProperty)."""
    element = prop.items or "any" if prop.type == "array" else prop.type
    return {
        "description": prop.description,
        "type": AMPLITUDE[element],
        "enum_values": list(prop.values or []),
        "regex": prop.pattern,
        "is_array_type": prop.type == "array",
    }


def rudderstack_property(name: str, prop: PropertyDef, required: bool) -> dict[str, Any]:
    """A RudderStack plan property (PlanProperty's fields)."""
    rules = {
        key: value
        for key, value in (
            ("enum", list(prop.values) if prop.values is not None else None),
            ("pattern", prop.pattern),
            ("format", prop.format),
            ("min_length", prop.min_length),
            ("max_length", prop.max_length),
            ("minimum", prop.minimum),
            ("maximum", prop.maximum),
            ("min_items", prop.min_items),
            ("max_items", prop.max_items),
        )
        if value is not None
    }
    kind = {"enum": "string", "any": None}.get(prop.type, prop.type)
    body: dict[str, Any] = {
        "name": name,
        "description": prop.description,
        "required": required,
        "rules": rules,
    }
    if kind is not None and prop.nullable:
        body["types"] = [kind, "null"]
    else:
        body["type"] = kind
    if prop.properties is not None:
        body["properties"] = [rudderstack_property(p.name, p, p.required) for p in prop.properties]
        body["additional_properties"] = prop.additional_properties
    return body


def is_amplitude_event(event: Event) -> bool:
    """Amplitude plans track events only (identify/group/page/screen are RudderStack's)."""
    return event.type == "track"


def amplitude_events(plan: Plan) -> list[Event]:
    return [e for e in plan.events if is_amplitude_event(e)]


def uses_import(plan: Plan) -> bool:
    """Whether Amplitude gets the plan as one Taxonomy Import rather than per object."""
    target = plan.targets.amplitude
    if target is None:
        return False
    return target.mode == "import" or (target.mode == "auto" and len(plan.events) > target.import_above)


def amplitude_event(event: Event) -> dict[str, Any]:
    """An EventType's inputs."""
    return {"name": event.name, "category": event.category, "description": event.description}


def amplitude_property(event: Event, prop: EventProperty) -> dict[str, Any]:
    """An (event's) EventProperty's inputs; `prop` resolved (see `Plan.resolved`)."""
    return {
        "name": prop.name,
        "event_type": event.name,
        "is_required": prop.required,
        **amplitude_fields(prop),
    }


def amplitude_user_property(user: UserProperty) -> dict[str, Any]:
    """A UserProperty's inputs."""
    return {"name": user.name, "classifications": list(user.classifications), **amplitude_fields(user)}


def amplitude_group_property(group: GroupProperty) -> dict[str, Any]:
    """A GroupProperty's inputs."""
    return {"name": group.name, "group_type": group.group_type, **amplitude_fields(group)}


def import_event(plan: Plan, event: Event, props: list[EventProperty] | None = None) -> dict[str, Any]:
    """An event as the Taxonomy Import carries it (ImportEvent's fields); `props` are its
    resolved properties, when the caller has them already."""
    properties = [
        {"name": p.name, "is_required": p.required, **amplitude_fields(p)}
        for p in (plan.resolved(event) if props is None else props)
    ]
    return {
        "name": event.name,
        "category": event.category,
        "description": event.description,
        "properties": properties,
    }


def import_user_property(user: UserProperty) -> dict[str, Any]:
    """A user property as the Taxonomy Import carries it (ImportUserProperty's fields)."""
    return {"name": user.name, **amplitude_fields(user)}


def import_plan(plan: Plan) -> ImportPlan:
    """The plan as one Amplitude Taxonomy Import carries it."""
    return ImportPlan.model_validate(
        {
            "events": [import_event(plan, e) for e in amplitude_events(plan)],
            "user_properties": [import_user_property(u) for u in plan.user_properties],
        }
    )


def rudderstack_event(plan: Plan, event: Event, props: list[EventProperty] | None = None) -> dict[str, Any]:
    """A plan event as TrackingPlanEvent's inputs (without the plan id); `props` as for
    `import_event`."""
    if props is None:
        props = plan.resolved(event)
    return {
        "event_type": event.type,
        "name": event.name if event.type == "track" else "",
        "description": event.description,
        "properties": [rudderstack_property(p.name, p, p.required) for p in props],
    }


def rudderstack_plan(plan: Plan) -> dict[str, Any]:
    """The RudderStack TrackingPlan's inputs."""
    target = plan.targets.rudderstack
    assert target is not None
    return {"name": target.plan_name, "description": target.description}


def rudderstack_source(source: SourceTarget) -> dict[str, Any]:
    """A SourceConnection's inputs (without the plan id)."""
    settings = source.model_dump(by_alias=True, exclude_none=True)
    return {
        "source_id": source.source_id,
        "config": {k: v for k, v in settings.items() if k != "source_id"},
    }


@dataclass(frozen=True)
class StitchTable:
    """A WarehouseTable's inputs, and where in the plan each row comes from."""

    table_name: str
    key_names: list[str]
    rows: list[dict[str, Any]]
    origins: list[tuple[int | str, ...]]


def stitch_tables(
    plan: Plan, resolved: list[list[EventProperty]] | None = None
) -> tuple[StitchTable, StitchTable]:
    """The plan as two warehouse tables: its events, and their properties (`resolved`:
    each event's resolved properties, when the caller has them already)."""
    target = plan.targets.stitch
    assert target is not None
    events = [
        {
            "event": e.name,
            "description": e.description or "",
            "category": e.category or "",
            "owner": e.owner or "",
            "tags": list(e.tags),
        }
        for e in plan.events
    ]
    properties: list[dict[str, Any]] = []
    origins: list[tuple[int | str, ...]] = []
    for i, e in enumerate(plan.events):
        for j, p in enumerate(plan.resolved(e) if resolved is None else resolved[i]):
            properties.append(
                {
                    "event": e.name,
                    "property": p.name,
                    "type": p.type,
                    "required": p.required,
                    "description": p.description or "",
                }
            )
            origins.append(("events", i, "properties", j))
    return (
        StitchTable(target.events_table, ["event"], events, [("events", i) for i in range(len(events))]),
        StitchTable(target.properties_table, ["event", "property"], properties, origins),
    )
