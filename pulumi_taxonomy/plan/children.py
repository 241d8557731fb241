"""The names of a TrackingPlan's child resources, from stable keys.

An event's key is its `id`, or its name made into a slug; a property's likewise. The
component names every child with these functions, and `validate` refuses a plan in
which two children of one resource type would get the same name: the Pulumi engine
would refuse the duplicate URN, after part of the plan was applied.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pulumi_taxonomy.plan.models import (
    Event,
    EventProperty,
    GroupProperty,
    Plan,
    SourceTarget,
    UserProperty,
    item_key,
    slug,
)
from pulumi_taxonomy.plan.types import is_amplitude_event, uses_import

Loc = tuple[int | str, ...]


def amplitude_category(category: str) -> str:
    return f"amplitude-category-{slug(category)}"


def amplitude_event(event: Event) -> str:
    return f"amplitude-event-{event.key}"


def amplitude_property(event: Event, prop: EventProperty) -> str:
    return f"{amplitude_event(event)}-property-{item_key(prop)}"


def amplitude_user_property(user: UserProperty) -> str:
    return f"amplitude-user-property-{item_key(user)}"


def amplitude_group_property(group: GroupProperty) -> str:
    return f"amplitude-group-property-{slug(group.group_type)}-{item_key(group)}"


def rudderstack_event(event: Event) -> str:
    return f"rudderstack-event-{event.key}"


def rudderstack_source(source: SourceTarget) -> str:
    return f"rudderstack-source-{source.source_id}"


@dataclass(frozen=True)
class Child:
    kind: str
    """The resource type, as people call it."""
    name: str
    """The child's name, after the component's own name."""
    loc: Loc
    """The plan field the name comes from."""
    item: Loc
    """The plan item the child stands for."""
    fix: str
    """How to give it a name of its own."""


ID = "give one of them an `id:` (a stable key of its own)"


def named(plan: Plan) -> Iterator[Child]:
    """Every child resource whose name depends on the plan's contents."""
    if plan.targets.amplitude is not None and not uses_import(plan):
        for i, category in enumerate(plan.categories):
            loc: Loc = ("categories", i)
            yield Child("Amplitude category", amplitude_category(category), loc, loc, "rename one")
        for i, event in enumerate(plan.events):
            if not is_amplitude_event(event):
                continue
            for j, prop in enumerate(event.properties):
                item: Loc = ("events", i, "properties", j)
                name = amplitude_property(event, prop)
                yield Child("Amplitude event property", name, (*item, _key(prop.id)), item, ID)
        for i, user in enumerate(plan.user_properties):
            item = ("user_properties", i)
            name = amplitude_user_property(user)
            yield Child("Amplitude user property", name, (*item, _key(user.id)), item, ID)
        for i, group in enumerate(plan.group_properties):
            item = ("group_properties", i)
            name = amplitude_group_property(group)
            yield Child("Amplitude group property", name, (*item, _key(group.id)), item, ID)
    if plan.targets.rudderstack is not None:
        for i, source in enumerate(plan.targets.rudderstack.sources):
            item = ("targets", "rudderstack", "sources", i)
            name = rudderstack_source(source)
            yield Child(
                "RudderStack source connection", name, (*item, "source_id"), item, "list each source once"
            )


def _key(id_: str | None) -> str:
    """The field a name comes from: the stable id when there is one."""
    return "id" if id_ else "name"
